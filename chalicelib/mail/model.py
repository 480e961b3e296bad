"""What the mail pipeline produces: immutable values, no behaviour beyond header look-up."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Address:
    name: str
    email: str


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    size: int
    inline: bool
    content_id: str | None
    data: bytes = field(repr=False)


@dataclass(frozen=True)
class Bounce:
    """A delivery failure report: which recipients failed, and whether retrying could help."""

    permanent: bool
    recipients: tuple[str, ...]
    status: str | None  # RFC 3463 enhanced status code (``5.1.1``) when the report gives one


@dataclass(frozen=True)
class Classification:
    auto_reply: bool = False
    bulk: bool = False
    complaint: bool = False
    spam: bool = False
    virus: bool = False
    bounce: Bounce | None = None
    # Bulk mail that is a post to a mailing list (List-Id with List-Post): it may be a real question.
    # Other bulk mail (Precedence: bulk, List-Unsubscribe without List-Post) is a newsletter: noise.
    list_post: bool = False

    @property
    def newsletter(self) -> bool:
        return self.bulk and not self.list_post

    @property
    def automatic(self) -> bool:
        """Mail that no person wrote: never answer it automatically (loop and backscatter protection)."""
        return self.auto_reply or self.bulk or self.complaint or self.bounce is not None


@dataclass(frozen=True)
class ParsedMail:
    """One inbound message. ``raw`` is the full original, kept beside everything derived from it."""

    from_: Address | None
    to: tuple[Address, ...]
    cc: tuple[Address, ...]
    reply_to: tuple[Address, ...]
    subject: str
    date: datetime | None
    message_id: str | None  # without angle brackets
    in_reply_to: str | None
    references: tuple[str, ...]
    text: str  # the text body (from the HTML body when the mail has no text part)
    html: str | None  # sanitised for display
    visible_text: str  # the reply without quoted history and signature
    visible_html: str | None  # sanitised HTML of the reply without quoted history
    attachments: tuple[Attachment, ...]
    defects: tuple[str, ...]
    auto_submitted: str | None
    list_id: str | None
    return_path: str | None  # "" for the null reverse path ``<>``
    headers: tuple[tuple[str, str], ...] = field(repr=False)
    raw: bytes = field(repr=False)

    def header(self, name: str) -> str | None:
        """The first value of a header (case-insensitive), decoded; None when absent."""
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)

    def header_all(self, name: str) -> tuple[str, ...]:
        wanted = name.lower()
        return tuple(value for key, value in self.headers if key.lower() == wanted)
