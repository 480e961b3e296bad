"""Every key format of the table, in one place: partition keys of items, lookups, claims and counters.

Services build the claims they write with a ticket change from here (``keys.routed(ticket_id)``), the
DynamoDB repositories build item keys from here: a format is spelled once. The items themselves and the
access patterns are described in ``chalicelib/storage/dynamodb/models.py``.
"""

from __future__ import annotations

# -- items ---------------------------------------------------------------------------------------------


def ticket(ticket_id: str) -> str:
    """The partition of a ticket: its item, its timeline entries and its due items."""
    return f"TICKET#{ticket_id}"


def customer(customer_id: str) -> str:
    return f"CUSTOMER#{customer_id}"


def organization(org_id: str) -> str:
    return f"ORG#{org_id}"


def agent(agent_id: str) -> str:
    return f"AGENT#{agent_id}"


def team(team_id: str) -> str:
    return f"TEAM#{team_id}"


def api_token(token_hash: str) -> str:
    return f"APITOKEN#{token_hash}"


def tokens_of(agent_id: str) -> str:
    """The directory partition listing an agent's tokens."""
    return f"TOKENS#{agent_id}"


def webhook(webhook_id: str) -> str:
    return f"WEBHOOK#{webhook_id}"


def delivery(webhook_id: str, event_id: str) -> str:
    return f"DELIVERY#{webhook_id}#{event_id}"


def quarantine(raw_key: str) -> str:
    return f"QUARANTINE#{raw_key}"


def suppression(address: str) -> str:
    return f"SUPPRESS#{address.lower()}"


def rate(counter: str, window: int) -> str:
    return f"RATE#{counter}#{window}"


def send(key: str) -> str:
    return f"SEND#{key}"


def config(kind: str) -> str:
    return f"CONFIG#{kind}"


def audit(record_id: str) -> str:
    return f"AUDIT#{record_id}"


def load(agent_id: str) -> str:
    return f"LOAD#{agent_id}"


LOAD_PREFIX = "LOAD#"


def due(kind: str) -> str:
    """The sort key of a ticket's item in the sparse ``due`` index (in the ticket's partition)."""
    return f"DUE#{kind}"


def counter(name: str) -> str:
    return f"COUNTER#{name}"


def session(id_hash: str) -> str:
    """A portal session, by the SHA-256 of its cookie's value."""
    return f"SESSION#{id_hash}"


def session_epoch(customer_id: str) -> str:
    """A customer's session epoch: sessions of an earlier epoch are signed out ("sign out everywhere")."""
    return f"SESSIONEPOCH#{customer_id}"


def sign_in(id_hash: str) -> str:
    """A sign-in attempt, by the SHA-256 of the attempt id its browser keeps."""
    return f"SIGNIN#{id_hash}"


def ticket_link(token_hash: str) -> str:
    return f"TICKETLINK#{token_hash}"


def link_generation(ticket_id: str) -> str:
    """A ticket's link generation: links of an earlier generation are revoked."""
    return f"LINKGEN#{ticket_id}"


def kb_article(article_id: str) -> str:
    """The partition of a knowledge base article: its current version and every version before it."""
    return f"KBARTICLE#{article_id}"


def kb_version(version: int) -> str:
    """The sort key of an article's version ``version`` (zero-padded: versions sort in order)."""
    return f"V#{version:08d}"


# The partition of every published article as the search index reads it (one consistent Query).
KB_PUBLISHED = "KBPUBLISHED"
# The knowledge base's change counter (every write that changes the index) and the index pointer.
KB_STATE = "KBSTATE"


def kb_stats(article_id: str) -> str:
    """The partition of an article's daily feedback counters (sort key: the day)."""
    return f"KBSTATS#{article_id}"


def kb_listing(status: str) -> str:
    """The directory partition listing the articles with ``status``."""
    return f"KBARTICLES#{status}"


def kb_solve_token(token_hash: str) -> str:
    return f"KBSOLVE#{token_hash}"


def survey(survey_id: str) -> str:
    """A survey's partition: the survey and its copies in the team's and the agent's listings."""
    return f"SURVEY#{survey_id}"


def survey_throttle(customer_id: str) -> str:
    """When a customer was last asked for a survey (the throttle's condition reads it at commit time)."""
    return f"SURVEYED#{customer_id}"


def surveys_listed(team_id: str | None = None, agent_id: str | None = None) -> str:
    """A directory partition listing surveys by date: all of them, a team's or an agent's (at solve time)."""
    if agent_id:
        return f"SURVEYS#AGENT#{agent_id}"
    if team_id:
        return f"SURVEYS#TEAM#{team_id}"
    return "SURVEYS"


# -- chat (docs/decisions/043-chat.md) -------------------------------------------------------------------


def chat(conversation_id: str) -> str:
    """A conversation's partition: its item, its seq counter, its numbered log and its sockets."""
    return f"CHAT#{conversation_id}"


def chat_seq(seq: int) -> str:
    """The sort key of a log entry: fixed width, so a range query reads them in order."""
    return f"SEQ#{seq:010d}"


CHAT_SEQ_PREFIX = "SEQ#"
CHAT_CONN_PREFIX = "CONN#"


def chat_connection(connection_id: str) -> str:
    """A socket's own item (what $disconnect and every frame read), and the sort key of its membership items."""
    return f"{CHAT_CONN_PREFIX}{connection_id}"


def chat_agent(agent_id: str) -> str:
    """The partition of an agent's sockets."""
    return f"CHATAGENT#{agent_id}"


CHAT_PRESENCE = "CHATPRESENCE"
CHAT_QUEUE = "CHATQUEUE"


def chat_grant(token_hash: str) -> str:
    return f"CHATGRANT#{token_hash}"


