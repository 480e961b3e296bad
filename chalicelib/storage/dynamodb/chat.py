"""ChatRepository on DynamoDB (items and access patterns: see models.py; the rules: chalicelib/chat)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from pynamodb.exceptions import DeleteError, UpdateError
from pynamodb.expressions.condition import size

from chalicelib.core.errors import AtCapacity, Conflict, DomainError, Duplicate, NotFound
from chalicelib.domain.chat import ChatEvent, Connection, Conversation, ConversationState, Grant, Presence, Side
from chalicelib.storage import keys
from chalicelib.storage.dynamodb import base
from chalicelib.storage.dynamodb.models import CounterItem, Item, LookupItem
from chalicelib.storage.dynamodb.slice_models import (
    ChatConnectionItem,
    ChatEventItem,
    ChatGrantItem,
    ChatItem,
    PresenceItem,
)
from chalicelib.storage.dynamodb.work import due_stamp

CONV_SK = "CONV"
COUNTER_SK = "COUNTER"
CONN_SK = "CONN"
GRANT_SK = "GRANT"
DUE_CHAT = "CHAT"
LAST_SEQ = keys.chat_seq(9_999_999_999)


class DynamoChatRepository:
    # -- conversations and their log ----------------------------------------------------------------

    def create_conversation(self, conversation: Conversation) -> None:
        from chalicelib.core.errors import AlreadyExists

        base.put_new(_conversation_item(conversation), AlreadyExists("conversation", "id", conversation.id))

    def get_conversation(self, conversation_id: str, consistent: bool = False) -> Conversation:
        item = base.get_item(
            ChatItem, keys.chat(conversation_id), CONV_SK, NotFound("conversation", conversation_id), consistent
        )
        assert item is not None
        return _conversation(item)

    def save_conversation(self, conversation: Conversation, expected_version: int, release: str | None = None) -> None:
        from pynamodb.exceptions import PutError

        changed = Conflict(f"conversation {conversation.id} was changed by someone else")
        if release is not None:
            with base.transaction(lambda position: changed) as txn:
                txn.save(_conversation_item(conversation), condition=ChatItem.version == expected_version)
                txn.update(
                    PresenceItem(keys.CHAT_PRESENCE, keys.agent(release)),
                    actions=[PresenceItem.chats.delete({conversation.id})],
                )
            return
        try:
            _conversation_item(conversation).save(condition=ChatItem.version == expected_version)
        except PutError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                raise changed from exc
            raise

    def conversation_for_ticket(self, ticket_id: str) -> str | None:
        return base.lookup(keys.chat_ticket(ticket_id))

    def next_seq(self, conversation_id: str) -> int:
        item = CounterItem(keys.chat(conversation_id), COUNTER_SK)
        item.update(actions=[CounterItem.value.add(1)])
        return int(item.value)

    def append(self, conversation_id: str, event: ChatEvent, claim: str | None = None) -> bool:
        if claim is None:
            self.put_event(conversation_id, event)
            return True

        def error(position: int) -> DomainError:
            return Duplicate(claim or "")

        try:
            with base.transaction(error) as txn:
                txn.save(base.lookup_item(claim, str(event.seq)), condition=Item.pk.does_not_exist())
                txn.save(_event_item(conversation_id, event))
        except Duplicate:
            return False
        return True

    def put_event(self, conversation_id: str, event: ChatEvent) -> None:
        _event_item(conversation_id, event).save()

    def claimed(self, key: str) -> int | None:
        found = base.lookup(key)
        return int(found) if found is not None else None

    def events_since(self, conversation_id: str, since: int, limit: int) -> list[ChatEvent]:
        results = ChatEventItem.query(
            keys.chat(conversation_id),
            ChatEventItem.sk.between(keys.chat_seq(since + 1), LAST_SEQ),
            limit=limit,
            page_size=limit,
        )
        return [_event(item) for item in results]

    def due_conversations(self, now: datetime, limit: int) -> list[str]:
        results = Item.idx_due.query(  # type: ignore[attr-defined]
            DUE_CHAT, Item.due_at <= due_stamp(now), limit=limit, page_size=limit
        )
        return [item.id for item in results if isinstance(item, ChatItem)]

    # -- the waiting line ---------------------------------------------------------------------------

    def enqueue(self, conversation_id: str, at: datetime) -> None:
        LookupItem(keys.CHAT_QUEUE, _queue_sk(conversation_id, at), target_id=conversation_id).save()

    def dequeue(self, conversation_id: str, at: datetime) -> None:
        LookupItem(keys.CHAT_QUEUE, _queue_sk(conversation_id, at)).delete()

    def queued(self, limit: int) -> list[str]:
        return [item.target_id for item in LookupItem.query(keys.CHAT_QUEUE, limit=limit, page_size=limit)]

    # -- sockets --------------------------------------------------------------------------------------

    def put_connection(self, connection: Connection) -> None:
        with base.transaction(lambda position: Conflict("connection")) as txn:
            txn.save(_connection_item(connection, keys.chat_connection(connection.id), CONN_SK))
            txn.save(_connection_item(connection, _member_pk(connection), keys.chat_connection(connection.id)))

    def get_connection(self, connection_id: str, now: datetime) -> Connection | None:
        item = base.get_item(ChatConnectionItem, keys.chat_connection(connection_id), CONN_SK, None)
        if item is None or _expired(item.expires_at, now):
            return None
        return _connection(item)

    def delete_connection(self, connection: Connection) -> None:
        with base.transaction(lambda position: Conflict("connection")) as txn:
            txn.delete(ChatConnectionItem(keys.chat_connection(connection.id), CONN_SK))
            txn.delete(ChatConnectionItem(_member_pk(connection), keys.chat_connection(connection.id)))

    def conversation_connections(self, conversation_id: str, now: datetime) -> list[str]:
        return self._members(keys.chat(conversation_id), now)

    def agent_connections(self, agent_id: str, now: datetime) -> list[str]:
        return self._members(keys.chat_agent(agent_id), now)

    @staticmethod
    def _members(pk: str, now: datetime) -> list[str]:
        results = ChatConnectionItem.query(pk, ChatConnectionItem.sk.startswith(keys.CHAT_CONN_PREFIX))
        return [item.connection_id for item in results if not _expired(item.expires_at, now)]

    def hit(self, counter: str, window_seconds: int, now: datetime) -> int:
        window = int(now.timestamp()) // window_seconds
        item = CounterItem(keys.rate(counter, window), COUNTER_SK)
        expires = datetime.fromtimestamp((window + 2) * window_seconds, UTC)
        item.update(actions=[CounterItem.value.add(1), CounterItem.expires_at.set(expires)])
        return int(item.value)

    # -- connect tokens -------------------------------------------------------------------------------

    def put_grant(self, token_hash: str, grant: Grant) -> None:
        ChatGrantItem(
            keys.chat_grant(token_hash),
            GRANT_SK,
            side=str(grant.side),
            conversation_id=grant.conversation_id,
            agent_id=grant.agent_id,
            expires_at=grant.expires_at,
        ).save()

    def take_grant(self, token_hash: str, now: datetime) -> Grant | None:
        taken = _take(keys.chat_grant(token_hash))
        if taken is None or _expired(taken.expires_at, now) or not taken.side:
            return None
        return Grant(Side(taken.side), taken.expires_at, taken.conversation_id, taken.agent_id)

    # -- agents' web sign-in ----------------------------------------------------------------------------

    def put_secret(self, key: str, value: dict[str, Any], expires_at: datetime | None) -> None:
        ChatGrantItem(key, GRANT_SK, value=value, expires_at=expires_at).save()

    def get_secret(self, key: str, now: datetime) -> dict[str, Any] | None:
        item = base.get_item(ChatGrantItem, key, GRANT_SK, None, consistent=True)
        if item is None or _expired(item.expires_at, now):
            return None
        return dict(item.value or {})

    def take_secret(self, key: str, now: datetime) -> dict[str, Any] | None:
        taken = _take(key)
        if taken is None or _expired(taken.expires_at, now):
            return None
        return dict(taken.value or {})

    def delete_secret(self, key: str) -> None:
        ChatGrantItem(key, GRANT_SK).delete()

    # -- presence and capacity ----------------------------------------------------------------------------

    def heartbeat(self, agent_id: str, name: str, capacity: int, now: datetime) -> None:
        PresenceItem(keys.CHAT_PRESENCE, keys.agent(agent_id)).update(
            actions=[
                PresenceItem.kind.set(PresenceItem),
                PresenceItem.agent_id.set(agent_id),
                PresenceItem.name.set(name),
                PresenceItem.capacity.set(capacity),
                PresenceItem.seen_at.set(now),
            ]
        )

    def leave(self, agent_id: str) -> None:
        PresenceItem(keys.CHAT_PRESENCE, keys.agent(agent_id)).update(
            actions=[
                PresenceItem.kind.set(PresenceItem),
                PresenceItem.agent_id.set(agent_id),
                PresenceItem.seen_at.remove(),
            ]
        )

    def presences(self) -> list[Presence]:
        return [_presence(item) for item in PresenceItem.query(keys.CHAT_PRESENCE)]

    def reserve(self, agent_id: str, conversation_id: str, fresh_since: datetime) -> None:
        fresh = PresenceItem.seen_at >= fresh_since
        room = PresenceItem.chats.does_not_exist() | (size(PresenceItem.chats) < PresenceItem.capacity)  # type: ignore[no-untyped-call]
        try:
            PresenceItem(keys.CHAT_PRESENCE, keys.agent(agent_id)).update(
                actions=[PresenceItem.chats.add({conversation_id})],
                condition=fresh & (PresenceItem.capacity > 0) & room,
            )
        except UpdateError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                raise AtCapacity(agent_id) from exc
            raise

    def release(self, agent_id: str, conversation_id: str) -> bool:
        # Both conditions in one transaction: a hold another writer now relies on (the same agent's ringing or
        # active chat, its reservation shared by the idempotent ADD) is never dropped by one that lost a race.
        held_by_agent = ((ChatItem.state == str(ConversationState.RINGING)) & (ChatItem.ring_agent_id == agent_id)) | (
            (ChatItem.state == str(ConversationState.ACTIVE)) & (ChatItem.agent_id == agent_id)
        )
        try:
            with base.transaction(lambda position: Conflict("not released")) as txn:
                txn.update(
                    PresenceItem(keys.CHAT_PRESENCE, keys.agent(agent_id)),
                    actions=[PresenceItem.chats.delete({conversation_id})],
                    condition=PresenceItem.chats.contains(conversation_id),
                )
                txn.condition_check(ChatItem, keys.chat(conversation_id), CONV_SK, condition=~held_by_agent)
        except Conflict:
            return False
        return True

    def count_missed(self, agent_id: str) -> None:
        PresenceItem(keys.CHAT_PRESENCE, keys.agent(agent_id)).update(
            actions=[
                PresenceItem.kind.set(PresenceItem),
                PresenceItem.agent_id.set(agent_id),
                PresenceItem.missed.add(1),
            ]
        )


def _take(pk: str) -> ChatGrantItem | None:
    """Delete the item and return what it held, in one request (single use)."""
    connection = ChatGrantItem._get_connection()
    try:
        old = connection.delete_item(pk, GRANT_SK, condition=Item.pk.exists(), return_values="ALL_OLD")
    except DeleteError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return None
        raise
    image = (old or {}).get("Attributes") or {}
    return ChatGrantItem.from_raw_data(image) if image else None


def _expired(expires_at: datetime | None, now: datetime) -> bool:
    return expires_at is not None and expires_at <= now


def _parse_due(value: str | None) -> datetime | None:
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC) if value else None


def _queue_sk(conversation_id: str, at: datetime) -> str:
    return f"{due_stamp(at)}#{conversation_id}"


def _member_pk(connection: Connection) -> str:
    if connection.side is Side.AGENT:
        return keys.chat_agent(connection.agent_id or "")
    return keys.chat(connection.conversation_id or "")


def _conversation_item(c: Conversation) -> ChatItem:
    return ChatItem(
        keys.chat(c.id),
        CONV_SK,
        id=c.id,
        ticket_id=c.ticket_id,
        customer_id=c.customer_id,
        created_at=c.created_at,
        state=str(c.state),
        last_activity_at=c.last_activity_at,
        secret_hash=c.secret_hash,
        agent_id=c.agent_id,
        ring_agent_id=c.ring_agent_id,
        ring_until=c.ring_until,
        missed_by=list(c.missed_by) or None,
        queued_at=c.queued_at,
        ended_at=c.ended_at,
        version=c.version,
        due_key=DUE_CHAT if c.due_at else None,
        due_at=due_stamp(c.due_at) if c.due_at else None,
    )


def _conversation(item: ChatItem) -> Conversation:
    return Conversation(
        id=item.id,
        ticket_id=item.ticket_id,
        customer_id=item.customer_id,
        created_at=item.created_at,
        state=ConversationState(item.state),
        last_activity_at=item.last_activity_at,
        secret_hash=item.secret_hash,
        agent_id=item.agent_id,
        ring_agent_id=item.ring_agent_id,
        ring_until=item.ring_until,
        missed_by=tuple(str(a) for a in item.missed_by or ()),
        queued_at=item.queued_at,
        ended_at=item.ended_at,
        due_at=_parse_due(item.due_at),
        version=int(item.version),
    )


def _event_item(conversation_id: str, event: ChatEvent) -> ChatEventItem:
    return ChatEventItem(
        keys.chat(conversation_id),
        keys.chat_seq(event.seq),
        seq=event.seq,
        type=event.type,
        at=event.at,
        author=str(event.author),
        body=event.body or None,
        data=event.data or None,
    )


def _event(item: ChatEventItem) -> ChatEvent:
    return ChatEvent(int(item.seq), item.type, item.at, Side(item.author), item.body or "", dict(item.data or {}))


def _connection_item(c: Connection, pk: str, sk: str) -> ChatConnectionItem:
    return ChatConnectionItem(
        pk,
        sk,
        connection_id=c.id,
        side=str(c.side),
        connected_at=c.connected_at,
        conversation_id=c.conversation_id,
        agent_id=c.agent_id,
        expires_at=c.expires_at,
    )


def _connection(item: ChatConnectionItem) -> Connection:
    expires = item.expires_at or (item.connected_at + timedelta(hours=3))
    return Connection(
        item.connection_id, Side(item.side), item.connected_at, expires, item.conversation_id, item.agent_id
    )


def _presence(item: PresenceItem) -> Presence:
    return Presence(
        agent_id=item.agent_id,
        name=item.name or "",
        seen_at=item.seen_at or datetime.fromtimestamp(0, UTC),
        capacity=int(item.capacity or 0),
        chats=frozenset(item.chats or ()),
        missed=int(item.missed or 0),
    )
