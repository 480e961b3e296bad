"""Second looks at line kinds (see ``quotes.py``) where clients' line wrapping misleads the first look.

- A quoted line wrapped by a client that does not re-quote leaves its tail without ``>``: a line starting in
  lower case right after a long quoted line, with the quote going on after it, is part of the quote.
- An attribution whose address wrapped leaves ``m>`` or ``> a écrit :`` at the start of the next line: that is
  the end of the address, not a quote.
- A signature delimiter (``____``, ``----``) is also how people underline a table or a heading in pasted output:
  what follows it is a signature only if it reads like one (short, unindented lines).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

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
