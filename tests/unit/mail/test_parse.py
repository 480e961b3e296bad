"""Parsing: headers in every encoding, bodies, attachments, and malformed input that must not raise."""

from __future__ import annotations

import email
import struct
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest

from chalicelib.mail.errors import UnparseableMail
from chalicelib.mail.model import Address
from chalicelib.mail.parse import parse

Sample = Callable[[str], bytes]


def test_rfc2047_headers_addresses_and_threading_ids_are_decoded(sample: Sample) -> None:
    mail = parse(sample("encoded_headers.eml"))
    assert mail.from_ == Address("Jürgen Müller", "juergen@example.de")
    assert mail.to == (Address("Support, Team", "support@example.com"), Address("René", "rene@example.fr"))
    assert mail.cc == (Address("", "carol@example.org"),)
    assert mail.reply_to == (Address("", "replies@example.de"),)
    assert mail.subject == "Grüße aus Köln €"
    assert mail.date == datetime(2024, 3, 5, 14, 30, tzinfo=timezone(timedelta(hours=1)))
    assert mail.message_id == "abc123@mail.example.de"
    assert mail.in_reply_to == "first@example.com"
    assert mail.references == ("root@example.com", "first@example.com")
    assert mail.header("message-id") == "<abc123@mail.example.de>"


def test_quoted_printable_body_in_a_declared_charset_is_decoded(sample: Sample) -> None:
    mail = parse(sample("encoded_headers.eml"))
    assert mail.text == "Schöne Grüße, der Preis ist 10 €."
    assert mail.html is None
    assert mail.defects == ()


def test_rfc2231_continued_filename_and_encoded_words_in_a_filename(sample: Sample) -> None:
    mail = parse(sample("rfc2231_filename.eml"))
    assert [a.filename for a in mail.attachments] == ["Rechnung März €.pdf", "notizä.txt"]
    pdf = mail.attachments[0]
    assert (pdf.content_type, pdf.inline, pdf.content_id) == ("application/pdf", False, None)
    assert pdf.data.startswith(b"%PDF-1.4") and pdf.size == len(pdf.data)
    assert mail.text == "Please find the invoice attached."


def test_inline_image_keeps_its_content_id_and_the_html_keeps_the_cid_reference(sample: Sample) -> None:
    mail = parse(sample("inline_image.eml"))
    (image,) = mail.attachments
    assert (image.filename, image.content_type, image.inline, image.content_id) == (
        "shot1.png",
        "image/png",
        True,
        "shot1@example.com",
    )
    assert image.data.startswith(b"\x89PNG")
    assert mail.html is not None and 'src="cid:shot1@example.com"' in mail.html
    assert mail.text == "See the screenshot: [image: error.png]"


def test_forwarded_message_is_an_attachment_that_parses_back(sample: Sample) -> None:
    mail = parse(sample("forwarded_rfc822.eml"))
    (forwarded,) = mail.attachments
    assert (forwarded.filename, forwarded.content_type) == ("Order 42.eml", "message/rfc822")
    inner = email.message_from_bytes(forwarded.data)
    assert inner["Message-ID"] == "<order42@example.net>"
    assert mail.visible_text == "Forwarding the customer's original mail."


def test_unknown_charset_falls_back_and_is_recorded_as_a_defect(sample: Sample) -> None:
    mail = parse(sample("unknown_charset.eml"))
    assert mail.text == "Café crème"
    assert "CharsetFallback: x-unknown" in mail.defects


def test_raw_utf8_in_headers_is_decoded_not_left_as_surrogates(sample: Sample) -> None:
    mail = parse(sample("raw_8bit_header.eml"))
    assert mail.subject == "Straße ohne Kodierung"
    assert mail.text == "Straße"


def test_html_only_mail_gets_a_text_body_and_its_visible_reply_from_the_html(sample: Sample) -> None:
    mail = parse(sample("html_only_gmail.eml"))
    assert mail.text.startswith("Thanks, it works now.")
    assert "Please restart the printer." in mail.text
    assert mail.visible_text == "Thanks, it works now.\n\nKim"
    assert mail.visible_html is not None and "gmail_quote" not in mail.visible_html
    assert "Please restart" not in mail.visible_html


def test_outlook_web_reply_and_signature_are_cut_at_the_reply_header(sample: Sample) -> None:
    mail = parse(sample("outlook_web.eml"))
    assert mail.visible_text == "That did not help."
    assert mail.html is not None and "Please restart the printer." in mail.html  # the original stays


def test_empty_input_is_unparseable() -> None:
    with pytest.raises(UnparseableMail, match="empty"):
        parse(b"  \r\n ")


def test_garbage_still_parses_into_a_mail_with_defects() -> None:
    mail = parse(b"\x00\xff not a mail at all\n\n\x80\x81")
    assert mail.from_ is None and mail.subject == ""
    assert mail.defects  # the missing header/body separator at least
    assert "not a mail at all" in mail.text


