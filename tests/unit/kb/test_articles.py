"""Article rules: slugs, Markdown to safe HTML and to text, who may publish, and redaction."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib.core.errors import FieldError, Forbidden
from chalicelib.domain.kb import Article, ArticleStatus, Visibility
from chalicelib.kb.articles import article_url, check_publisher, check_slug, plain_text, render_html, slugify
from chalicelib.kb.redact import redact

T0 = datetime(2026, 11, 2, tzinfo=UTC)


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Reset your PIN -- now!", "reset-your-pin-now"),
        ("Kā mainīt PIN kodu?", "ka-mainit-pin-kodu"),
        ("Как сменить PIN?", "как-сменить-pin"),
        ("Πώς αλλάζω το PIN;", "πώς-αλλάζω-το-pin"),
        ("___ ???", "article"),
    ],
)
def test_slugs_keep_the_words_of_any_script_and_drop_latin_accents(title: str, slug: str) -> None:
    assert slugify(title) == slug
    assert check_slug(slug) == slug


@pytest.mark.parametrize("slug", ["Reset", "two--dashes", "-lead", "under_score", "a b", "x" * 81])
def test_a_slug_that_is_not_lower_case_words_joined_by_dashes_is_refused(slug: str) -> None:
    with pytest.raises(FieldError) as refused:
        check_slug(slug)
    assert refused.value.path == "slug"


@pytest.mark.parametrize("word", ["answered", "suggestions", "solve"])
def test_a_slug_never_shadows_a_page_of_the_portals_help_center(word: str) -> None:
    with pytest.raises(FieldError) as refused:
        check_slug(word)
    assert refused.value.path == "slug"
    assert slugify(word.title()) == f"{word}-article"
    assert check_slug(slugify(word)) == f"{word}-article"


def test_markdown_becomes_html_without_scripts_raw_html_or_unsafe_links() -> None:
    html = render_html(
        "# Title\n\n**bold** [ok](https://example.com) [bad](javascript:alert(1)) <script>x()</script>\n\n"
        '<img src=x onerror="alert(1)">\n\n| a | b |\n|---|---|\n| 1 | 2 |\n'
    )
    assert "<h1>Title</h1>" in html and "<strong>bold</strong>" in html
    assert '<a href="https://example.com" rel="noopener noreferrer">ok</a>' in html
    assert "<script" not in html and "javascript:" not in html.replace("[bad](javascript:alert(1))", "")
    assert "<img" not in html and "onerror" not in html.replace('onerror="alert(1)"&gt;', "")
    assert "<table>" in html


def test_the_indexed_text_is_the_words_without_markdown() -> None:
    text = plain_text("# Reset\n\nGo to **Settings** > [Card](https://x.example).\n\n```\nERR_42\n```\n- one\n- two")
    assert text.split() == ["Reset", "Go", "to", "Settings", ">", "Card.", "ERR_42", "one", "two"]
    assert "https://x.example" not in text and "**" not in text


def test_article_urls_name_the_locale_unless_it_is_the_default() -> None:
    assert article_url("en", "reset-pin") == "/portal/kb/reset-pin"
    assert article_url("lv", "ka-mainit") == "/portal/kb/ka-mainit?locale=lv"


def article(visibility: Visibility, status: ArticleStatus) -> Article:
    return Article("K1", "T", "B", "t", "en", "general", (), visibility, status, T0, "A1", T0, "A1")


@pytest.mark.parametrize(
    ("before", "after", "agent_may"),
    [
        (None, (Visibility.PUBLIC, ArticleStatus.DRAFT), True),
        (None, (Visibility.PUBLIC, ArticleStatus.PUBLISHED), False),
        (None, (Visibility.CUSTOMERS, ArticleStatus.PUBLISHED), False),
        (None, (Visibility.AGENTS, ArticleStatus.PUBLISHED), True),
        ((Visibility.PUBLIC, ArticleStatus.PUBLISHED), (Visibility.PUBLIC, ArticleStatus.ARCHIVED), False),
        ((Visibility.PUBLIC, ArticleStatus.PUBLISHED), (Visibility.AGENTS, ArticleStatus.PUBLISHED), False),
        ((Visibility.AGENTS, ArticleStatus.PUBLISHED), (Visibility.PUBLIC, ArticleStatus.PUBLISHED), False),
        ((Visibility.AGENTS, ArticleStatus.PUBLISHED), (Visibility.AGENTS, ArticleStatus.ARCHIVED), True),
        ((Visibility.PUBLIC, ArticleStatus.ARCHIVED), (Visibility.PUBLIC, ArticleStatus.DRAFT), True),
    ],
)
def test_only_admins_publish_change_or_withdraw_what_customers_read(
    before: tuple[Visibility, ArticleStatus] | None, after: tuple[Visibility, ArticleStatus], agent_may: bool
) -> None:
    old = article(*before) if before else None
    new = article(*after)
    check_publisher(old, new, is_admin=True)
    if agent_may:
        check_publisher(old, new, is_admin=False)
    else:
        with pytest.raises(Forbidden):
            check_publisher(old, new, is_admin=False)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Call +44 20 7946 0958 or 020 7946 0958!", "Call [phone] or [phone]!"),
        ("(555) 123-4567 or 555.123.4567", "[phone] or [phone]"),
        ("tel: +371 2 123 4567.", "tel: [phone]."),
        ("zvani 0037126123456", "zvani [phone]"),
        ("mail bob.smith+kb@example.co.uk now", "mail [email] now"),
        ("card 4111 1111 1111 1111 expired", "card [number] expired"),
        (
            "order 12345 on 2024-01-15 (15.01.2024), ip 192.168.1.10",
            "order 12345 on 2024-01-15 (15.01.2024), ip 192.168.1.10",
        ),
        ("version 1.2.3 and 3 items at 10:30", "version 1.2.3 and 3 items at 10:30"),
        ("Звоните +7 495 123-45-67, пишите иван@пример.рф", "Звоните [phone], пишите [email]"),
    ],
)
def test_redaction_replaces_emails_and_phone_numbers_and_keeps_dates_and_versions(text: str, expected: str) -> None:
    assert redact(text) == expected
