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


# -- classes found on the gathered corpora (tests/corpora), each with a mail written here ----------------------


def test_wrapped_quote_lines_that_lost_their_marker_stay_in_the_quote() -> None:
    text = (
        "Done, the new toner is in.\n\n"
        "On Tue, May 7, 2024 at 9:12 AM Facilities <facilities@example.com> wrote:\n"
        "> Could you please replace the toner in the second floor printer before the\n"
        "audit on Thursday?\n"
        ">\n"
        "> Thanks"
    )
    assert visible_text(text) == "Done, the new toner is in."


def test_a_short_answer_between_quoted_lines_is_still_an_inline_answer() -> None:
    text = (
        "See below.\n\nOn Tue, May 7, 2024 at 9:12 AM Kim <kim@example.com> wrote:\n"
        "> Is the printer on the second floor still broken after the repair on Friday?\n"
        "Yes, since this morning.\n"
        "> And the scanner?\n"
        "Works."
    )
    kept = visible_text(text)
    assert "Yes, since this morning." in kept and kept.endswith("Works.")


def test_an_attribution_whose_address_wrapped_onto_a_marker_like_line_is_cut() -> None:
    attribution = "Il giorno lun 6 mag 2024 alle ore 09:12 Kim <kim@example.co\nm>\nha scritto:"
    text = f"Merci, c'est réglé.\n\n{attribution}\n\n> Ciao"
    assert visible_text(text) == "Merci, c'est réglé."


def test_a_dashed_rule_in_pasted_output_does_not_cut_the_reply() -> None:
    table = (
        "Here is the output:\n"
        "                 QUERY PLAN\n"
        f"{'-' * 90}\n"
        " Limit  (cost=0.00..4.85 rows=1 width=80)\n"
        "   ->  Index Scan using index_events_on_user_id on events  (cost=0.00..3650.32 rows=753 width=80)"
    )
    text = f"{table}\n\nOn Tue, May 7, 2024 at 9:12 AM Kim <kim@example.com> wrote:\n\n> Can you send the plan?"
    assert visible_text(text) == table


def test_a_delimiter_followed_by_a_short_signature_still_cuts_it() -> None:
    assert visible_text("Thanks!\n\n______\nKim Lee\nIT desk\n+1 555 0100") == "Thanks!"


def test_a_device_sign_off_ends_the_reply_even_when_unquoted_history_follows() -> None:
    text = "Yes, Tuesday works.\n\nSent from my Pixel 8\n\nHi Kim, does Tuesday work for the install?\nBest, Sam"
    assert visible_text(text) == "Yes, Tuesday works."


def test_a_sentence_starting_with_sent_from_keeps_the_text_after_it() -> None:
    text = "Hi,\n\nSent from the warehouse today with 3 boxes\nThe tracking number is 1Z999."
    assert visible_text(text) == text


def test_a_dated_attribution_without_colon_right_after_the_reply_is_cut() -> None:
    text = "Works now\n2024/5/7 Kim Lee <kim@example.com>\n\n>  Try the other cable"
    assert visible_text(text) == "Works now"


def test_two_quoted_header_lines_with_a_time_end_the_reply() -> None:
    text = "Received, thanks.\n\nDate: Tue, 7 May 2024 09:12:00 +0200\nTo: kim@example.com\n\nPlease find the invoice."
    assert visible_text(text) == "Received, thanks."


def test_a_text_line_above_an_attribution_is_not_swallowed_into_it() -> None:
    text = "Fixed.\nsee ticket 42 --- On Tue, May 7, 2024 at 9:12 AM, kim@example.com wrote:\n> Is it fixed?"
    assert visible_text(text).startswith("Fixed.")


def test_an_attribution_glued_to_the_last_typed_line_keeps_the_typed_words() -> None:
    text = "Fixed.\nreply On Tue, May 7, 2024 at 9:12 AM, kim@example.com wrote:\n> Is it fixed?"
    assert visible_text(text) == "Fixed.\nreply"
    text = "Fixed.\nsee ticket 42--- On Tue, May 7, 2024 at 9:12 AM, kim@example.com wrote:\n> Is it fixed?"
    assert visible_text(text) == "Fixed.\nsee ticket 42"


