"""Agent API: the caller, agents, teams, personal API tokens and webhooks."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint  # type: ignore[attr-defined]

from chalicelib.bootstrap import services
from chalicelib.core import signing
from chalicelib.core.errors import Forbidden
from chalicelib.core.lazy import lazy_module
from chalicelib.domain.people import Role
from chalicelib.http.framework import Call, Result, endpoint
from chalicelib.http.paging import next_cursor, start_key

if TYPE_CHECKING:
    from chalicelib.config import schemas as desk_schemas
    from chalicelib.http import schemas
else:
    schemas = lazy_module("chalicelib.http.schemas")

bp = Blueprint(__name__)
TAG = "admin"
# What an agent may change on their own record without the admin role.
SELF_SERVICE_FIELDS = {"name", "availability", "time_zone", "working_hours"}


def _hours(doc: dict[str, list[list[str]]] | None) -> tuple[tuple[int, str, str], ...]:
    """Working hours as the API takes them (``{"mon": [["09:00", "17:00"]]}``), checked."""
    from chalicelib.core.errors import InvalidInput
    from chalicelib.routing.assignment import hours_from_doc

    try:
        return hours_from_doc(doc or {})
    except ValueError as exc:
        raise InvalidInput(str(exc), "working_hours") from None


@endpoint(bp, "/v1/me", "GET", summary="The calling agent", tag=TAG, response="AgentOut")
def me(call: Call) -> schemas.AgentOut:
    return schemas.AgentOut.of(call.principal.agent)


@endpoint(
    bp,
    "/v1/agents",
    "POST",
    summary="Create an agent",
    tag=TAG,
    body="AgentIn",
    response="AgentOut",
    status=201,
    admin=True,
)
def create_agent(call: Call) -> schemas.AgentOut:
    data: schemas.AgentIn = call.body
    agent = services().directory.create_agent(
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


@endpoint(bp, "/v1/agents", "GET", summary="List agents", tag=TAG, query="PageQuery", response="AgentPageOut")
def list_agents(call: Call) -> schemas.AgentPageOut:
    query: schemas.PageQuery = call.query
    page = services().directory.list_agents(query.limit, start_key(query.cursor, "agents"))
    return schemas.AgentPageOut(
        items=[schemas.AgentOut.of(a) for a in page.items], next_cursor=next_cursor(page.next_key, "agents")
    )


@endpoint(bp, "/v1/agents/{agent_id}", "GET", summary="One agent", tag=TAG, response="AgentOut")
def get_agent(call: Call, agent_id: str) -> schemas.AgentOut:
    return schemas.AgentOut.of(services().directory.get_agent(agent_id))


@endpoint(
    bp,
    "/v1/agents/{agent_id}",
    "PATCH",
    summary="Update an agent (admins; agents: own availability)",
    tag=TAG,
    body="AgentUpdateIn",
    response="AgentOut",
)
def update_agent(call: Call, agent_id: str) -> schemas.AgentOut:
    data: schemas.AgentUpdateIn = call.body
    changes = data.changes()
    if not call.principal.is_admin and (agent_id != call.principal.agent.id or set(changes) - SELF_SERVICE_FIELDS):
        raise Forbidden("agents may change only their own name, availability and time zone")
    for key in ("teams", "skills"):
        if key in changes:
            changes[key] = tuple(changes[key])
    if "working_hours" in changes:
        changes["working_hours"] = _hours(changes["working_hours"])
    return schemas.AgentOut.of(services().directory.update_agent(agent_id, data.version, changes))


@endpoint(
    bp, "/v1/teams", "POST", summary="Create a team", tag=TAG, body="TeamIn", response="TeamOut", status=201, admin=True
)
def create_team(call: Call) -> schemas.TeamOut:
    data: schemas.TeamIn = call.body
    return schemas.TeamOut.of(services().directory.create_team(data.name, data.description, data.parent_team_id))


@endpoint(bp, "/v1/teams", "GET", summary="List teams", tag=TAG, query="PageQuery", response="TeamPageOut")
def list_teams(call: Call) -> schemas.TeamPageOut:
    query: schemas.PageQuery = call.query
    page = services().directory.list_teams(query.limit, start_key(query.cursor, "teams"))
    return schemas.TeamPageOut(
        items=[schemas.TeamOut.of(t) for t in page.items], next_cursor=next_cursor(page.next_key, "teams")
    )


@endpoint(bp, "/v1/teams/{team_id}", "GET", summary="One team", tag=TAG, response="TeamOut")
def get_team(call: Call, team_id: str) -> schemas.TeamOut:
    return schemas.TeamOut.of(services().directory.get_team(team_id))


@endpoint(
    bp,
    "/v1/teams/{team_id}",
    "PATCH",
    summary="Update a team: strategy, tiers, lead, automation days",
    tag=TAG,
    body="desk_schemas.TeamUpdateIn",
    response="TeamOut",
    admin=True,
)
def update_team(call: Call, team_id: str) -> schemas.TeamOut:
    data: desk_schemas.TeamUpdateIn = call.body
    team = services().directory.update_team(team_id, data.version, data.changes())
    return schemas.TeamOut.of(team)


def _own_or_admin(call: Call, agent_id: str) -> None:
    if agent_id != call.principal.agent.id and call.principal.agent.role is not Role.ADMIN:
        raise Forbidden("only admins manage other agents' tokens")


@endpoint(
    bp,
    "/v1/agents/{agent_id}/tokens",
    "POST",
    summary="Issue a personal API token (shown once)",
    tag=TAG,
    body="TokenIn",
    response="TokenCreatedOut",
    status=201,
)
def issue_token(call: Call, agent_id: str) -> schemas.TokenCreatedOut:
    _own_or_admin(call, agent_id)
    data: schemas.TokenIn = call.body
    token, secret = services().directory.issue_token(agent_id, data.name)
    return schemas.TokenCreatedOut(**schemas.TokenOut.of(token).model_dump(), secret=secret)


@endpoint(
    bp, "/v1/agents/{agent_id}/tokens", "GET", summary="List an agent's API tokens", tag=TAG, response="TokenListOut"
)
def list_tokens(call: Call, agent_id: str) -> schemas.TokenListOut:
    _own_or_admin(call, agent_id)
    return schemas.TokenListOut(items=[schemas.TokenOut.of(t) for t in services().directory.list_tokens(agent_id)])


@endpoint(
    bp, "/v1/agents/{agent_id}/tokens/{token_id}", "DELETE", summary="Revoke an API token", tag=TAG, response="TokenOut"
)
def revoke_token(call: Call, agent_id: str, token_id: str) -> schemas.TokenOut:
    _own_or_admin(call, agent_id)
    return schemas.TokenOut.of(services().directory.revoke_token(agent_id, token_id, call.principal.agent))


@endpoint(
    bp,
    "/v1/webhooks",
    "POST",
    summary="Subscribe a URL to ticket events (secret shown once)",
    tag=TAG,
    body="WebhookIn",
    response="WebhookCreatedOut",
    status=201,
    admin=True,
)
def create_webhook(call: Call) -> schemas.WebhookCreatedOut:
    data: schemas.WebhookIn = call.body
    webhook = services().directory.create_webhook(data.url, data.events, call.principal.agent.id)
    secret = signing.webhook_secret(signing.signing_key(), webhook.id)
    return schemas.WebhookCreatedOut(**schemas.WebhookOut.of(webhook).model_dump(), secret=secret)


@endpoint(bp, "/v1/webhooks", "GET", summary="List webhooks", tag=TAG, response="WebhookListOut", admin=True)
def list_webhooks(call: Call) -> schemas.WebhookListOut:
    return schemas.WebhookListOut(items=[schemas.WebhookOut.of(w) for w in services().directory.list_webhooks()])


@endpoint(bp, "/v1/webhooks/{webhook_id}", "DELETE", summary="Delete a webhook", tag=TAG, status=204, admin=True)
def delete_webhook(call: Call, webhook_id: str) -> Result:
    services().directory.delete_webhook(webhook_id)
    return Result(None, 204)
