# ruff: noqa: RUF001 - the demo has a Russian article, and an en dash is the right sign for a range of days
"""The demo's help articles: what a newcomer sees at ``/portal/kb`` after ``make run``, on the same topics as the
demo tickets, so the new-request form's suggestions and the acknowledgement mail's articles have something to
offer. Published by the demo admin through the knowledge base's own service (the index is built by the
``kb`` consumer when the seed's events are settled)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chalicelib.bootstrap.container import Container

# title, category, tags, visibility, body (Markdown), locale
ARTICLES: tuple[tuple[str, str, tuple[str, ...], str, str, str], ...] = (
    (
        "Reset your password",
        "Account",
        ("login", "password"),
        "public",
        "Forgot your password or locked out after a reset?\n\n"
        "1. Open the sign-in page and choose **Forgot password**.\n"
        "2. Enter the email address of your account.\n"
        "3. Follow the link we send you within 30 minutes.\n\n"
        "Still cannot log in? Clear your browser's cookies for our site and try again.",
        "en",
    ),
    (
        "Add a second admin to your account",
        "Account",
        ("admin", "users"),
        "customers",
        "Admins manage users and billing. To add one:\n\n"
        "1. Go to **Settings → Users**.\n2. Choose **Invite**, enter their email and pick the *Admin* role.\n\n"
        "The invitation is valid for 7 days.",
        "en",
    ),
    (
        "Why does my invoice show this VAT rate?",
        "Billing",
        ("invoice", "vat", "billing"),
        "public",
        "The VAT rate on an invoice follows the billing address and VAT number on your account **on the invoice "
        "date**. If either was wrong, correct it under **Settings → Billing**; we then issue a corrected invoice "
        "on request.",
        "en",
    ),
    (
        "When will I get my refund?",
        "Billing",
        ("refund", "billing"),
        "public",
        "Refunds go back to the card or account you paid with. Card refunds take **5–10 business days** to "
        "appear, bank transfers 1–3 business days. Past 10 business days, open a request and include the "
        "refund's reference.",
        "en",
    ),
    (
        "My card was declined although there are funds",
        "Payments",
        ("card", "payments"),
        "public",
        "A decline with funds available is usually one of:\n\n"
        "- the card's online or foreign payments are turned off in your bank's app;\n"
        "- the billing address does not match the one your bank has;\n"
        "- a daily limit was reached.\n\n"
        "Check these first, then try again.",
        "en",
    ),
    (
        "Exporting data through the API",
        "API",
        ("api", "export"),
        "public",
        "Large exports run in the background: `POST /exports` returns an id, and `GET /exports/{id}` says when "
        "the file is ready. A `502` on a bulk request means it ran too long: split it by date range.",
        "en",
    ),
    (
        "Сброс пароля",
        "Аккаунт",
        ("вход", "пароль"),
        "public",
        "Забыли пароль?\n\n1. На странице входа выберите **Забыли пароль**.\n"
        "2. Введите адрес почты вашего аккаунта.\n3. Перейдите по ссылке из письма в течение 30 минут.",
        "ru",
    ),
    (
        "Escalating API incidents to L2",
        "Internal",
        ("api", "escalation"),
        "agents",
        "Agents only: attach the request id and the time in UTC, set the ticket to *urgent* and escalate to "
        "**Support L2**.",
        "en",
    ),
)


def seed_articles(svc: Container, admin_id: str) -> int:
    """Publish the demo's articles; the number published."""
    from chalicelib.domain.kb import ArticleStatus, Visibility
    from chalicelib.kb.service import Editor, NewArticle

    editor = Editor(admin_id, admin=True)
    for title, category, tags, visibility, body, locale in ARTICLES:
        new = NewArticle(
            title,
            body,
            locale=locale,
            category=category,
            tags=tags,
            visibility=Visibility(visibility),
            status=ArticleStatus.PUBLISHED,
        )
        svc.kb.articles.create(editor, new)
    return len(ARTICLES)
