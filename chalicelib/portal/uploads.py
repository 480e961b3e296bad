"""Customer files: straight from the browser to S3 (presigned POST), checked, then kept with their message.

1. A page with an upload box asks ``form()``: a presigned POST for one file under ``uploads/<nonce>/`` (1 byte to
   the size limit), whose ``success_action_redirect`` comes back to ``/portal/uploads/done`` with a signed note of
   who asked (the session or ticket link: the *binding*) and which page to return to.
2. ``received()`` checks what S3 stored: under that nonce, an allowed type (by its name's extension; the type is
   ours, never the browser's), within the size limit; else the object is deleted. The page gets back a signed
   file reference, which its form carries (no JavaScript needed, nothing stored yet).
3. When the form is sent, ``files()`` accepts only references signed for the same binding and ``keep()`` copies
   each file under ``attachments/portal/`` with our type and ``Content-Disposition: attachment``.

Downloads are presigned GETs that S3 answers as attachments with a safe type: uploaded HTML is never shown
inline. Pending uploads expire by the bucket's lifecycle rule.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chalicelib.core.clock import Clock, utcnow
from chalicelib.core.resources import PORTAL_ATTACHMENT_PREFIX, UPLOAD_PREFIX
from chalicelib.web.forms import FormError, problem
from chalicelib.web.i18n import N_

if TYPE_CHECKING:
    from chalicelib.storage.uploads import UploadForm, UploadStore

PENDING_PREFIX = UPLOAD_PREFIX
KEPT_PREFIX = PORTAL_ATTACHMENT_PREFIX
MAX_FILES = 5
MAX_NAME = 200
FORM_SECONDS = 3600
REF_SECONDS = 24 * 3600
DOWNLOAD_SECONDS = 300
_MAC_BYTES = 16
# What a customer may attach, by extension, and the type it is stored and served as.
TYPES = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "heic": "image/heic",
    "pdf": "application/pdf",
    "txt": "text/plain; charset=utf-8",
    "log": "text/plain; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "eml": "message/rfc822",
    "zip": "application/zip",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "mp4": "video/mp4",
    "mov": "video/quicktime",
}
# Types a download keeps (still as an attachment); anything else is served as opaque bytes.
SAFE_DOWNLOAD_TYPES = frozenset(TYPES.values())
OCTETS = "application/octet-stream"

WRONG_TYPE = N_("Attach a picture, a PDF, a text or office document, a video or a ZIP file.")
TOO_LARGE = N_("The file is larger than %(max)s MB.")
NOT_ARRIVED = N_("The file did not arrive. Please try again.")
TOO_MANY = N_("Attach at most %(max)s files.")


@dataclass(frozen=True)
class FileRef:
    key: str
    filename: str
    content_type: str
    size: int
    ref: str  # what the page's form carries: the above, signed for the binding

    def kept(self, key: str) -> dict[str, Any]:
        return {"key": key, "filename": self.filename, "content_type": self.content_type, "size": self.size}


def type_of(filename: str) -> str | None:
    """The type a file is stored as, from its extension; None when such files are not accepted."""
    stem, dot, extension = filename.rpartition(".")
    return TYPES.get(extension.lower()) if dot and stem else None


def download_type(content_type: str | None) -> str:
    return content_type if content_type in SAFE_DOWNLOAD_TYPES else OCTETS


class Uploads:
    def __init__(self, store: UploadStore, bucket: str, key: bytes, max_bytes: int, clock: Clock = utcnow) -> None:
        self.store = store
        self.bucket = bucket
        self.key = key
        self.max_bytes = max_bytes
        self.clock = clock

    def form(self, binding: str, done_url: str, return_path: str) -> UploadForm:
        """A presigned POST for one file; S3 sends the browser to ``done_url`` and then on to ``return_path``."""
        prefix = f"{PENDING_PREFIX}{secrets.token_urlsafe(16)}/"
        note = self._sign("upload", {"b": binding, "p": prefix, "r": return_path}, FORM_SECONDS)
        return self.store.upload_form(self.bucket, prefix, self.max_bytes, f"{done_url}?u={note}", FORM_SECONDS)

    def received(self, note: str, key: str) -> tuple[str, FileRef]:
        """What S3 stored for the form of ``note``: ``(page to return to, the file's signed reference)``."""
        asked = self._verify("upload", note)
        prefix, filename = str(asked["p"]), key.removeprefix(str(asked["p"]))
        if not key.startswith(prefix) or not filename or "/" in filename:
            raise FormError([problem("file", NOT_ARRIVED)])
        size = self.store.size(self.bucket, key)
        content_type = type_of(filename)
        if size is None:
            raise FormError([problem("file", NOT_ARRIVED)])
        if content_type is None or size > self.max_bytes or len(filename) > MAX_NAME:
            self.store.delete(self.bucket, key)
            if content_type is None:
                raise FormError([problem("file", WRONG_TYPE)])
            raise FormError([problem("file", TOO_LARGE, max=self.max_bytes // (1024 * 1024))])
        fields = {"b": asked["b"], "k": key, "f": filename, "t": content_type, "s": size}
        ref = self._sign("file", fields, REF_SECONDS)
        return str(asked["r"]), FileRef(key, filename, content_type, size, ref)

    def back(self, note: str) -> str | None:
        """The page an upload form returns to (None for a note that is not ours or too old)."""
        try:
            return str(self._verify("upload", note)["r"])
        except FormError:
            return None

    def files(self, binding: str, refs: list[str]) -> list[FileRef]:
        """The files a form carries, each signed for ``binding`` (another browser's references are refused)."""
        if len(refs) > MAX_FILES:
            raise FormError([problem("file", TOO_MANY, max=MAX_FILES)])
        found: dict[str, FileRef] = {}
        for ref in refs:
            fields = self._verify("file", ref)
            if fields.get("b") != binding:
                raise FormError([problem("file", NOT_ARRIVED)])
            found[str(fields["k"])] = FileRef(
                str(fields["k"]), str(fields["f"]), str(fields["t"]), int(fields["s"]), ref
            )
        return list(found.values())

    def keep(self, files: list[FileRef], folder: str) -> list[dict[str, Any]]:
        """Copy each file under ``attachments/portal/<folder>/`` with our type, as an attachment; the entries'
        ``data.attachments``."""
        kept = []
        for file in files:
            target = f"{KEPT_PREFIX}{folder}/{file.key.removeprefix(PENDING_PREFIX)}"
            self.store.copy(self.bucket, file.key, target, file.content_type, file.filename)
            self.store.delete(self.bucket, file.key)
            kept.append(file.kept(target))
        return kept

    def download_url(self, attachment: dict[str, Any]) -> str:
        """A short-lived URL of a stored attachment, served as an attachment whatever it contains."""
        filename = str(attachment.get("filename") or "attachment")
        content_type = download_type(str(attachment.get("content_type") or ""))
        return self.store.download_url(self.bucket, str(attachment["key"]), filename, content_type, DOWNLOAD_SECONDS)

    # -- signed notes --------------------------------------------------------------------------------

    def _sign(self, purpose: str, fields: dict[str, Any], seconds: int) -> str:
        payload = json.dumps({**fields, "x": int(self.clock().timestamp()) + seconds}, separators=(",", ":"))
        body = base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")
        return f"{body}.{self._mac(purpose, body)}"

    def _verify(self, purpose: str, note: str) -> dict[str, Any]:
        body, _, mac = (note or "").partition(".")
        if not body or not hmac.compare_digest(mac.encode(), self._mac(purpose, body).encode()):
            raise FormError([problem("file", NOT_ARRIVED)])
        fields: dict[str, Any] = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        if int(fields.get("x", 0)) < self.clock().timestamp():
            raise FormError([problem("file", NOT_ARRIVED)])
        return fields

    def _mac(self, purpose: str, body: str) -> str:
        digest = hmac.new(self.key, f"upload:{purpose}\0{body}".encode(), hashlib.sha256).digest()[:_MAC_BYTES]
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")
