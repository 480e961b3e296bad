# ruff: noqa: RUF001 -- subjects in Cyrillic and Chinese, with their own punctuation
"""Subject helpers: localised reply and forward prefixes, ticket tokens."""

from __future__ import annotations

import pytest

from chalicelib.mail.subjects import normalise_subject, ticket_token_in_subject


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Re: Printer", "Printer"),
        ("RE: RE: Fwd: Printer", "Printer"),
        ("AW: WG: Drucker", "Drucker"),
        ("SV: VS: Skrivare", "Skrivare"),
        ("Antw: Printer", "Printer"),
        ("Ответ: Принтер", "Принтер"),
        ("回复：打印机", "打印机"),
        ("回复: 打印机", "打印机"),
        ("Re[2]: Printer", "Printer"),
        ("RE : Imprimante", "Imprimante"),
        ("TR: Imprimante", "Imprimante"),
        ("RV: Impresora", "Impresora"),
        ("Odp: Drukarka", "Drukarka"),
        ("Fwd:Fwd:  Printer   on   fire ", "Printer on fire"),
        ("AW: [#12] Re: Printer", "[#12] Printer"),
        ("[support] Re: Printer", "[support] Printer"),
        ("Reminder: Printer", "Reminder: Printer"),
        ("Invoice: 12", "Invoice: 12"),
        ("Re:", ""),
        (None, ""),
    ],
)
def test_normalise_subject_strips_reply_and_forward_prefixes(subject: str | None, expected: str) -> None:
    assert normalise_subject(subject) == expected


@pytest.mark.parametrize(
    ("subject", "number"),
    [
        ("Re: [#1234] Printer", 1234),
        ("[# 56 ] Printer", 56),
        ("[#1] first [#2] second", 1),
        ("#1234 Printer", None),
        ("[1234] Printer", None),
        ("", None),
        (None, None),
    ],
)
def test_ticket_token_in_subject(subject: str | None, number: int | None) -> None:
    assert ticket_token_in_subject(subject) == number
