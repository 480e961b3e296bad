"""HTML bodies: sanitised for display, rendered as text."""

from __future__ import annotations

from chalicelib.mail.html import html_to_text, sanitise


def test_sanitise_removes_scripts_event_handlers_and_javascript_urls() -> None:
    dirty = (
        '<p onclick="steal()" style="color:red;position:fixed">Hi <b>there</b></p>'
        "<script>alert(1)</script><style>p{}</style>"
        '<a href="javascript:alert(2)">x</a><a href="JaVaScRiPt:alert(3)">y</a>'
        '<img src="x" onerror="alert(4)"><iframe src="https://evil.example"></iframe>'
        '<form action="https://evil.example"><input name="q"></form>'
    )
    clean = sanitise(dirty)
    lowered = clean.lower()
    for forbidden in ("script", "onclick", "onerror", "javascript:", "iframe", "<form", "<input", "position"):
        assert forbidden not in lowered, forbidden
    assert '<p style="color:red">Hi <b>there</b></p>' in clean


def test_sanitise_keeps_links_safe_and_cid_images() -> None:
    clean = sanitise('<a href="https://example.com/a">a</a><img src="cid:logo@x" alt="logo"><img src="data:x">')
    assert 'href="https://example.com/a"' in clean
    assert 'rel="noopener noreferrer"' in clean and 'target="_blank"' in clean
    assert '<img src="cid:logo@x" alt="logo">' in clean
    assert "data:" not in clean


def test_html_to_text_keeps_blocks_lists_and_marks_blockquotes_as_quotes() -> None:
    html = (
        "<html><head><title>T</title><style>.x{}</style></head><body>"
        "<p>First   paragraph<br>second&nbsp;line</p><ul><li>one</li><li>two</li></ul>"
        "<blockquote>quoted <b>text</b><blockquote>deeper</blockquote></blockquote><div>after</div></body></html>"
    )
    assert html_to_text(html) == ("First paragraph\nsecond line\n\n- one\n- two\n\n> quoted text\n> > deeper\n\nafter")


def test_html_to_text_keeps_preformatted_whitespace_and_survives_deep_nesting() -> None:
    assert html_to_text("<pre>a  b\n  c</pre>") == "a  b\n  c"
    deep = "<div>" * 5000 + "bottom" + "</div>" * 5000
    assert html_to_text(deep) == "bottom"
