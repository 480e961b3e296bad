"""DirectoryRepository on DynamoDB: agents, teams, API tokens, webhooks and delivery records."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pynamodb.exceptions import PutError

from chalicelib.core.errors import AlreadyExists, Conflict, DomainError, NotFound
from chalicelib.domain.people import Agent, ApiToken, Team, Webhook
from chalicelib.domain.views import Page
from chalicelib.storage import keys
from chalicelib.storage.dynamodb import base
from chalicelib.storage.dynamodb.mapping import (
    agent_to_item,
    item_to_agent,
    item_to_team,
    item_to_token,
    item_to_webhook,
    team_to_item,
    token_to_item,
    webhook_to_item,
)
from chalicelib.storage.dynamodb.models import (
    AgentItem,
    DeliveryItem,
    Item,
    LookupItem,
    TeamItem,
    TokenItem,
    WebhookItem,
)


class DynamoDirectoryRepository:
    def create_agent(self, agent: Agent) -> None:
        def error(position: int) -> DomainError:
            if position == 1:
                return AlreadyExists("agent", "email", agent.email)
            if position == 2:
                return AlreadyExists("agent", "subject", agent.subject)
            return Conflict(f"agent {agent.id} already exists")

        with base.transaction(error) as txn:
            txn.save(agent_to_item(agent), condition=Item.pk.does_not_exist())
            txn.save(base.lookup_item(keys.agent_email(agent.email), agent.id), condition=Item.pk.does_not_exist())
            txn.save(base.lookup_item(keys.subject(agent.subject), agent.id), condition=Item.pk.does_not_exist())

    def get_agent(self, agent_id: str, consistent: bool = False) -> Agent:
        item = base.get_item(AgentItem, keys.agent(agent_id), "AGENT", NotFound("agent", agent_id), consistent)
        assert item is not None
        return item_to_agent(item)

    def agent_id_for_subject(self, subject: str) -> str | None:
        return base.lookup(keys.subject(subject))

    def find_agent_by_subject(self, subject: str) -> Agent | None:
        agent_id = base.lookup(keys.subject(subject))
        return self.get_agent(agent_id) if agent_id else None

    def find_agent_by_email(self, email: str) -> Agent | None:
        agent_id = base.lookup(keys.agent_email(email))
        return self.get_agent(agent_id) if agent_id else None

    def update_agent(self, agent: Agent, expected_version: int) -> None:
        before = self.get_agent(agent.id)

        # pynamodb sends deletes before puts: with an email change the agent is the second item.
        agent_position = 1 if agent.email != before.email else 0

        def error(position: int) -> DomainError:
            if position == agent_position:
                return Conflict(f"agent {agent.id} was changed by someone else")
            return AlreadyExists("agent", "email", agent.email)

        with base.transaction(error) as txn:
            txn.save(agent_to_item(agent), condition=AgentItem.version == expected_version)
            if agent.email != before.email:
                txn.save(
                    base.lookup_item(keys.agent_email(agent.email), agent.id),
                    condition=Item.pk.does_not_exist(),
                )
                txn.delete(LookupItem(keys.agent_email(before.email), base.LOOKUP_SK))

    def list_agents(self, limit: int, start: dict[str, str] | None = None) -> Page[Agent]:
        return base.directory("AGENTS", limit, start, item_to_agent)

    def create_team(self, team: Team) -> None:
        base.put_new(team_to_item(team), Conflict(f"team {team.id} already exists"))

    def get_team(self, team_id: str) -> Team:
        item = base.get_item(TeamItem, keys.team(team_id), "TEAM", NotFound("team", team_id))
        assert item is not None
        return item_to_team(item)

    def update_team(self, team: Team, expected_version: int) -> None:
        try:
            team_to_item(team).save(condition=TeamItem.version == expected_version)
        except PutError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                raise Conflict(f"team {team.id} was changed by someone else") from exc
            raise

    def list_teams(self, limit: int, start: dict[str, str] | None = None) -> Page[Team]:
        return base.directory("TEAMS", limit, start, item_to_team)

    def create_token(self, token: ApiToken) -> None:
        base.put_new(token_to_item(token), Conflict("token already exists"))

    def find_token(self, token_hash: str, consistent: bool = False) -> ApiToken | None:
        item = base.get_item(TokenItem, keys.api_token(token_hash), "TOKEN", None, consistent)
        return item_to_token(item) if item else None

    def revoke_token(self, token: ApiToken) -> None:
        token_to_item(token).save()

    def list_tokens(self, agent_id: str) -> list[ApiToken]:
        return base.directory(keys.tokens_of(agent_id), 100, None, item_to_token).items

    def create_webhook(self, webhook: Webhook) -> None:
        base.put_new(webhook_to_item(webhook), Conflict(f"webhook {webhook.id} already exists"))

    def get_webhook(self, webhook_id: str) -> Webhook:
        item = base.get_item(WebhookItem, keys.webhook(webhook_id), "WEBHOOK", NotFound("webhook", webhook_id))
        assert item is not None
        return item_to_webhook(item)

    def delete_webhook(self, webhook_id: str) -> None:
        WebhookItem(keys.webhook(webhook_id), "WEBHOOK").delete()

    def list_webhooks(self) -> list[Webhook]:
        return base.directory("WEBHOOKS", 100, None, item_to_webhook).items

    def was_delivered(self, webhook_id: str, event_id: str) -> bool:
        item = base.get_item(DeliveryItem, keys.delivery(webhook_id, event_id), "DELIVERY", None)
        # TTL deletion is lazy: an expired record counts as gone.
        return item is not None and (item.expires_at is None or item.expires_at > datetime.now(UTC))

    def mark_delivered(self, webhook_id: str, event_id: str, ttl_seconds: int) -> None:
        now = datetime.now(UTC)
        DeliveryItem(
            keys.delivery(webhook_id, event_id),
            "DELIVERY",
            delivered_at=now,
            expires_at=now + timedelta(seconds=ttl_seconds),
        ).save()