def test_an_attribution_without_a_colon_ends_the_reply_even_over_unquoted_history() -> None:
    text = "Tuesday works.\n\nOn Wed, 14 Nov 2018 08:14:43 -0200 Kim Lee <kim@example.com> wrote\n\nWhen are you free?"
    assert visible_text(text) == "Tuesday works."


def test_a_sentence_about_what_someone_wrote_is_not_an_attribution() -> None:
    text = "Thanks.\nOn Monday, 4 Nov 2013 4:29 PM, Kim <kim@example.com> wrote me this message\nIs it right?"
    assert visible_text(text) == text


def test_a_gmail_attribution_whose_address_wrapped_after_the_bracket_is_cut() -> None:
    assert visible_text("Works now\n\n2013/11/1 Kim Lee <\nkim@example.com>\n\n> Try it") == "Works now"


@pytest.mark.parametrize(
    "separator",
    ["-------- Oprindelig besked --------", "--- Mesajul original ---", "----- Továbbított üzenet -----"],
)
def test_original_message_separators_in_more_languages_end_the_reply(separator: str) -> None:
    text = f"{REPLY}\n\n{separator}\nFra: Support <support@example.com>\n\nPlease restart."
    assert visible_text(text) == REPLY


def test_outlook_download_sign_offs_in_other_languages_end_the_reply() -> None:
    text = f"{REPLY}\n\nTélécharger Outlook pour iOS<https://aka.ms/o0ukef>\n____\nFrom: Support\nSent: today\nTo: Kim"
    assert visible_text(text) == REPLY


def test_a_single_em_dash_line_is_not_a_signature_delimiter() -> None:
    text = "🎉\n\n—\nJohn Doe\nCEO at Pandaland"
    assert visible_text(text) == text


def test_a_date_only_attribution_without_verb_or_time_ends_the_reply() -> None:
    text = f'{REPLY}\n\n30.09.2017, "Kim - Support" <kim@example.com>:\n\nPlease restart.'
    assert visible_text(text) == REPLY


def test_a_sign_off_under_the_quote_closes_the_reply_and_the_quote_goes() -> None:
    text = "Works now.\nOn Tue, May 7, 2024 at 9:12 AM, Kim <kim@example.com> wrote:\n\n> Does it work?\n\nRegards, Sam"
    assert visible_text(text) == "Works now.\nRegards, Sam"


def test_an_answer_under_the_quote_keeps_the_quote_it_answers() -> None:
    attribution = "On Tue, May 7, 2024 at 9:12 AM, Kim <kim@example.com> wrote:"
    text = f"See below.\n{attribution}\n> Which model?\nThe LX-200, bought in May."
    assert visible_text(text) == "See below.\n> Which model?\nThe LX-200, bought in May."


@pytest.mark.parametrize(
    "attribution",
    [
        "El mar, 4 mar 2024 a las 10:00, Ana y Luis <ana@example.com> escribieron:",
        "El 04/03/2024 10:00, Ana <ana@example.com> va escriure:",
        "El 04/03/2024 10:00, Ana <ana@example.com> ha escrit:",
        "W dniu 2024-03-04 10:00, ana@example.com pisze:",
        "Dnia 4 marca 2024 10:00 Ana <ana@example.com> napisała:",
        "Wiadomość napisana przez Ana <ana@example.com> w dniu 04.03.2024, o godz. 10:00:",
        "Dne po 4. 3. 2024 10:00 uživatel Ana <ana@example.com> napsal:",
        "Dňa 4. 3. 2024 o 10:00 Ana <ana@example.com> napísal(a):",
        "lun., 4 mar. 2024, 10:00 Ana <ana@example.com> a scris:",
        "Em seg., 4 de mar. de 2024 às 10:00, Ana <ana@example.com> escreveu:",
        "Il giorno lun 4 mar 2024 alle 10:00 Ana <ana@example.com> hanno scritto:",
        "пн, 4 бер. 2024 р. о 10:00 Ана <ana@example.com> пише:",
        "Vào 10:00 Th 2, 4 thg 3, 2024 Ana <ana@example.com> đã viết:",
        "Pada tanggal 4 Mar 2024 10:00, Ana <ana@example.com> menulis:",
        "في الاثنين، 4 مارس 2024 10:00 Ana <ana@example.com> كتب:",
        "2024年3月4日(月) 10:00 Ana <ana@example.com>のメッセージ:",
        "2024년 3월 4일 (월) 오전 10:00, Ana <ana@example.com>님이 작성:",
        "Ana <ana@example.com> schrieb am Mo., 4. März 2024 um 10:00:",
        "Ana <ana@example.com> kirjoitti 4.3.2024 kello 10.00:",
    ],
)
def test_attributions_in_more_languages_end_the_reply(attribution: str) -> None:
    assert visible_text(f"{REPLY}\n\n{attribution}\n\n> Please restart.\n") == REPLY


