"""The visible reply of an HTML mail: quote containers removed, then the plain-text rules cut the rest.

Clients mark quoted history in their HTML (Gmail ``div.gmail_quote``, Apple Mail and Thunderbird
``blockquote[type=cite]``, Outlook on the web ``#divRplyFwdMsg`` and ``#appendonsend``, Outlook for Mac
``#OLK_SRC_BODY_SECTION``, Yahoo ``.yahoo_quoted``). Where they do not (Outlook desktop's "From: / Sent:"
block), the text rendering of the remaining HTML goes through the plain-text rules and the HTML is cut at the
node where the history starts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.mail import quotes
from chalicelib.mail.html import parse_html, render

if TYPE_CHECKING:
    from selectolax.lexbor import LexborHTMLParser, LexborNode

# Containers that hold exactly the quoted history: remove them, keep what follows (bottom posting).
_QUOTE_CONTAINERS = (
    "div.gmail_quote",
    "blockquote.gmail_quote",
    "div.gmail_quote_container",
    "blockquote[type=cite]",
    "div.moz-cite-prefix",
    "div.yahoo_quoted",
    "div.protonmail_quote",
    "blockquote.protonmail_quote",
    "div.zmail_extra",
    "blockquote[data-mailto]",
)
# Markers after which everything is quoted history (Outlook puts the quoted mail in the following siblings).
_HISTORY_STARTS = (
    "#appendonsend",
    "#divRplyFwdMsg",
    "#OLK_SRC_BODY_SECTION",
    "#mail-editor-reference-message-container",
    "div.OutlookMessageHeader",
    "#x_divRplyFwdMsg",
    "#x_appendonsend",
)
_SIGNATURES = ("div.gmail_signature", "div.moz-signature", "#Signature", "#AppleMailSignature", "div.yahoo-signature")
_EMPTY_TAIL = {"br", "hr", "div", "p", "span", "o:p", "font", "b", "i", "u", "strong", "em"}


def visible_html(html: str, *, strip_signature: bool = True) -> str:
    """The reply part of an HTML body (not sanitised: sanitise what you show)."""
    tree = parse_html(html)
    strip_quote_containers(tree, strip_signature=strip_signature)
    rendering = render(tree)
    kept = quotes.reply_lines(rendering.lines, strip_signature=strip_signature)
    if kept and kept[-1] + 1 < len(rendering.lines):
        cut = _first_anchor(rendering.anchors, kept[-1] + 1)
        if cut is not None:
            cut_from(_outermost_start(cut))
    elif not kept:
        body = tree.body
        if body is not None:
            _clear(body)
    _trim_empty_tail(tree)
    return tree.html or ""


def strip_quote_containers(tree: LexborHTMLParser, *, strip_signature: bool = True) -> None:
    for selector in _HISTORY_STARTS:
        node = tree.css_first(selector)
        if node is not None:
            cut_from(_outermost_start(node))
    for selector in _QUOTE_CONTAINERS:
        for node in tree.css(selector):
            node.decompose()
    if strip_signature:
        for selector in _SIGNATURES:
            for node in tree.css(selector):
                node.decompose()


def cut_from(node: LexborNode) -> None:
    """Remove ``node`` and everything after it in document order."""
    current: LexborNode | None = node
    first = True
    while current is not None and current.tag not in ("body", "html", "-document"):
        parent = current.parent
        sibling = current.next
        while sibling is not None:
            following = sibling.next
            sibling.decompose()
            sibling = following
        if first:
            current.decompose()
            first = False
        current = parent


def _first_anchor(anchors: list[LexborNode | None], start: int) -> LexborNode | None:
    return next((a for a in anchors[start:] if a is not None), None)


def _outermost_start(node: LexborNode) -> LexborNode:
    """The highest ancestor that ``node`` starts: cutting there leaves no empty wrappers behind."""
    current = node
    while current.parent is not None and current.parent.tag not in ("body", "html", "-document"):
        if _has_content_before(current):
            break
        current = current.parent
    return current


def _has_content_before(node: LexborNode) -> bool:
    sibling = node.prev
    while sibling is not None:
        if sibling.tag == "img" or (sibling.text(deep=True) or "").strip():
            return True
        sibling = sibling.prev
    return False


def _trim_empty_tail(tree: LexborHTMLParser) -> None:
    """Drop the empty ``<br>``, ``<hr>`` and wrappers a cut leaves at the end of the body."""
    node = tree.body
    while node is not None:
        last = node.last_child
        while last is not None and _is_empty(last):
            previous = last.prev
            last.decompose()
            last = previous
        node = last if last is not None and last.tag != "-text" else None


def _is_empty(node: LexborNode) -> bool:
    if node.tag == "-text":
        return not (node.text_content or "").strip()
    if node.tag == "-comment":
        return True
    if node.tag not in _EMPTY_TAIL:
        return False
    return not (node.text(deep=True) or "").strip() and node.css_first("img") is None


def _clear(node: LexborNode) -> None:
    child = node.child
    while child is not None:
        following = child.next
        child.decompose()
        child = following
