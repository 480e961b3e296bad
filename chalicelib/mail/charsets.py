"""Bytes to text for mail that declares unknown, wrong or no charsets.

The stdlib raises ``LookupError`` for labels it does not know (``X-UNKNOWN``, ``ansi_x3.110-1983``) and
``UnicodeDecodeError`` when a part lies about its charset. Mail clients never fail on either: they map the
label (WHATWG encoding labels, as browsers do), then fall back to UTF-8, then to windows-1252.
"""

from __future__ import annotations

import codecs

# Labels the stdlib does not know, or knows as a narrower codec than the one senders really use.
_ALIASES = {
    "x-unknown": "",
    "unknown": "",
    "unknown-8bit": "",
    "x-user-defined": "cp1252",
    "default": "",
    "ansi_x3.110-1983": "latin-1",
    "ansi_x3.4-1968": "ascii",
    "us-ascii": "ascii",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "iso-8859-8-i": "iso-8859-8",
    "iso-8859-6-i": "iso-8859-6",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "ks_c_5601-1987": "cp949",
    "ks_c_5601": "cp949",
    "euc-kr": "cp949",
    "x-sjis": "cp932",
    "shift_jis": "cp932",
    "windows-31j": "cp932",
    "tis-620": "cp874",
    "windows-874": "cp874",
    "x-mac-roman": "mac-roman",
    "macintosh": "mac-roman",
    "unicode-1-1-utf-7": "utf-7",
    "utf8": "utf-8",
    "x-utf8": "utf-8",
    "cp-850": "cp850",
    "iso-2022-jp-2": "iso2022_jp_2",
}


def codec_for(label: str | None) -> str | None:
    """The Python codec for a MIME charset label; None when the label names nothing we can use."""
    if not label:
        return None
    key = label.strip().strip("\"'").lower()
    key = _ALIASES.get(key, key)
    if not key:
        return None
    try:
        return codecs.lookup(key).name
    except LookupError:
        return None


def decode_bytes(data: bytes, label: str | None) -> tuple[str, bool]:
    """Decode with the declared charset, then UTF-8, then windows-1252, then Latin-1 (which never fails).

    UTF-8 with a few broken bytes among many good multi-byte characters (a truncated or spliced part) keeps
    its text with U+FFFD in place of the broken bytes: windows-1252 would garble every other character.
    Returns the text and whether a fallback was needed (a defect worth recording).
    """
    declared = codec_for(label)
    if declared in (None, "utf-8"):
        mostly = _mostly_utf8(data)
        if mostly is not None:
            return mostly, True
    tried: list[str] = []
    for codec in (declared, "utf-8", "cp1252"):
        if codec is None or codec in tried:
            continue
        tried.append(codec)
        try:
            text = data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
        fallback = codec != declared and not (declared is None and (label is None or _is_ascii(data)))
        return text, fallback
    return data.decode("latin-1"), True


_GOOD_PER_BAD = 4  # at least this many well-formed multi-byte characters for each broken byte


def _mostly_utf8(data: bytes) -> str | None:
    """UTF-8 text with a few invalid bytes, decoded with replacement; None when it is valid or not UTF-8."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("utf-8", "replace")
        bad = text.count("\ufffd")
        good = sum(1 for ch in text if ch > "\x7f" and ch != "\ufffd")
        return text if good >= _GOOD_PER_BAD * bad else None
    return None


def _is_ascii(data: bytes) -> bool:
    return data.isascii()


def fix_surrogates(text: str) -> str:
    """Re-decode raw 8-bit bytes that the stdlib smuggled into headers as surrogate escapes."""
    if not any("\ud800" <= ch <= "\udfff" for ch in text):
        return text
    try:
        data = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a lone surrogate that is no escaped byte: nothing to recover
        return text.encode("utf-8", "replace").decode("utf-8")
    return decode_bytes(data, "utf-8")[0]
