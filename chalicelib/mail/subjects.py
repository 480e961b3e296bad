"""Subjects: reply and forward prefixes in the languages mail clients write them, and ticket tokens."""

from __future__ import annotations

import re

# Reply and forward prefixes, by client language. "Re[2]:", "Re(3):" and "RE :" (French spacing) included.
_PREFIXES = (
    "re|fwd?|fw|aw|wg|sv|vs|vb|antw|antwort|doorst|tr|rv|res|enc|odp|pd|ynt|ilt|İlt|r|rif|i|vá|fs|vl|"
    "ref|réf|tr|trans|wtr|tl|sv|vs|ats|atb|pārs|odg|přeposlat|fwd|"
    "ответ|отв|пересл|переслать|пер|відп|відповідь|"
    "回复|回覆|答复|答覆|转发|轉寄|轉發|返信|転送|답장|전달|"
    "σχετ|πρθ|תגובה|השב|הועבר|رد|إعادة توجيه|ตอบกลับ|ส่งต่อ"
)
_PREFIX = re.compile(rf"^\s*(?:{_PREFIXES})\s*(?:\[\d+\]|\(\d+\))?\s*[:\uff1a]\s*", re.IGNORECASE)
_LEADING_TAG = re.compile(r"^\s*\[[^\]]{1,60}\]\s*")
_TICKET_TOKEN = re.compile(r"\[#\s*(\d{1,12})\s*\]")
_SPACE = re.compile(r"\s+")


def normalise_subject(subject: str | None) -> str:
    """The subject without reply and forward prefixes (any number, any order), whitespace collapsed.

    Leading bracketed tags (``[#1234]``, ``[list-name]``) stay, and prefixes after them go:
    ``"AW: [#12] Re: Printer"`` becomes ``"[#12] Printer"``.
    """
    text = _SPACE.sub(" ", subject or "").strip()
    tags: list[str] = []
    while True:
        tag = _LEADING_TAG.match(text)
        if tag:
            tags.append(tag.group(0).strip())
            text = text[tag.end() :]
            continue
        stripped = _PREFIX.sub("", text, count=1)
        if stripped == text:
            return " ".join([*tags, text]).strip()
        text = stripped.strip()


def ticket_token_in_subject(subject: str | None) -> int | None:
    """The ticket number of the first ``[#1234]`` token in the subject, if any."""
    match = _TICKET_TOKEN.search(subject or "")
    return int(match.group(1)) if match else None
