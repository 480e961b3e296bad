"""Take personal details out of text that is about to become an article: email addresses and phone numbers
become placeholders. Over-redaction is the safe side (an agent reviews the draft before anyone reads it).

Regular expressions, not ``phonenumbers``: its matcher needs a region to see national numbers
(``020 7946 0958``), costs 5 MB and ~150 ms to import, and a desk's tickets come from many countries; a digit
run of phone length catches both forms (decision 050).
"""

from __future__ import annotations

import re

EMAIL = "[email]"
PHONE = "[phone]"
# Longer digit runs are card or account numbers: they go too.
NUMBER = "[number]"
_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# A possible phone number: an optional +, then digits, spaces, dots, dashes, slashes and parentheses, starting
# and ending with a digit (or a closing parenthesis) and not glued to letters or other digits.
_PHONE = re.compile(r"(?<![\w+])(?:\+|00)?\(?\d[\d\s().\-/]{5,}\d(?![\w])")
_DIGITS = re.compile(r"\d")
# Digit groups that look like phone numbers but are kept: dates and IP addresses. They are set aside before
# phone numbers are looked for (a private-use character holds each place) and put back after.
_KEPT = re.compile(
    r"(?<![\d.])(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{1,3}(?:\.\d{1,3}){3})(?![\d.])"
)
_HELD = 0xE000
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")
MIN_PHONE_DIGITS = 7
MAX_PHONE_DIGITS = 15  # E.164


def redact(text: str) -> str:
    """``text`` with email addresses and phone numbers replaced by ``[email]`` and ``[phone]`` (and longer digit
    runs, card and account numbers, by ``[number]``)."""
    kept: list[str] = []

    def hold(match: re.Match[str]) -> str:
        kept.append(match.group(0))
        return chr(_HELD + len(kept) - 1)

    text = _PRIVATE_USE.sub("", text)  # they hold places below
    held = _KEPT.sub(hold, _EMAIL.sub(EMAIL, text))
    redacted = _PHONE.sub(_phone, held)
    return "".join(kept[ord(c) - _HELD] if _HELD <= ord(c) < _HELD + len(kept) else c for c in redacted)


def _phone(match: re.Match[str]) -> str:
    found = match.group(0)
    candidate = found.strip()
    digits = len(_DIGITS.findall(candidate))
    if digits < MIN_PHONE_DIGITS:
        return found
    if digits > MAX_PHONE_DIGITS:
        return found.replace(candidate, NUMBER)
    return found.replace(candidate, PHONE)
