"""Robustness: every file of the mikel/mail, CPython and django-helpdesk corpora parses and classifies."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conformance.corpora import ROBUSTNESS_CORPORA, robustness_files, score_robustness

MIN_FILES = {"mikel-mail": 100, "cpython-test_email": 48, "django-helpdesk": 6}


@pytest.mark.parametrize("corpus", sorted(ROBUSTNESS_CORPORA))
def test_every_file_of_the_corpus_parses_without_an_exception(
    corpora: Path, corpus: str, record_property: Callable[[str, object], None]
) -> None:
    score = score_robustness(corpora, corpus)
    record_property("conformance", f"robustness, {score.summary}, {score.with_text} with text or attachments")
    print(score.summary, score.errors)
    assert score.files >= MIN_FILES[corpus]
    assert score.errors == []
    assert score.parsed == score.files


def test_the_stress_cases_with_unknown_charsets_decode_with_a_fallback(corpora: Path) -> None:
    from chalicelib.mail.parse import parse

    qmail = parse((corpora / "flufl.bounce/tests/data/qmail_08.txt").read_bytes())
    unknown = parse((corpora / "mikel-mail/spec/fixtures/emails/plain_emails/raw_email10.eml").read_bytes())
    assert "Gracias por contactar" in qmail.text
    assert unknown.text.startswith("Test test.")
    assert any(d.startswith("CharsetFallback") for d in unknown.defects)


def test_django_helpdesk_spot_checks(corpora: Path) -> None:
    from chalicelib.mail.parse import parse

    folder = corpora / "django-helpdesk/tests/test_files"
    files = {p.name: parse(p.read_bytes()) for p in robustness_files(corpora, "django-helpdesk")}
    assert files["quoted_printable.eml"].subject == "Český test"
    assert files["all-special-chars.eml"].visible_text == "íářčšáíéřášč"
    blank = files["blank-body-with-attachment.eml"]
    assert blank.visible_text == "" and [a.filename for a in blank.attachments] == ["baf"]
    assert [a.content_type for a in files["pgp.eml"].attachments] == ["application/pgp-signature"]
    assert files["utf-nondecodable.eml"].visible_text.startswith("Ahoj Johne,")
    assert (folder / "forwarded-message.eml").exists()
