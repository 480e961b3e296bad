"""Items of the slices built on the desk (mail, configuration, routing loads, portal access, knowledge base,
surveys, chat): the same single table and ``Item`` base as ``models`` (whose docstring lists every item and
access pattern). Defined at their first use, not with ``models``: by the code that imports them, or by the
table's discriminator when a read could meet one (``kinds``, whose ``LATER`` lists their kinds in this order).
A class here derives from ``Item`` or from another class here.
"""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
)

from chalicelib.storage.dynamodb.models import Item


class QuarantineItem(Item, discriminator="quarantine"):
    key = UnicodeAttribute()
    bucket = UnicodeAttribute(null=True)
    reason = UnicodeAttribute()
    detail = UnicodeAttribute(null=True)
    received_at = UTCDateTimeAttribute()


class SuppressionItem(Item, discriminator="suppression"):
    address = UnicodeAttribute()
    reason = UnicodeAttribute()
    until = UTCDateTimeAttribute()


class SendItem(Item, discriminator="send"):
    state = UnicodeAttribute()
    at = UTCDateTimeAttribute()
    provider_id = UnicodeAttribute(null=True)


class ConfigItem(Item, discriminator="config"):
    doc_id = UnicodeAttribute()
    body = JSONAttribute()
    version = NumberAttribute()
    updated_at = UTCDateTimeAttribute()
    updated_by = UnicodeAttribute()


class AuditItem(Item, discriminator="audit"):
    id = UnicodeAttribute()
    at = UTCDateTimeAttribute()
    actor_id = UnicodeAttribute()
    action = UnicodeAttribute()
    config_kind = UnicodeAttribute()
    target_id = UnicodeAttribute()
    before = JSONAttribute(null=True)
    after = JSONAttribute(null=True)


class LoadItem(Item, discriminator="load"):
    tickets = UnicodeSetAttribute(null=True)


class SessionItem(Item, discriminator="session"):
    customer_id = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    seen_at = UTCDateTimeAttribute()
    ends_at = UTCDateTimeAttribute()
    epoch = NumberAttribute()


class SignInItem(Item, discriminator="signin"):
    email = UnicodeAttribute()
    link_hash = UnicodeAttribute()
    code_mac = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    failures = NumberAttribute(default=0)
    used_at = UTCDateTimeAttribute(null=True)


class TicketLinkItem(Item, discriminator="ticketlink"):
    ticket_id = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    generation = NumberAttribute()


class KbArticleItem(Item, discriminator="kbarticle"):
    id = UnicodeAttribute()
    title = UnicodeAttribute()
    body = UnicodeAttribute()
    slug = UnicodeAttribute()
    locale = UnicodeAttribute()
    category = UnicodeAttribute()
    tags = ListAttribute(of=UnicodeAttribute, null=True)
    visibility = UnicodeAttribute()
    status = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    created_by = UnicodeAttribute()
    updated_at = UTCDateTimeAttribute()
    updated_by = UnicodeAttribute()
    published_at = UTCDateTimeAttribute(null=True)
    version = NumberAttribute()


class KbVersionItem(KbArticleItem, discriminator="kbversion"):
    reindex = BooleanAttribute()  # the change altered what is searchable (the index is rebuilt only then)


class KbDocItem(Item, discriminator="kbdoc"):
    slug = UnicodeAttribute()
    locale = UnicodeAttribute()
    title = UnicodeAttribute()
    tags = ListAttribute(of=UnicodeAttribute, null=True)
    text = UnicodeAttribute()
    category = UnicodeAttribute()
    visibility = UnicodeAttribute()
    version = NumberAttribute()


class KbPointerItem(Item, discriminator="kbpointer"):
    key = UnicodeAttribute()
    generation = NumberAttribute()
    covers = NumberAttribute()
    articles = NumberAttribute()
    size_bytes = NumberAttribute()
    built_at = UTCDateTimeAttribute()


class KbTokenItem(Item, discriminator="kbtoken"):
    ticket_id = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    article_id = UnicodeAttribute()
    until = UTCDateTimeAttribute()


class KbStatsItem(Item, discriminator="kbstats"):
    helpful = NumberAttribute(default=0)
    not_helpful = NumberAttribute(default=0)
    deflections = NumberAttribute(default=0)


class SurveyItem(Item, discriminator="survey"):
    """A survey (sk ``SURVEY``) or its copy in the team's (``TEAM``) or agent's (``AGENT``) listing."""

    id = UnicodeAttribute()
    ticket_id = UnicodeAttribute()
    ticket_number = NumberAttribute()
    customer_id = UnicodeAttribute()
    solved_at = UTCDateTimeAttribute()
    sent_at = UTCDateTimeAttribute()
    answerable_until = UTCDateTimeAttribute()
    channel = UnicodeAttribute()
    assignee_id = UnicodeAttribute(null=True)
    team_id = UnicodeAttribute(null=True)
    locale = UnicodeAttribute(null=True)
    rating = NumberAttribute(null=True)
    comment = UnicodeAttribute(null=True)
    reasons = ListAttribute(of=UnicodeAttribute, null=True)
    answered_at = UTCDateTimeAttribute(null=True)
    version = NumberAttribute()


class SurveyThrottleItem(Item, discriminator="survey_throttle"):
    customer_id = UnicodeAttribute()
    last_sent_at = UTCDateTimeAttribute()
    survey_id = UnicodeAttribute()


class ChatItem(Item, discriminator="chat"):
    id = UnicodeAttribute()
    ticket_id = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    state = UnicodeAttribute()
    last_activity_at = UTCDateTimeAttribute()
    secret_hash = UnicodeAttribute()
    agent_id = UnicodeAttribute(null=True)
    ring_agent_id = UnicodeAttribute(null=True)
    ring_until = UTCDateTimeAttribute(null=True)
    missed_by = ListAttribute(of=UnicodeAttribute, null=True)
    queued_at = UTCDateTimeAttribute(null=True)
    ended_at = UTCDateTimeAttribute(null=True)
    version = NumberAttribute()


class ChatEventItem(Item, discriminator="chatevent"):
    seq = NumberAttribute()
    type = UnicodeAttribute()
    at = UTCDateTimeAttribute()
    author = UnicodeAttribute()
    body = UnicodeAttribute(null=True)
    data = JSONAttribute(null=True)


class ChatConnectionItem(Item, discriminator="chatconn"):
    connection_id = UnicodeAttribute()
    side = UnicodeAttribute()
    connected_at = UTCDateTimeAttribute()
    conversation_id = UnicodeAttribute(null=True)
    agent_id = UnicodeAttribute(null=True)


class ChatGrantItem(Item, discriminator="chatgrant"):
    value = JSONAttribute(null=True)
    side = UnicodeAttribute(null=True)
    conversation_id = UnicodeAttribute(null=True)
    agent_id = UnicodeAttribute(null=True)


class PresenceItem(Item, discriminator="presence"):
    agent_id = UnicodeAttribute()
    name = UnicodeAttribute(null=True)
    seen_at = UTCDateTimeAttribute(null=True)
    capacity = NumberAttribute(null=True)
    chats = UnicodeSetAttribute(null=True)
    missed = NumberAttribute(null=True)


Item.kind.later_kinds_defined([c for c in list(globals().values()) if isinstance(c, type) and c.__module__ == __name__])
