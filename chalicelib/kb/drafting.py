"""'Draft an article from this ticket': the public conversation (no internal notes) copied into a draft,
with email addresses and phone numbers replaced by placeholders. An agent edits it; an admin publishes it.
"""

from __future__ import annotations

from chalicelib.domain.kb import ArticleStatus, Visibility
from chalicelib.domain.tickets import Ticket
from chalicelib.domain.timeline import EntryKind, TimelineEntry
from chalicelib.kb.redact import redact
from chalicelib.kb.service import NewArticle

DRAFTED_TAG = "from-ticket"


def draft_from_ticket(ticket: Ticket, timeline: list[TimelineEntry], locale: str = "en") -> NewArticle:
    messages = [e for e in timeline if e.kind is EntryKind.MESSAGE and (e.body_text or "").strip()]
    sections = [f"## {_speaker(e)}\n\n{redact((e.body_text or '').strip())}" for e in messages]
    intro = f"_Drafted from ticket #{ticket.number}. Rewrite it as an answer before publishing._"
    return NewArticle(
        title=redact(ticket.subject)[:200] or f"Ticket {ticket.number}",
        body="\n\n".join([intro, *sections]),
        locale=locale,
        tags=(*ticket.tags, DRAFTED_TAG),
        visibility=Visibility.PUBLIC,
        status=ArticleStatus.DRAFT,
    )


def _speaker(entry: TimelineEntry) -> str:
    return "Question" if entry.author.is_customer else "Answer"
