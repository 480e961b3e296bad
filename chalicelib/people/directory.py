"""Agents, teams, personal API tokens and webhooks (administration)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from chalicelib.core.clock import Clock, utcnow
from chalicelib.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from chalicelib.core.ids import new_id
from chalicelib.domain.people import Agent, ApiToken, Principal, Role, Team, Webhook
from chalicelib.domain.views import Page

if TYPE_CHECKING:
    from chalicelib.storage.ports import DirectoryRepository, StartKey

TOKEN_PREFIX = "ldk_"


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


# What an agent may change on their own record without the admin role.
SELF_SERVICE_FIELDS = frozenset({"name", "availability", "time_zone", "working_hours"})


class DirectoryService:
    def __init__(self, directory: DirectoryRepository, clock: Clock = utcnow) -> None:
        self.directory = directory
        self.clock = clock

    # agents
    def create_agent(
        self,
        email: str,
        name: str,
        role: Role = Role.AGENT,
        subject: str | None = None,
        teams: tuple[str, ...] = (),
        skills: tuple[str, ...] = (),
        capacity: int = 20,
        time_zone: str = "UTC",
        working_hours: tuple[tuple[int, str, str], ...] = (),
    ) -> Agent:
        for team_id in teams:
            self.directory.get_team(team_id)
        agent_id = new_id()
        agent = Agent(
            id=agent_id,
            email=email.strip().lower(),
            name=name.strip(),
            role=role,
            created_at=self.clock(),
            subject=subject or agent_id,
            teams=tuple(dict.fromkeys(teams)),
            skills=tuple(sorted({s.strip().lower() for s in skills})),
            capacity=capacity,
            time_zone=time_zone,
            working_hours=working_hours,
        )
        self.directory.create_agent(agent)
        return agent

    def get_agent(self, agent_id: str) -> Agent:
        return self.directory.get_agent(agent_id)

    def update_agent_as(self, caller: Principal, agent_id: str, based_on: int, changes: dict[str, Any]) -> Agent:
        """An update by ``caller``: admins change anyone; an agent only their own self-service fields."""
        if not caller.is_admin and (agent_id != caller.agent.id or set(changes) - SELF_SERVICE_FIELDS):
            raise Forbidden("agents may change only their own name, availability and time zone")
        if agent_id == caller.agent.id and (
            changes.get("active") is False or changes.get("role", caller.agent.role) != caller.agent.role
        ):
            # Nobody locks themselves out: another admin deactivates or demotes an admin.
            raise Forbidden("you cannot deactivate yourself or change your own role; ask another admin")
        return self.update_agent(agent_id, based_on, changes)

    def update_agent(self, agent_id: str, based_on: int, changes: dict[str, Any]) -> Agent:
        current = self.directory.get_agent(agent_id)
        if current.version != based_on:
            raise Conflict(f"agent {agent_id} is at version {current.version}, not {based_on}")
        for team_id in changes.get("teams", ()):
            self.directory.get_team(team_id)
        if "skills" in changes:
            changes["skills"] = tuple(sorted({s.strip().lower() for s in changes["skills"]}))
        updated = replace(current, **changes, version=current.version + 1)
        self.directory.update_agent(updated, based_on)
        return updated

    def list_agents(self, limit: int, start: StartKey) -> Page[Agent]:
        return self.directory.list_agents(limit, start)

    # teams
    def create_team(self, name: str, description: str = "", parent_team_id: str | None = None) -> Team:
        if parent_team_id:
            self.directory.get_team(parent_team_id)
        team = Team(new_id(), name.strip(), self.clock(), description, parent_team_id=parent_team_id)
        self.directory.create_team(team)
        return team

    def update_team(self, team_id: str, based_on: int, changes: dict[str, Any]) -> Team:
        """Strategy, tiers, lead and automation settings; an escalation chain may not loop."""
        current = self.directory.get_team(team_id)
        if current.version != based_on:
            raise Conflict(f"team {team_id} is at version {current.version}, not {based_on}")
        updated = replace(current, **changes, version=current.version + 1)
        if updated.lead_id:
            self.directory.get_agent(updated.lead_id)
        seen, step = {team_id}, updated.escalation_team_id
        while step:
            if step in seen:
                raise InvalidInput("escalation would loop back to a team already in the chain", "escalation_team_id")
            seen.add(step)
            step = self.directory.get_team(step).escalation_team_id
        self.directory.update_team(updated, based_on)
        return updated

    def get_team(self, team_id: str) -> Team:
        return self.directory.get_team(team_id)

    def list_teams(self, limit: int, start: StartKey) -> Page[Team]:
        return self.directory.list_teams(limit, start)

    # personal API tokens
    @staticmethod
    def check_manages_tokens(caller: Principal, agent_id: str) -> None:
        """Agents manage their own API tokens; admins anyone's."""
        if agent_id != caller.agent.id and not caller.is_admin:
            raise Forbidden("only admins manage other agents' tokens")

    def issue_token(self, agent_id: str, name: str) -> tuple[ApiToken, str]:
        """A new token; the secret is returned once and only its hash is kept."""
        self.directory.get_agent(agent_id)
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = ApiToken(new_id(), agent_id, name.strip(), hash_token(secret), self.clock(), last4=secret[-4:])
        self.directory.create_token(token)
        return token, secret

    def revoke_token(self, agent_id: str, token_id: str, acting_agent: Agent) -> ApiToken:
        if acting_agent.id != agent_id and acting_agent.role is not Role.ADMIN:
            raise Forbidden("only admins revoke other agents' tokens")
        token = next((t for t in self.directory.list_tokens(agent_id) if t.id == token_id), None)
        if token is None:
            raise NotFound("token", token_id)
        if token.revoked_at is None:
            token = replace(token, revoked_at=self.clock())
            self.directory.revoke_token(token)
        return token

    def list_tokens(self, agent_id: str) -> list[ApiToken]:
        return self.directory.list_tokens(agent_id)

    # webhooks
    def create_webhook(self, url: str, events: list[str], created_by: str) -> Webhook:
        if not events:
            raise InvalidInput("subscribe to at least one event type (or '*')", "events")
        webhook = Webhook(new_id(), url, tuple(sorted(set(events))), self.clock(), created_by)
        self.directory.create_webhook(webhook)
        return webhook

    def list_webhooks(self) -> list[Webhook]:
        return self.directory.list_webhooks()

    def delete_webhook(self, webhook_id: str) -> None:
        self.directory.get_webhook(webhook_id)
        self.directory.delete_webhook(webhook_id)


def team_or_none(directory: DirectoryRepository, team_id: str | None) -> Team | None:
    """A ticket's team, or None when it has none or the team was removed (consumers carry on without it)."""
    if not team_id:
        return None
    try:
        return directory.get_team(team_id)
    except NotFound:
        return None
