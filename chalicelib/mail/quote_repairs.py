"""Second looks at line kinds (see ``quotes.py``) where clients' line wrapping misleads the first look.

- A quoted line wrapped by a client that does not re-quote leaves its tail without ``>``: a line starting in
  lower case right after a long quoted line, with the quote going on after it, is part of the quote.
- An attribution whose address wrapped leaves ``m>`` or ``> a écrit :`` at the start of the next line: that is
  the end of the address, not a quote.
- An Outlook header block in a language no list knows ("Word: value" lines) is known by its shape: three or more
  short labelled lines after a gap, the first value an address and a later one a time of day.
- An attribution without its colon ("Am 20.06.24 um 16:20 schrieb Support") counts when history follows it at once.
- A signature delimiter (``____``, ``----``) is also how people underline a table or a heading in pasted output:
  what follows it is a signature only if it reads like one (short, unindented lines).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from chalicelib.mail import quote_patterns as p

_WRAPPED_AT = 60  # a quoted line this long was probably wrapped by the client
_WRAPPED_TAIL_LINES = 2
_ADDRESS_TAIL = re.compile(r"^\s*[\w.+-]*>")
_SIGNATURE_LINE_MAX = 100
_INDENTED = re.compile(r"^(?: {2,}|\t)\S")


def rejoin_wrapped_quotes(lines: Sequence[str], kinds: list[str]) -> None:
    """Mark as quoted the unquoted tails of wrapped quoted lines."""
    n = len(kinds)
    for i in range(1, n):
        if kinds[i] != "t" or kinds[i - 1] != "q" or len(lines[i - 1].rstrip()) < _WRAPPED_AT:
            continue
        tail = i
        while tail < n and tail - i < _WRAPPED_TAIL_LINES and kinds[tail] == "t":
            tail += 1
        if tail < n and kinds[tail] == "q" and lines[i].lstrip()[:1].islower():
            for k in range(i, tail):
                kinds[k] = "q"


def unquote_address_tails(lines: Sequence[str], kinds: list[str]) -> None:
    """A ``>``-led line that closes an address left open on the line before continues that line."""
    for i in range(1, len(kinds)):
        previous = lines[i - 1]
        opened = previous.rfind("<") > previous.rfind(">")
        if kinds[i] == "q" and kinds[i - 1] == "t" and opened and _ADDRESS_TAIL.match(lines[i]):
            kinds[i] = "t"


def reads_like_signature(block: Sequence[str]) -> bool:
    """Short lines, none indented like preformatted output: a name, a title, a phone number, a link."""
    filled = [line for line in block if line.strip()]
    return all(len(line.rstrip()) <= _SIGNATURE_LINE_MAX and not _INDENTED.match(line) for line in filled)


_LABELLED = re.compile(r"^\s*[*_]{0,2}[^\W\d_][^:\uff1a<>@]{0,24}?[*_]{0,2}\s*[:\uff1a]\s*[*_]{0,2}(?:\s|$)")
_LABEL_BLOCK_MIN = 3
_TIMED = re.compile(r"(?<![\d:])\d{1,2}:\d{2}(?!\d)")


def mark_label_blocks(lines: Sequence[str], kinds: list[str]) -> None:
    """Runs of 3+ "Label: value" lines after a gap, a separator or the start become a ``B`` block whatever the
    labels' language, when they read like a client's header block: the first value (the sender) holds an address
    and another a time of day (when it was sent). A pasted form ("Name: / Email: / Order date:") has no time and
    rarely opens with the address."""
    i, n = 0, len(kinds)
    while i < n:
        j = i
        while j < n and kinds[j] in "tHh" and _LABELLED.match(lines[j]):
            j += 1
        after_gap = i == 0 or kinds[i - 1] in "edf"
        values = [lines[k].split(":", 1)[-1] for k in range(i, j)]
        if (
            j - i >= _LABEL_BLOCK_MIN
            and after_gap
            and p.ADDRESS.search(values[0])
            and any(_TIMED.search(v) for v in values[1:])
        ):
            for k in range(i, j):
                kinds[k] = "B"
        i = max(j, i + 1)


def mark_colonless_attributions(lines: Sequence[str], kinds: list[str]) -> None:
    """An attribution line without its colon, right above a header block or a quote (one blank line at most)."""
    for i, kind in enumerate(kinds):
        if kind != "t":
            continue
        following = next((k for k in kinds[i + 1 : i + 3] if k != "e"), "")
        line = lines[i].strip()
        if (
            following in "Bqf"
            and following
            and (p.ATTRIBUTION_OPENER.match(line) or p.DATE_OPENER.match(line))
            and p.WROTE_VERB.search(line)
            and (p.TIME_OF_DAY.search(line) or p.ADDRESS.search(line))
        ):
            kinds[i] = "b"
