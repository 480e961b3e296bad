"""HTML bodies: sanitised for display (nh3) and rendered as text (selectolax/Lexbor).

The text rendering marks ``<blockquote>`` content with ``> `` as mail clients do in their plain-text parts, so
the plain-text quote rules also find quotes in HTML; it remembers the node each line starts at, so a cut
found in the text can be made in the HTML.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from selectolax.lexbor import LexborHTMLParser, LexborNode

_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "center", "cite", "code", "col", "colgroup", "dd", "del",
    "div", "dl", "dt", "em", "font", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li",
    "ol", "p", "pre", "q", "s", "small", "span", "strike", "strong", "sub", "sup", "table", "tbody", "td",
    "tfoot", "th", "thead", "tr", "tt", "u", "ul",
}  # fmt: skip
_ATTRIBUTES = {
    "*": {"style", "title", "dir", "lang", "align"},
    "a": {"href", "name"},
    "img": {"src", "alt", "width", "height"},
    "font": {"color", "face", "size"},
    "td": {"colspan", "rowspan", "valign", "width", "bgcolor"},
    "th": {"colspan", "rowspan", "valign", "width", "bgcolor"},
    "table": {"width", "cellpadding", "cellspacing", "border", "bgcolor"},
    "ol": {"start", "type"},
    "blockquote": {"type", "cite"},
}
_STYLE_PROPERTIES = {
    "color", "background-color", "font-weight", "font-style", "font-size", "font-family", "text-align",
    "text-decoration", "vertical-align", "white-space", "margin", "margin-left", "margin-right", "margin-top",
    "margin-bottom", "padding", "padding-left", "padding-right", "padding-top", "padding-bottom", "border",
    "border-left", "border-top", "border-collapse", "width", "height", "line-height", "list-style-type",
}  # fmt: skip
_URL_SCHEMES = {"http", "https", "mailto", "tel", "cid"}

_BLOCK = {
    "address", "article", "aside", "blockquote", "center", "dd", "div", "dl", "dt", "fieldset", "figure",
    "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre",
    "section", "table", "tbody", "tfoot", "thead", "tr", "ul",
}  # fmt: skip
_PARAGRAPH = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "pre", "hr"}
_SKIP = {"head", "script", "style", "title", "template", "noscript", "-comment", "iframe", "object", "svg", "xml"}
_SPACE = re.compile(r"[ \t\r\n\f\u200b]+")


def sanitise(html: str) -> str:
    """Safe to show in the agent UI: formatting kept; scripts, handlers and javascript: URLs gone."""
    import nh3

    return nh3.clean(
        html,
        tags=_TAGS,
        clean_content_tags={"script", "style", "title", "head", "template", "noscript", "iframe", "object", "svg"},
        attributes=_ATTRIBUTES,
        url_schemes=_URL_SCHEMES,
        link_rel="noopener noreferrer",
        set_tag_attribute_values={"a": {"target": "_blank"}},
        filter_style_properties=_STYLE_PROPERTIES,
        strip_comments=True,
    ).strip()


def parse_html(html: str) -> LexborHTMLParser:
    from selectolax.lexbor import LexborHTMLParser

    return LexborHTMLParser(html)


def html_to_text(html: str) -> str:
    return "\n".join(render(parse_html(html)).lines).strip("\n")


@dataclass
class Rendering:
    """Text lines of an HTML document, with the node each line's text starts at (None for blank lines)."""

    lines: list[str] = field(default_factory=list)
    anchors: list[LexborNode | None] = field(default_factory=list)


@dataclass
class _Writer:
    out: Rendering = field(default_factory=Rendering)
    current: list[str] = field(default_factory=list)
    anchor: LexborNode | None = None
    depth: int = 0
    prefix: str = ""
    blank_pending: str | None = None  # the quote prefix of a blank line still to write

    def text(self, value: str, node: LexborNode, pre: bool) -> None:
        if not pre:
            value = _SPACE.sub(" ", value.replace("\xa0", " "))
            if not self.current or self.current[-1].endswith(" "):
                value = value.lstrip(" ")
            if not value:
                return
            self._start(node)
            self.current.append(value)
            return
        for i, piece in enumerate(value.split("\n")):
            if i:
                self.newline()
            if piece:
                self._start(node)
                self.current.append(piece)

    def _start(self, node: LexborNode) -> None:
        if self.current:
            return
        if self.blank_pending is not None and self.out.lines and self.out.lines[-1].strip() not in ("", ">"):
            self.out.lines.append(self.blank_pending.rstrip())
            self.out.anchors.append(None)
        self.blank_pending = None
        self.anchor = node
        self.current.append(self.prefix)

    def newline(self, force: bool = False) -> None:
        if self.current:
            self.out.lines.append("".join(self.current).rstrip())
            self.out.anchors.append(self.anchor)
            self.current, self.anchor = [], None
        elif force:
            self.out.lines.append(self.prefix.rstrip())
            self.out.anchors.append(None)

    def paragraph(self) -> None:
        self.newline()
        self.blank_pending = self.prefix


def render(tree: LexborHTMLParser) -> Rendering:
    """Walk the document once (iteratively: mail HTML nests deep enough to break recursion)."""
    root = tree.body or tree.root
    writer = _Writer()
    if root is None:
        return writer.out
    stack: list[tuple[LexborNode, bool]] = [(root, False)]
    pre_depth = 0
    while stack:
        node, leaving = stack.pop()
        tag = node.tag or ""
        if leaving:
            pre_depth -= tag == "pre"
            _leave(writer, tag)
            continue
        if tag == "-text":
            writer.text(node.text_content or "", node, pre_depth > 0)
            continue
        if tag in _SKIP or tag.startswith("-"):
            continue
        if tag == "br":
            writer.newline(force=True)
            continue
        _enter(writer, tag, node)
        pre_depth += tag == "pre"
        stack.append((node, True))
        children = list(_children(node))
        stack.extend((child, False) for child in reversed(children))
    writer.newline()
    return writer.out


def _children(node: LexborNode) -> list[LexborNode]:
    out = []
    child = node.child
    while child is not None:
        out.append(child)
        child = child.next
    return out


def _enter(writer: _Writer, tag: str, node: LexborNode) -> None:
    if tag in _PARAGRAPH:
        writer.paragraph()
    elif tag in _BLOCK:
        writer.newline()
    if tag == "blockquote":
        writer.depth += 1
        writer.prefix = "> " * writer.depth
    elif tag == "li":
        writer.text("- ", node, pre=False)
    elif tag in ("td", "th") and writer.current:
        writer.text(" ", node, pre=False)


def _leave(writer: _Writer, tag: str) -> None:
    if tag == "blockquote":
        writer.newline()
        writer.depth -= 1
        writer.prefix = "> " * writer.depth
        writer.blank_pending = writer.prefix
    elif tag in _PARAGRAPH:
        writer.paragraph()
    elif tag in _BLOCK:
        writer.newline()