def test_broken_headers_never_raise() -> None:
    raw = (
        b"From: <<<@@@>>>, =?utf-8?B?////?= <a@b\n"
        b"To: undisclosed-recipients:;\n"
        b"Date: the day after tomorrow\n"
        b"Message-ID: not-bracketed@example.com\n"
        b"Subject: =?x-unknown-charset?Q?caf=E9?=\n"
        b"Content-Type: multipart/mixed\n\nno boundary here\n"
    )
    mail = parse(raw)
    assert mail.date is None and "InvalidDateDefect" in mail.defects
    assert mail.message_id == "not-bracketed@example.com"
    assert mail.to == ()
    assert "no boundary here" in mail.text


def test_a_date_without_zone_is_read_as_utc() -> None:
    mail = parse(b"Date: Tue, 5 Mar 2024 14:30:00 -0000\nSubject: x\n\nbody\n")
    assert mail.date == datetime(2024, 3, 5, 14, 30, tzinfo=UTC)


def test_null_return_path_is_an_empty_string() -> None:
    mail = parse(b"Return-Path: <>\nSubject: x\n\nbody\n")
    assert mail.return_path == ""


def _tnef(filename: bytes, data: bytes) -> bytes:
    def obj(level: int, name: int, kind: int, payload: bytes) -> bytes:
        header = struct.pack("<BHHI", level, name, kind, len(payload))
        return header + payload + struct.pack("<H", sum(payload) & 0xFFFF)

    return (
        struct.pack("<IH", 0x223E9F78, 0x0001)
        + obj(2, 0x9002, 0x0006, b"\x00" * 14)
        + obj(2, 0x8010, 0x0001, filename + b"\x00")
        + obj(2, 0x800F, 0x0006, data)
    )


def _with_winmail(payload: bytes) -> bytes:
    import base64

    encoded = base64.encodebytes(payload).decode()
    return (
        "From: outlook@example.com\nSubject: TNEF\nMIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="B"\n\n--B\nContent-Type: text/plain\n\nSee attached.\n'
        '--B\nContent-Type: application/ms-tnef; name="winmail.dat"\n'
        "Content-Disposition: attachment; filename=winmail.dat\nContent-Transfer-Encoding: base64\n\n"
        f"{encoded}--B--\n"
    ).encode()


def test_winmail_dat_is_replaced_by_the_files_inside_it() -> None:
    mail = parse(_with_winmail(_tnef(b"report.txt", b"quarterly numbers")))
    (inside,) = mail.attachments
    assert (inside.filename, inside.content_type, inside.data) == ("report.txt", "text/plain", b"quarterly numbers")


def test_unreadable_winmail_dat_is_kept_as_is_with_a_defect() -> None:
    mail = parse(_with_winmail(b"not tnef at all"))
    (kept,) = mail.attachments
    assert kept.filename == "winmail.dat" and kept.data == b"not tnef at all"
    assert "TnefDecodeError: ValueError" in mail.defects


def test_format_flowed_text_is_unflowed() -> None:
    raw = (
        b"Subject: flowed\nContent-Type: text/plain; charset=utf-8; format=flowed\n\n"
        b"This line is soft \nwrapped by the client.\n\n> quoted \n> text\n"
    )
    assert parse(raw).text.startswith("This line is soft wrapped by the client.\n")


def test_one_invalid_byte_in_a_utf8_part_spoils_only_that_character() -> None:
    body = "Grüße aus Köln, die Bestellung für Zürich ist da. ".encode() * 3 + b"\xff" + "Danke schön!".encode()
    raw = b"From: a@example.com\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n" + body
    mail = parse(raw)
    assert mail.text.startswith("Grüße aus Köln") and mail.text.endswith("\ufffdDanke schön!")
    assert "Ã" not in mail.text  # not read as windows-1252
    assert any(d.startswith("CharsetFallback") for d in mail.defects)


def test_latin1_text_labelled_utf8_still_falls_back_to_windows_1252() -> None:
    raw = b"From: a@example.com\nContent-Type: text/plain; charset=utf-8\n\nCaf\xe9 cr\xe8me, s'il vous pla\xeet"
    assert parse(raw).text == "Café crème, s'il vous plaît"


def test_an_outlook_msg_attachment_labelled_as_text_is_a_binary_attachment() -> None:
    import base64

    msg = base64.b64encode(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64 + b"Subject").decode()
    raw = (
        'From: a@example.com\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="B"\n\n'
        "--B\nContent-Type: text/plain\n\nSee the attached mail.\n"
        '--B\nContent-Type: text/plain; name="Fwd.msg"\nContent-Transfer-Encoding: base64\n\n'
        f"{msg}\n"
        "--B\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\n"
        f"{msg}\n--B--\n"
    ).encode()
    mail = parse(raw)
    assert mail.text == "See the attached mail."
    assert [(a.filename, a.content_type) for a in mail.attachments] == [
        ("Fwd.msg", "application/vnd.ms-outlook"),
        ("attachment.bin", "application/octet-stream"),
    ]


def test_an_address_wholly_inside_one_encoded_word_is_a_name_and_an_address_again() -> None:
    raw = b"From: =?utf-8?q?j=C3=BCrgen_m=C3=BCller_<juergen@example.de>?=\nTo: help@support.example.com\n\nhi\n"
    assert parse(raw).from_ == Address(name="jürgen müller", email="juergen@example.de")
