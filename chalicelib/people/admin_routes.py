"""Agent API: the caller, agents, teams, personal API tokens and webhooks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from chalicelib.core.lazy import lazy_module
from chalicelib.core.providers import Provider
from chalicelib.http.framework import Call, Routes
from chalicelib.http.paging import next_cursor, start_key

if TYPE_CHECKING:
    from chalicelib.people import schemas
    from chalicelib.people.directory import DirectoryService
else:
    schemas = lazy_module("chalicelib.people.schemas")

deps: Provider[DirectoryService] = Provider("people.admin_routes")
routes = Routes(__name__, "chalicelib.people.schemas", tag="admin")
bp = routes.bp


def _hours(doc: Mapping[Any, Any] | None) -> tuple[tuple[int, str, str], ...]:
    """Working hours as the API takes them (``{"mon": [["09:00", "17:00"]]}``), checked."""
    from chalicelib.calendars.working_hours import hours_from_doc
    from chalicelib.core.errors import FieldError

    try:
        return hours_from_doc(doc or {})
    except FieldError as exc:
        raise exc.within("working_hours") from None


@routes("/v1/me", "GET", summary="The calling agent", response="AgentOut")
def me(call: Call) -> schemas.AgentOut:
    return schemas.AgentOut.of(call.principal.agent)


@routes(
    "/v1/agents",
    "POST",
    summary="Create an agent",
    body="AgentIn",
    response="AgentOut",
    status=201,
    admin=True,
)
def create_agent(call: Call) -> schemas.AgentOut:
    data: schemas.AgentIn = call.body
    agent = deps().create_agent(
        data.email,
        data.name,
        data.role,
        data.subject,
        tuple(data.teams),
        tuple(data.skills),
        data.capacity,
        data.time_zone,
        _hours(data.working_hours),
    )
    return schemas.AgentOut.of(agent)


@routes("/v1/agents", "GET", summary="List agents", query="PageQuery", response="AgentPageOut")
def list_agents(call: Call) -> schemas.AgentPageOut:
    query: schemas.PageQuery = call.query
    page = deps().list_agents(query.limit, start_key(query.cursor, "agents"))
    return schemas.AgentPageOut(
        items=[schemas.AgentOut.of(a) for a in page.items], next_cursor=next_cursor(page.next_key, "agents")
    )


@routes("/v1/agents/{agent_id}", "GET", summary="One agent", response="AgentOut")
def get_agent(call: Call, agent_id: str) -> schemas.AgentOut:
    return schemas.AgentOut.of(deps().get_agent(agent_id))


@routes(
    "/v1/agents/{agent_id}",
    "PATCH",
    summary="Update an agent (admins; agents: own availability)",
    body="AgentUpdateIn",
    response="AgentOut",
    versioned=True,
)
def update_agent(call: Call, agent_id: str) -> schemas.AgentOut:
    data: schemas.AgentUpdateIn = call.body
    changes = data.changes()
    for key in ("teams", "skills"):
        if key in changes:
            changes[key] = tuple(changes[key])
    if "working_hours" in changes:
        changes["working_hours"] = _hours(changes["working_hours"])
    return schemas.AgentOut.of(deps().update_agent_as(call.principal, agent_id, call.version or 0, changes))


@routes("/v1/teams", "POST", summary="Create a team", body="TeamIn", response="TeamOut", status=201, admin=True)
def create_team(call: Call) -> schemas.TeamOut:
    data: schemas.TeamIn = call.body
    return schemas.TeamOut.of(deps().create_team(data.name, data.description, data.parent_team_id))


@routes("/v1/teams", "GET", summary="List teams", query="PageQuery", response="TeamPageOut")
def list_teams(call: Call) -> schemas.TeamPageOut:
    query: schemas.PageQuery = call.query
    page = deps().list_teams(query.limit, start_key(query.cursor, "teams"))
    return schemas.TeamPageOut(
        items=[schemas.TeamOut.of(t) for t in page.items], next_cursor=next_cursor(page.next_key, "teams")
    )


@routes("/v1/teams/{team_id}", "GET", summary="One team", response="TeamOut")
def get_team(call: Call, team_id: str) -> schemas.TeamOut:
    return schemas.TeamOut.of(deps().get_team(team_id))


@routes(
    "/v1/teams/{team_id}",
    "PATCH",
    summary="Update a team: strategy, tiers, lead, automation days",
    body="TeamUpdateIn",
    response="TeamOut",
    admin=True,
    versioned=True,
)
def update_team(call: Call, team_id: str) -> schemas.TeamOut:
    data: schemas.TeamUpdateIn = call.body
    team = deps().update_team(team_id, call.version or 0, data.changes())
    return schemas.TeamOut.of(team)


@routes(
    "/v1/agents/{agent_id}/tokens",
    "POST",
    summary="Issue a personal API token (shown once)",
    body="TokenIn",
    response="TokenCreatedOut",
    status=201,
)
def issue_token(call: Call, agent_id: str) -> schemas.TokenCreatedOut:
    deps().check_manages_tokens(call.principal, agent_id)
    data: schemas.TokenIn = call.body
    token, secret = deps().issue_token(agent_id, data.name)
    return schemas.TokenCreatedOut(**schemas.TokenOut.of(token).model_dump(), secret=secret)


@routes("/v1/agents/{agent_id}/tokens", "GET", summary="List an agent's API tokens", response="TokenListOut")
def list_tokens(call: Call, agent_id: str) -> schemas.TokenListOut:
    deps().check_manages_tokens(call.principal, agent_id)
    return schemas.TokenListOut(items=[schemas.TokenOut.of(t) for t in deps().list_tokens(agent_id)])


@routes("/v1/agents/{agent_id}/tokens/{token_id}", "DELETE", summary="Revoke an API token", response="TokenOut")
def revoke_token(call: Call, agent_id: str, token_id: str) -> schemas.TokenOut:
    deps().check_manages_tokens(call.principal, agent_id)
    return schemas.TokenOut.of(deps().revoke_token(agent_id, token_id, call.principal.agent))
