"""One ticket's page, for a signed-in customer (``/portal/tickets/<n>``) and through a ticket link
(``/portal/t/<token>``): the conversation, its files, the reply form with its upload box, solve and reopen.

Both places share this module; a ``Place`` says where the page lives, who writes from it and what its uploads
are bound to. Only public messages are shown, as text (autoescaped; mail HTML is never rendered here).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from chalicelib.core.errors import NotFound
from chalicelib.core.ids import new_id
from chalicelib.portal import rules
from chalicelib.portal.pages import Visitor, deps, render, site_url

if TYPE_CHECKING:
    from chalice import Response  # type: ignore[attr-defined]

    from chalicelib.domain.people import Customer
    from chalicelib.portal.service import Opened
    from chalicelib.portal.uploads import FileRef
    from chalicelib.storage.uploads import UploadForm
    from chalicelib.web.views import PageRequest

DONE = "/portal/uploads/done"


@dataclass(frozen=True)
class Place:
    base: str  # the page's path; its forms post to base + "/reply", "/solve", ...
    customer: Customer  # who writes from this page
    binding: str  # what uploads made on this page are bound to
    by_link: bool = False


@dataclass(frozen=True)
class Draft:
    """What the customer typed and attached so far (shown again after an upload or a refused form)."""

    text: str = ""
    files: tuple[FileRef, ...] = ()
    errors: dict[str, str] | None = None


def file_refs(request: PageRequest) -> list[str]:
    params = request.request.query_params
    if not params or "file" not in params:
        return []
    return [str(v) for v in params.getlist("file")]


def attached(request: PageRequest, binding: str) -> tuple[list[FileRef], dict[str, str]]:
    """The files the page's address carries (after uploads), or the problem with them."""
    from chalicelib.portal.forms import localized
    from chalicelib.web.forms import FormError

    try:
        return deps().uploads.files(binding, file_refs(request)), {}
    except FormError as error:
        return [], localized(error, request.locale)


def upload_box(request: PageRequest, binding: str, base: str, files: list[FileRef] | tuple[FileRef, ...]) -> UploadForm:
    """The presigned form of the page's upload box; S3 brings the browser back here with the file added."""
    back = base + "".join(f"{'&' if n else '?'}file={quote(f.ref, safe='')}" for n, f in enumerate(files))
    return deps().uploads.form(binding, site_url(request) + DONE, back)


def ticket_page(
    request: PageRequest, who: Visitor | None, opened: Opened, place: Place, draft: Draft | None = None
) -> Response:
    draft = draft or Draft()
    if draft.errors is None and not draft.files:
        files, errors = attached(request, place.binding)
        draft = Draft(draft.text, tuple(files), errors)
    ticket = opened.ticket
    form = upload_box(request, place.binding, place.base, draft.files) if rules.can_reply(ticket) else None
    context: dict[str, Any] = {
        "ticket": ticket,
        "status_word": rules.customer_status(ticket.status),
        "conversation": [_message(e, place.customer.id, opened) for e in opened.messages],
        "names": deps().portal.names([e for e in opened.messages if e.author.id != place.customer.id]),
        "merged_into": opened.merged_into,
        "can_reply": rules.can_reply(ticket),
        "can_close": rules.can_close(ticket),
        "can_reopen": rules.can_reopen(ticket) and not place.by_link,
        "base": place.base,
        "by_link": place.by_link,
        "upload": form,
        "draft": draft,
        "errors": draft.errors or {},
        "submission": new_id(),
    }
    status = 400 if draft.errors else 200
    origins = (form.origin,) if form else ()
    return render(request, "portal/ticket.html", context, who, status=status, form_origins=origins)


def _message(entry: Any, viewer_id: str, opened: Opened) -> dict[str, Any]:
    from chalicelib.domain.timeline import ActorKind

    files = [
        {"index": n, "name": a.get("filename") or "attachment", "size": int(a.get("size") or 0)}
        for n, a in enumerate(entry.data.get("attachments") or [])
        if isinstance(a, dict) and a.get("key") and not a.get("skipped")
    ]
    customer = entry.author.kind is ActorKind.CUSTOMER
    return {
        "id": entry.id,
        "at": entry.at,
        "text": (entry.body_text or "").strip(),
        "mine": customer and entry.author.id == viewer_id,
        "from_desk": not customer,
        "author_id": entry.author.id if customer else None,
        "files": files,
    }


def download(opened: Opened, entry_id: str, index: str) -> str:
    """The presigned URL of a file of a public message of the ticket; anything else is not found."""
    entry = next((e for e in opened.messages if e.id == entry_id), None)
    stored = (entry.data.get("attachments") or []) if entry else []
    if not index.isdigit() or int(index) >= len(stored):
        raise NotFound("file", f"{entry_id}/{index}")
    attachment = stored[int(index)]
    if not isinstance(attachment, dict) or not attachment.get("key") or attachment.get("skipped"):
        raise NotFound("file", f"{entry_id}/{index}")
    return deps().uploads.download_url(attachment)
