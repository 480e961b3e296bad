"""The visible reply of a plain-text mail: what the sender wrote, without quoted history or signature.

Every line gets a kind, then the sequence of kinds decides where the reply ends:

    e  empty                    q  quoted (``>``, ``C>``)          d  delimiter (``-- ``, ``____``)
    s  mobile sign-off          b  attribution ("On ... wrote:")   f  "Original Message" separator
    H  From-like header line    h  other header line (Sent:, To:)  B  a block of quoted-mail headers
    t  text

Rules, in order: a signature delimiter or a trailing mobile sign-off ends the reply; a reply that starts
with history (bottom-posting, a forward) starts after it; then the first attribution, separator or header
block ends the reply, except an attribution whose quote is answered inline (text follows the quote), where
only the attribution line goes; a quote that nothing but history follows ends the reply.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from chalicelib.mail import quote_patterns as p
from chalicelib.mail import quote_repairs as repairs

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u200e\u200f\ufeff\u2060"), None)
_HISTORY = frozenset("bfB")
_MAX_ATTRIBUTION_LINES = 6
_MAX_ATTRIBUTION_CHARS = 400
_SHORT_SIGNATURE_LINES = 12
_MAX_QUOTED_TAIL = 20
_DEVICE_SIGNOFF_CHARS = 60
_SIGN_OFF_LINES = 2
_SIGN_OFF_CHARS = 40
_GLUE = re.compile(r"\s*-{2,}\s*|\s+")


def split_lines(text: str) -> list[str]:
    return re.split(r"\r\n|\r|\n", text)


def visible_text(text: str, *, strip_signature: bool = True) -> str:
    """The reply part of ``text``; ``strip_signature=False`` removes quoted history only."""
    lines = split_glued_attributions(split_lines(text))
    kept = reply_lines(lines, strip_signature=strip_signature)
    return "\n".join(lines[i] for i in kept).strip("\n")


def split_glued_attributions(lines: list[str]) -> list[str]:
    """Some clients glue the attribution to the last line typed ("reply On Wed, ... wrote:", "bla--- On ...
    wrote:"): when a quote follows, the attribution goes on a line of its own so that the typed words stay."""
    out: list[str] = []
    for i, line in enumerate(lines):
        following = next((x for x in lines[i + 1 : i + 3] if x.strip()), "")
        opens = p.ATTRIBUTION_OPENER.match(line) or p.DATE_OPENER.match(line)
        if p.QUOTE.match(following) and not p.QUOTE.match(line) and not opens:
            for gap in _GLUE.finditer(line):
                head, tail = line[: gap.start()].rstrip(), line[gap.end() :]
                if head.strip() and p.ATTRIBUTION_OPENER.match(tail) and is_attribution(tail):
                    out += [head, tail]
                    break
            else:
                out.append(line)
            continue
        out.append(line)
    return out


def reply_lines(lines: Sequence[str], *, strip_signature: bool = True) -> list[int]:
    """Indexes of the lines that make up the reply, in order, without leading or trailing empty lines."""
    kinds = line_kinds(lines)
    end = _signature_start(kinds, lines) if strip_signature else len(kinds)
    start = _after_leading_history(kinds, lines, end)
    end, dropped = _history_start(kinds, lines, start, end)
    kept = [i for i in range(start, end) if i not in dropped]
    while kept and kinds[kept[0]] == "e":
        kept.pop(0)
    while kept and kinds[kept[-1]] in "ed":  # a separator left above the history goes with it
        kept.pop()
    return kept


# -- line kinds --------------------------------------------------------------------------------------------


def line_kinds(lines: Sequence[str]) -> list[str]:
    clean = [line.translate(_INVISIBLE) for line in lines]
    kinds = [_basic_kind(line) for line in clean]
    repairs.unquote_address_tails(clean, kinds)
    repairs.rejoin_wrapped_quotes(clean, kinds)
    _mark_attributions(clean, kinds)
    _mark_header_blocks(clean, kinds)
    repairs.mark_label_blocks(clean, kinds)
    repairs.mark_colonless_attributions(clean, kinds)
    return kinds


def _basic_kind(line: str) -> str:
    stripped = line.strip()
    if not stripped:
        return "e"
    if p.QUOTE.match(line):
        return "q"
    if p.DELIMITER.match(line):
        return "d"
    if p.ORIGINAL_MESSAGE.match(line) or p.GLUED_ORIGINAL_MESSAGE.match(line):
        return "f"
    if p.FROM_HEADER.match(line):
        return "H"
    if p.OTHER_HEADER.match(line):
        return "h"
    if is_mobile_signature(stripped):
        return "s"
    return "t"


def is_mobile_signature(line: str) -> bool:
    without_links = p.URL.sub("", re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", line)).strip()
    return len(without_links) <= p.MOBILE_SIGNATURE_MAX_LEN and bool(p.MOBILE_SIGNATURE.match(without_links))


def is_attribution(text: str) -> bool:
    """One (joined) attribution line: "On <date>, <someone> wrote:" and its translations."""
    text = text.strip()
    if len(text) > _MAX_ATTRIBUTION_CHARS or not p.HAS_DATE_OR_ADDRESS.search(text):
        return False
    if p.ENDS_WITH_VERB.search(text) and (p.TIME_OF_DAY.search(text) or p.ADDRESS.search(text)):
        return True  # "On Wed, 14 Nov 2018 08:14:43 -0200 John Doe <john@doe.com> wrote", no colon
    return bool(p.ENDS_LIKE_ATTRIBUTION.search(text) and p.WROTE_VERB.search(text))


def _is_dated(text: str) -> bool:
    """Attributions without a verb: Gmail's "2016-10-24 15:36 GMT+02:00 Name <addr>:", Yandex, Mail.ru."""
    text = text.strip()
    if p.GMAIL_DATE_ATTRIBUTION.match(text) and p.GMAIL_DATE_EVIDENCE.search(text):
        return True
    return bool(
        len(text) <= _MAX_ATTRIBUTION_CHARS
        and p.DATE_OPENER.match(text)
        and (p.TIME_OF_DAY.search(text) or p.NUMERIC_DATE.search(text))
        and p.ADDRESS.search(text)
        and text.endswith(":")
    )


def _mark_attributions(lines: Sequence[str], kinds: list[str]) -> None:
    """Mark attribution lines, joining the ones a client wrapped over several lines."""
    for end in range(len(lines)):
        if kinds[end] == "e":
            continue
        for start in range(end, max(-1, end - _MAX_ATTRIBUTION_LINES), -1):
            if kinds[end] == "q" and len(_dequote(lines[end])) > _MAX_QUOTED_TAIL:
                break  # a wrapped attribution may end on a quoted tail like "> wrote:", never on a quote
            if (start == end and kinds[end] == "q") or kinds[start] == "e":
                continue
            if not _window_allowed(kinds, start, end):
                break
            joined = " ".join(
                _dequote(lines[i]) if kinds[i] == "q" else lines[i].strip() for i in range(start, end + 1)
            ).replace("< ", "<")  # an address wrapped after its "<"
            if _opens_attribution(lines, kinds, start, joined) and (
                is_attribution(joined) or (end - start < 2 and _stands_alone(kinds, start, end) and _is_dated(joined))
            ):
                for i in range(start, end + 1):
                    kinds[i] = "b"
                break


def _stands_alone(kinds: Sequence[str], start: int, end: int) -> bool:
    """Verb-less attributions count only on their own paragraph or right above a quote: a pasted log line has
    neighbours."""
    if end + 1 < len(kinds) and kinds[end + 1] not in "eq":
        return False
    following = next((k for k in kinds[end + 1 :] if k != "e"), "")
    return start == 0 or kinds[start - 1] == "e" or following == "q"


def _window_allowed(kinds: Sequence[str], start: int, end: int) -> bool:
    if kinds[start] not in "tHhs":
        return False
    inner = kinds[start:end]
    return all(k in "teHhs" for k in inner) and inner.count("e") <= 2 and kinds[end] in "tqHhs"


def _opens_attribution(lines: Sequence[str], kinds: Sequence[str], start: int, joined: str) -> bool:
    first = lines[start].strip()
    if p.ATTRIBUTION_OPENER.match(first) or p.DATE_OPENER.match(first) or p.VERB_THEN_DATE.match(joined):
        return True
    after_gap = start == 0 or kinds[start - 1] == "e"
    return after_gap and first[:1] not in "<>" and "@" in joined and bool(re.search(r"[@<]", first))


def _dequote(line: str) -> str:
    return re.sub(r"^\s*(?:>\s?)+", "", line).strip()


def _continues_header(line: str) -> bool:
    return line[:1].isspace() or line.lstrip()[:1] == "<" or "@" in line


def _mark_header_blocks(lines: Sequence[str], kinds: list[str]) -> None:
    """Runs of header lines (a wrapped value may continue on a text line) become ``B`` blocks."""
    i, n = 0, len(kinds)
    while i < n:
        if kinds[i] not in "Hh":
            i += 1
            continue
        j, headers, from_like = i, 0, False
        while j < n:
            if kinds[j] in "Hh":
                headers += 1
                from_like = from_like or kinds[j] == "H" or bool(p.TIME_OF_DAY.search(lines[j]))
                j += 1
            elif kinds[j] == "t" and j + 1 < n and kinds[j + 1] in "Hh" and headers:
                j += 1
            else:
                break
        if (
            headers
            and j < n
            and _continues_header(lines[j])
            and kinds[j] == "t"
            and (j + 1 == n or kinds[j + 1] == "e")
        ):
            j += 1  # a wrapped last value ("To: Jane Doe" then "<jane@example.com>")
        if headers >= 3 or (headers >= 2 and from_like):
            for k in range(i, j):
                kinds[k] = "B"
        i = max(j, i + 1)


# -- where the reply starts and ends -----------------------------------------------------------------------


def _signature_start(kinds: Sequence[str], lines: Sequence[str]) -> int:
    """The first signature delimiter or trailing sign-off after some text; the end of the mail otherwise."""
    seen_text = False
    for i, kind in enumerate(kinds):
        if kind == "t":
            seen_text = True
        elif seen_text and _ends_with_signature(kinds, lines, i):
            return i
    return len(kinds)


def _ends_with_signature(kinds: Sequence[str], lines: Sequence[str], i: int) -> bool:
    """A delimiter followed by a short block or by history; a sign-off followed by nothing but sign-offs."""
    if kinds[i] == "s":
        if _is_device_signoff(lines[i]):
            return True  # phones put it under what was typed: what follows is history, quoted or not
        following = (k for k in kinds[i + 1 :] if k not in "es")
        return next(following, "b") in "bfBqd"  # only sign-offs until history or the end
    if kinds[i] != "d":
        return False
    if lines[i].strip() in ("--", "\u1427"):  # "-- " is the RFC 3676 signature separator
        return True
    rest = _until_history(kinds, i + 1)
    if not repairs.reads_like_signature(lines[i + 1 : i + 1 + len(rest)]):
        return False  # a rule under a heading or a table in pasted output, or a separator between paragraphs
    return len(rest) < len(kinds) - i - 1 or sum(k != "e" for k in rest) <= _SHORT_SIGNATURE_LINES


def _is_device_signoff(line: str) -> bool:
    """ "Sent from my iPhone", "Get Outlook for iOS": short, naming the sender's device or app, no clause after a
    comma (unlike "Sent from my desk, which is easier" or "Sent from the warehouse: 3 boxes")."""
    text = line.strip()
    if len(text) > _DEVICE_SIGNOFF_CHARS or re.search(r"[,;:]", text):
        return False
    return bool(p.DEVICE_WORDS.search(text)) or not text.isascii()


def _until_history(kinds: Sequence[str], start: int) -> Sequence[str]:
    for j in range(start, len(kinds)):
        if kinds[j] in "bfBqd":
            return kinds[start:j]
    return kinds[start:]


def _after_leading_history(kinds: Sequence[str], lines: Sequence[str], end: int) -> int:
    """Bottom-posted replies and forwards start with history: the reply starts after it."""
    i = _skip(kinds, 0, end, "e")
    if i >= end:
        return i
    if kinds[i] == "q" and is_attribution(_dequote(lines[i])):
        return _skip(kinds, i, end, "qe")
    if kinds[i] not in _HISTORY:
        return 0
    i = _skip(kinds, i, end, "bfBe")
    if i < end and kinds[i] == "q":
        after_quote = _skip(kinds, i, end, "qe")
        if not _answers_inline(kinds, after_quote, end):  # bottom-posting: the reply follows the quote
            return after_quote
    return i


def _answers_inline(kinds: Sequence[str], start: int, end: int) -> bool:
    """Text, then another quote, then text again: answers between the quotes they answer."""
    pattern = "".join(k for k in kinds[start:end] if k in "tq")
    return bool(re.search(r"t+q+t", pattern))


def _history_start(kinds: Sequence[str], lines: Sequence[str], start: int, end: int) -> tuple[int, set[int]]:
    """Where quoted history begins, and attribution lines of inline answers to drop."""
    dropped: set[int] = set()
    seen_text = False
    last_text = max((j for j in range(start, end) if kinds[j] == "t"), default=-1)
    i = start
    while i < end:
        kind = kinds[i]
        if kind in _HISTORY:
            marker_end = _skip(kinds, i, end, kind)
            quote_start = _skip(kinds, marker_end, end, "e")
            if kind == "b" and quote_start < end and kinds[quote_start] == "q":
                quote_end = _skip(kinds, quote_start, end, "qe")
                if quote_end <= last_text:  # text follows: the quote is answered inline, or closed by a sign-off
                    signed_off = _only_sign_off(kinds, lines, quote_end, end)
                    dropped.update(range(i, quote_end if signed_off else marker_end))
                    i = quote_end
                    continue
            return i, dropped
        if kind == "q":
            quote_end = _skip(kinds, i, end, "qe")
            if seen_text and quote_end > last_text:
                return i, dropped
            i = quote_end
            continue
        seen_text = seen_text or kind == "t"
        i += 1
    return end, dropped


def _only_sign_off(kinds: Sequence[str], lines: Sequence[str], start: int, end: int) -> bool:
    """What follows a quote is a closing ("Regards, Roman"), not an answer: a short line or two under a sign-off."""
    rest = [i for i in range(start, end) if kinds[i] != "e"]
    if not rest or len(rest) > _SIGN_OFF_LINES or any(kinds[i] != "t" for i in rest):
        return False
    short = all(len(lines[i].strip()) <= _SIGN_OFF_CHARS for i in rest)
    return short and bool(p.SIGN_OFF.match(lines[rest[0]].strip()))


def _skip(kinds: Sequence[str], i: int, end: int, skippable: str) -> int:
    while i < end and kinds[i] in skippable:
        i += 1
    return i