def chat_ticket(ticket_id: str) -> str:
    """Lookup: a chat ticket -> its conversation (written with the ticket)."""
    return f"CHATTICKET#{ticket_id}"


def chat_client_message(conversation_id: str, client_id: str) -> str:
    """Claim: a customer's message (its client id) was written; -> its seq."""
    return f"CHATMSG#{conversation_id}#{client_id}"


def chat_missed(conversation_id: str, agent_id: str) -> str:
    """Claim: the ``chat.missed`` note of an agent who let a conversation ring out was written."""
    return f"CHATMISSED#{conversation_id}#{agent_id}"


def chat_entry(entry_id: str) -> str:
    """Claim: a timeline entry (an agent's reply through the API) is in the conversation's log; -> its seq."""
    return f"CHATENTRY#{entry_id}"


# -- lookups (unique values -> the item they belong to) -----------------------------------------------------


def ticket_number(number: int) -> str:
    return f"TICKETNO#{number}"


def identity(identity_key: str) -> str:
    return f"IDENTITY#{identity_key}"


def org_domain(domain: str) -> str:
    return f"ORGDOMAIN#{domain.lower()}"


def customers_at(domain: str) -> str:
    """The partition listing the customers with an email address at ``domain`` (sort key: customer id)."""
    return f"CUSTDOMAIN#{domain.lower()}"


def agent_email(email: str) -> str:
    return f"AGENTEMAIL#{email.strip().lower()}"


def subject(token_subject: str) -> str:
    return f"SUBJECT#{token_subject}"


def email_id(message_id: str) -> str:
    """A Message-ID (without angle brackets) -> its ticket (threading by In-Reply-To/References)."""
    return f"EMAILID#{message_id}"


def reserved_number(raw_key: str) -> str:
    """The ticket number an inbound mail was given by an attempt that failed (its retry reuses it)."""
    return f"NUMBERFOR#{raw_key}"


def kb_slug(locale: str, slug: str) -> str:
    """An article's slug is unique per locale."""
    return f"KBSLUG#{locale}#{slug}"


def rr_cursor(team_id: str) -> str:
    return f"RRCURSOR#{team_id}"


def sign_in_link(link_hash: str) -> str:
    """A sign-in link's token (its SHA-256) -> its attempt."""
    return f"SIGNINLINK#{link_hash}"


def survey_token(token_hash: str) -> str:
    """A survey link's token (its SHA-256, never the token) -> the survey id."""
    return f"SURVEYTOKEN#{token_hash}"


# -- claims (idempotency keys written with a change: a taken claim means it was made already) ----------------


def inbound(raw_key: str) -> str:
    """An inbound mail (its raw object's key) was handled."""
    return f"INBOUND#{raw_key}"


def mailprint(fingerprint: str) -> str:
    """The same mail, delivered again as another object, was handled."""
    return f"MAILPRINT#{fingerprint}"


def not_sent(event_id: str) -> str:
    """The note saying an event's mail to the customer was not sent is written once."""
    return f"NOTSENT#{event_id}"


def routed(ticket_id: str) -> str:
    return f"ROUTED#{ticket_id}"


def sla_alert(ticket_id: str, alert: str) -> str:
    """``alert`` names the metric, the cycle and the kind (``first_response#1#breach``)."""
    return f"SLAALERT#{ticket_id}#{alert}"


def trigger_fired(trigger_id: str, ticket_id: str, cause: str) -> str:
    return f"TRIGGER#{trigger_id}#{ticket_id}#{cause}"


def timer(ticket_id: str, action: str, basis: str) -> str:
    return f"TIMER#{ticket_id}#{action}#{basis}"


def portal_post(submission_id: str) -> str:
    """A portal form (a new request, a reply) was handled: a second click or a resent form writes nothing."""
    return f"PORTALPOST#{submission_id}"


def kb_vote(article_id: str, viewer: str) -> str:
    """A viewer's "was this helpful?" vote on an article counts once."""
    return f"KBVOTE#{article_id}#{viewer}"


def kb_solved(token_hash: str) -> str:
    """A "this solved it" link solves its ticket once."""
    return f"KBSOLVED#{token_hash}"


def surveyed(ticket_id: str, solve: str) -> str:
    """A solve of a ticket (``solve``: when it was solved) was asked for a survey: at most one per solve."""
    return f"SURVEYFOR#{ticket_id}#{solve}"


def agent_link(token_hash: str) -> str:
    """An agent's one-time sign-in link (single use, minutes)."""
    return f"AGENTLINK#{token_hash}"


def agent_second_factor(token_hash: str) -> str:
    """Between the link and the second factor: who is signing in."""
    return f"AGENTMFA#{token_hash}"


def agent_session(token_hash: str) -> str:
    return f"AGENTSESSION#{token_hash}"


def agent_totp(agent_id: str) -> str:
    """An agent's TOTP secret (set up at their first sign-in) and the last time step used."""
    return f"AGENTTOTP#{agent_id}"


def report_month(dimension: str, month: str) -> str:
    """The partition of a dimension's daily report items in a month (``2026-11``); sort key ``<day>#<value>``."""
    return f"REPORT#{dimension}#{month}"


def report_kept(ticket_id: str) -> str:
    """The reports consumer's replay of a ticket, kept between its events (``reports.kept``)."""
    return f"REPORTKEPT#{ticket_id}"


def report_counted(event_id: str) -> str:
    """An event's facts were added to the reports (the marker written with the additions)."""
    return f"REPORTED#{event_id}"


def kb_view(viewer: str) -> str:
    """A reader's pending probable deflection (their last article view; keyed by the viewer hash)."""
    return f"KBVIEW#{viewer}"