@pytest.mark.parametrize(
    "history",
    [
        "Mon, Mar 4, 2024 at 10:00 AM\nAna Lopez <ana@example.com>\nwrote:\n\n> Please restart.",
        "March 4, 2024 at 10:00 AM\nAna Lopez <ana@example.com> wrote:\n\nPlease restart.",
        "El lun, 4 mar 2024 a las 10:00,\nAna Lopez (<ana@example.com>)\nescribió:\n\nReinicie.",
    ],
)
def test_an_attribution_spread_over_two_or_three_lines_ends_the_reply(history: str) -> None:
    assert visible_text(f"{REPLY}\n\n{history}\n") == REPLY


def test_an_outlook_header_block_in_an_unknown_language_ends_the_reply() -> None:
    history = (
        "Saatja: Ana Lopez <ana@example.com>\nSaadetud: 4. märts 2024 10:00\nAdressaat: Kim\nTeema: Printer\n\n"
        "Please restart."
    )
    assert visible_text(f"{REPLY}\n\n{history}\n") == REPLY


def test_labelled_lines_in_a_reply_without_an_address_and_a_date_are_kept() -> None:
    text = "Here is what I tried:\n\nPrinter: HP 4050\nDriver: 6.1\nCable: USB\n\nIt still fails."
    assert visible_text(text) == text


def test_a_sentence_that_says_someone_wrote_on_a_day_is_kept() -> None:
    text = "Our manager wrote on 4 March 2024 that it was fixed.\nIt is not fixed.\n\nKim"
    assert visible_text(text) == text


def test_an_attribution_without_its_colon_above_quoted_headers_is_cut() -> None:
    history = "Am 04.03.24 um 10:00 schrieb Support Team\nVon: Support Team\nDatum: 4. März 2024\nAn: Kim\n"
    assert visible_text(f"Danke.\nMit freundlichen Grüßen\n{history}") == "Danke.\nMit freundlichen Grüßen"


@pytest.mark.parametrize(
    "separator",
    [
        "-----Original-Nachricht-----\nVon: Support\nDatum: 04.03.2024",
        "-------- Ursprüngliche Nachricht --------Von: Support  Datum: 04.03.24  10:00  An: Kim",
        "----- Missatge original -----\nDe: Support",
    ],
)
def test_original_message_separators_glued_or_hyphenated_end_the_reply(separator: str) -> None:
    assert visible_text(f"{REPLY}\n{separator}\n\nPlease restart.\n") == REPLY


@pytest.mark.parametrize(
    "sign_off",
    [
        "Az iPhone-omról küldve",
        "Verzonden vanuit Outlook voor iOS",
        "Trimis de pe iPhone-ul meu",
        "Lähetetty iPhonesta",
        "Odoslané z iPhonu",
        "Poslano s mog iPhonea",
        "iPhone'umdan gönderildi",
        "Στάλθηκε από το iPhone μου",
        "Dikirim dari iPhone saya",
        "أرسلت من الـ iPhone",
    ],
)
def test_phone_sign_offs_in_more_languages_end_the_reply(sign_off: str) -> None:
    text = f"{REPLY}\n{sign_off}\n\nsupport@example.com wrote:\n\nPlease restart."
    assert visible_text(text) == REPLY


@pytest.mark.parametrize(
    "form",
    [
        "Name: Kim Lee\nEmail: kim@example.com\nOrder date: 04.03.2024\nOrder: 5512",
        "Email: kim@example.com\nName: Kim Lee\nOrder date: 4 March 2024",
    ],
)
def test_a_pasted_form_with_an_address_and_a_date_is_not_a_header_block(form: str) -> None:
    text = f"Here are my details:\n\n{form}\n\nPlease change the delivery address."
    assert visible_text(text) == text
