"""The acknowledgement mail's articles: the knowledge base (``kb``) finds them and mints their "this solved
it" links; the mail channel (``mailflow``, a sibling slice that may not import ``kb``) only shows them.
Wired here, in the composition root."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from chalicelib.core import observability

if TYPE_CHECKING:
    from chalicelib.domain.tickets import Ticket
    from chalicelib.kb.parts import KbParts
    from chalicelib.mailflow.drafts import Answer

SOLVE_PATH = "/portal/kb/solve/"
# An article is offered only if it scores at least this share of the best one: a mail lists what fits the
# question, not the runners-up that share one common word with it.
RELATIVE_SCORE = 0.25


def acknowledgement_answers(
    kb: Callable[[], KbParts], portal_url: str, count: int
) -> Callable[[Ticket, str], list[Answer]]:
    """Up to ``count`` public articles for a new ticket's text, each with a new signed "this solved it" link.
    A redelivered event mints new links (the old ones expire unused); a failing search drops the articles,
    never the acknowledgement."""

    def answers(ticket: Ticket, text: str) -> list[Answer]:
        from chalicelib.domain.kb import Visibility
        from chalicelib.kb.articles import article_url
        from chalicelib.mailflow.drafts import Answer

        try:
            parts = kb()
            hits = parts.finder.for_text(text, Visibility.PUBLIC, count, "acknowledgement")
            hits = [h for h in hits if h.score >= hits[0].score * RELATIVE_SCORE]
            return [
                Answer(
                    h.title,
                    portal_url + article_url(h.locale, h.slug),
                    portal_url + SOLVE_PATH + parts.solve_links.issue(ticket, h.article_id),
                )
                for h in hits
            ]
        except Exception as exc:  # noqa: BLE001 - the acknowledgement goes out without articles
            observability.logger().error(
                "acknowledgement articles failed", extra={"ticket_id": ticket.id, "reason": repr(exc)[:1000]}
            )
            return []

    return answers
