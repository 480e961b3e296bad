# ruff: noqa: RUF001 -- mail in Cyrillic and Chinese, with their own punctuation
"""The visible reply: quoted history and signatures removed, in the languages and clients mail comes from."""

from __future__ import annotations

import pytest

from chalicelib.mail.quotes import visible_text
from chalicelib.mail.quotes_html import visible_html

REPLY = "Thanks, that fixed it."


@pytest.mark.parametrize(
    "history",
    [
        "On Mon, Mar 4, 2024 at 10:00 AM Support <support@example.com> wrote:\n\n> Please restart.",
        "On Mon, Mar 4, 2024 at 10:00 AM Support <\nsupport@example.com> wrote:\n\n> Please restart.",
        "Am 04.03.2024 um 10:00 schrieb Support <support@example.com>:\n> Bitte neu starten.",
        "Le lun. 4 mars 2024 à 10:00, Support <support@example.com> a écrit :\n> Redémarrez.",
        "El lun, 4 mar 2024 a las 10:00, Support (<support@example.com>) escribió:\n> Reinicie.",
        "Il giorno lun 4 mar 2024 alle ore 10:00 Support <support@example.com> ha scritto:\n> Riavvia.",
        "Op ma 4 mrt 2024 om 10:00 schreef Support <support@example.com>:\n> Herstart.",
        "Den 4 mars 2024 kl. 10:00 skrev Support <support@example.com>:\n> Starta om.",
        "4 марта 2024 г., в 10:00, Support <support@example.com> написал(а):\n> Перезагрузите.",
        "在 2024年3月4日 10:00，Support <support@example.com> 写道：\n> 请重启。",
        "-----Original Message-----\nFrom: Support\nSent: Monday, March 4, 2024 10:00\nTo: Kim\nSubject: Printer",
        "________________________________\nFrom: Support <support@example.com>\nSent: Monday, March 4, 2024 10:00"
        "\nTo: Kim\nSubject: Printer\n\nPlease restart.",
        "Von: Support <support@example.com>\nGesendet: Montag, 4. März 2024 10:00\nAn: Kim\nBetreff: Drucker",
        "De : Support <support@example.com>\nEnvoyé : lundi 4 mars 2024 10:00\nÀ : Kim\nObjet : Imprimante",
        "---------- Forwarded message ---------\nFrom: Support <support@example.com>\nDate: Mon, Mar 4, 2024",
        "> Please restart the printer.\n> \n> Support",
    ],
)
def test_quoted_history_after_the_reply_is_removed(history: str) -> None:
    assert visible_text(f"{REPLY}\n\n{history}\n") == REPLY


@pytest.mark.parametrize(
    "signature",
    ["-- \nKim Lee\nACME Corp", "Sent from my iPhone", "Von meinem iPad gesendet", "Envoyé de mon iPhone"],
)
def test_signatures_are_removed_unless_asked_to_keep_them(signature: str) -> None:
    text = f"{REPLY}\n\n{signature}\n"
    assert visible_text(text) == REPLY
    assert visible_text(text, strip_signature=False) == text.strip()


def test_inline_answers_keep_the_quotes_they_answer() -> None:
    text = (
        "On Mon, Mar 4, 2024 at 10:00 AM Support <support@example.com> wrote:\n"
        "> Did you restart it?\n\nYes, twice.\n\n> Is the cable plugged in?\n\nIt is.\n"
    )
    assert visible_text(text) == "> Did you restart it?\n\nYes, twice.\n\n> Is the cable plugged in?\n\nIt is."


def test_text_that_merely_mentions_writing_or_sending_is_kept() -> None:
    text = (
        "On Monday I wrote to your colleague about this.\nSent from the office, the invoice was wrong.\n"
        "From: the accounting team, we need a copy.\n\nCan you help?"
    )
    assert visible_text(text) == text


def test_a_mail_without_a_reply_keeps_a_plain_quote() -> None:
    assert visible_text("> only a quote\n") == "> only a quote"


def test_gmail_apple_and_outlook_html_quote_containers_are_removed() -> None:
    gmail = '<div>Reply</div><div class="gmail_quote">On Mon ... wrote:<blockquote>old</blockquote></div>'
    apple = '<div>Reply</div><blockquote type="cite"><div>On 4 Mar 2024, Support wrote:</div>old</blockquote>'
    outlook = '<div>Reply</div><div id="appendonsend"></div><hr><div id="divRplyFwdMsg">From: x</div><div>old</div>'
    for html in (gmail, apple, outlook):
        visible = visible_html(html)
        assert "Reply" in visible and "old" not in visible and "wrote" not in visible


def test_outlook_desktop_html_is_cut_at_its_from_sent_block() -> None:
    html = (
        "<div class=WordSection1><p>Reply<o:p></o:p></p><p><b>From:</b> Support [mailto:s@example.com]<br>"
        "<b>Sent:</b> Monday, March 4, 2024 10:00 AM<br><b>To:</b> Kim<br><b>Subject:</b> Printer</p>"
        "<p>old</p></div>"
    )
    visible = visible_html(html)
    assert "Reply" in visible and "old" not in visible and "From:" not in visible


def test_pasted_log_lines_and_separators_in_a_long_reply_are_kept() -> None:
    lines = [f"Point {n}: the invoice shows the wrong VAT." for n in range(14)]
    text = (
        "The import fails every night. Log:\n\n"
        "2024-03-04 10:00 ERROR import for foo@bar.com failed\n"
        "2024-03-04 10:01 ERROR import for baz@bar.com failed\n\n"
        "2024-03-05 10:00 ERROR import for foo@bar.com failed\n\n"
        "Separately:\n---\n" + "\n".join(lines) + "\n\nThanks, Kim"
    )
    assert visible_text(text) == text


def test_gmail_date_attribution_without_a_verb_ends_the_reply() -> None:
    text = "Yes.\n\n2024-03-04 10:00 GMT+01:00 Support <support@example.com>:\n\n> Did it work?\n"
    assert visible_text(text) == "Yes."
