"""Parsing limits (issue 9, section 3): hostile mail ends in a typed, reasoned error, never in a crash, and no
mail costs more than a bounded amount of memory."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from chalicelib.mail import limits
from chalicelib.mail.classify import classify
from chalicelib.mail.errors import MailTooComplex, UnparseableMail
from chalicelib.mail.model import Address
from chalicelib.mail.parse import parse
from tests.unit.mail import hostile

ROOT = Path(__file__).resolve().parents[3]


def _refused(raw: bytes) -> MailTooComplex:
    with pytest.raises(MailTooComplex) as caught:
        parse(raw)
    return caught.value


def test_a_multipart_nested_2000_deep_is_refused_as_too_deep_not_a_recursion_error() -> None:
    error = _refused(hostile.nested_multipart(2_000))
    assert (error.reason, error.limit, error.found) == ("too_deep", limits.MAX_DEPTH, limits.MAX_DEPTH + 1)
    assert isinstance(error, UnparseableMail)  # what the inbound handler quarantines
    assert str(error) == "too deep: 51 over the limit of 50"


def test_nesting_up_to_the_limit_still_parses() -> None:
    mail = parse(hostile.nested_multipart(limits.MAX_DEPTH - 1))
    assert mail.text == "hi"


def test_1500_attachments_are_refused_as_too_many_parts() -> None:
    error = _refused(hostile.attachments(1_500))
    assert (error.reason, error.limit) == ("too_many_parts", limits.MAX_PARTS)


def test_a_mail_with_many_attachments_under_the_limit_keeps_them_all() -> None:
    mail = parse(hostile.attachments(limits.MAX_PARTS - 1))
    assert len(mail.attachments) == limits.MAX_PARTS - 1
    assert mail.visible_text == "See the files."


def test_90k_cjk_characters_in_text_and_html_are_read_in_full() -> None:
    """Long but legitimate: the parser reads all of it (storing it is the caller's business)."""
    mail = parse(hostile.cjk_text_and_html(90_000))
    assert mail.text == "漢" * 90_000
    assert mail.visible_text == "漢" * 90_000
    assert mail.html is not None and mail.html.count("漢") == 90_000


def test_a_3000_character_message_id_is_refused() -> None:
    error = _refused(hostile.long_message_id(3_000))
    assert (error.reason, error.limit, error.found) == ("message_id_too_long", 984, 3_012)


def test_an_overlong_id_in_references_is_dropped_since_it_can_name_no_stored_mail() -> None:
    long_id = "y" * 2_000 + "@example.com"
    raw = (
        "From: a@example.com\r\nMessage-ID: <ok@example.com>\r\nIn-Reply-To: <" + long_id + ">\r\n"
        "References: <first@example.com> <" + long_id + ">\r\n\r\nHello\r\n"
    ).encode()
    mail = parse(raw)
    assert (mail.message_id, mail.in_reply_to, mail.references) == ("ok@example.com", None, ("first@example.com",))
    assert "MessageIdTooLong" in mail.defects


def test_mail_larger_than_ses_accepts_is_refused_before_parsing() -> None:
    raw = b"From: a@example.com\r\nSubject: big\r\n\r\n" + b"a" * limits.MAX_RAW_BYTES
    error = _refused(raw)
    assert (error.reason, error.found) == ("too_large", len(raw))


def test_decoded_content_over_the_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_DECODED_BYTES", 100)
    error = _refused(hostile.attachments(40))  # 40 files of 3 decoded bytes, plus the text
    assert (error.reason, error.limit) == ("too_large", 100)


def test_too_many_header_fields_are_refused() -> None:
    fields = "".join(f"X-Filler-{i}: {i}\r\n" for i in range(limits.MAX_HEADER_FIELDS))
    error = _refused(f"From: a@example.com\r\n{fields}\r\nHello\r\n".encode())
    assert (error.reason, error.limit) == ("too_many_headers", limits.MAX_HEADER_FIELDS)


def test_a_header_section_over_a_megabyte_is_refused() -> None:
    fields = "".join(f"X-Filler: {'z' * 900}\r\n" for _ in range(1_200))
    error = _refused(f"From: a@example.com\r\n{fields}\r\nHello\r\n".encode())
    assert (error.reason, error.limit) == ("header_too_long", limits.MAX_HEADER_BYTES)


def test_a_content_type_with_thousands_of_parameters_is_refused() -> None:
    params = ";\r\n ".join(f'p{i}="v{i}"' for i in range(3_300))
    error = _refused(f"From: a@example.com\r\nContent-Type: text/plain; {params}\r\n\r\nHello\r\n".encode())
    assert (error.reason, error.limit) == ("header_too_long", limits.MAX_MIME_HEADER_CHARS)


def test_a_3300_line_header_is_decoded_without_the_structured_parser() -> None:
    mail = parse(hostile.long_header(3_300))
    assert mail.subject.startswith("a longer word number 0 éèa longer word number 1 éè")  # RFC 2047: no space
    assert mail.subject.endswith("a longer word number 3299 éè")
    assert "LongHeaderDecodedAsText: Subject" in mail.defects


def test_3300_recipients_are_all_read_without_the_structured_parser() -> None:
    mail = parse(hostile.many_recipients(3_300))
    assert len(mail.to) == 3_300 and mail.to[-1] == Address("User 3299", "user3299@example2.com")
    assert "LongHeaderDecodedAsText: To" in mail.defects


def test_classify_reads_reports_within_the_same_limits() -> None:
    """classify re-reads the raw mail for bounce detection: the same limits apply there."""
    mail = parse(b"From: MAILER-DAEMON@example.com\r\nSubject: Undelivered Mail\r\n\r\nSorry.\r\n")
    assert classify(mail).bounce is not None
    with pytest.raises(MailTooComplex):
        limits.message_from_bytes(hostile.nested_multipart(100), limits.EmailPolicy())


_PROBE = """
import json, resource, sys
from chalicelib.mail.classify import classify
from chalicelib.mail.errors import MailTooComplex
from chalicelib.mail.parse import parse
from tests.unit.mail import hostile

classify(parse(hostile.attachments(3)))  # imports and first-use work are the base
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
peaks = {}
for name, raw in [
    ("long_header", hostile.long_header(3_300)),
    ("recipients", hostile.many_recipients(3_300)),
    ("nested", hostile.nested_multipart(2_000)),
    ("attachments", hostile.attachments(1_500)),
    ("cjk", hostile.cjk_text_and_html(90_000)),
]:
    try:
        classify(parse(raw))
    except MailTooComplex:
        pass
    peaks[name] = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) // 1024
print(json.dumps(peaks))
"""


def test_peak_memory_per_hostile_mail_stays_under_100_mb_over_the_base() -> None:
    """Measured in a fresh process (peak RSS, so C allocations of the HTML libraries count too). Before the
    limits, the 3,300-line header alone peaked 287 MB above the base."""
    out = subprocess.run([sys.executable, "-c", _PROBE], cwd=ROOT, capture_output=True, text=True, check=True)
    peaks = json.loads(out.stdout.strip().splitlines()[-1])
    assert set(peaks) == {"long_header", "recipients", "nested", "attachments", "cjk"}
    assert max(peaks.values()) <= 100, peaks


def test_nothing_to_parse_has_its_own_reasons() -> None:
    with pytest.raises(UnparseableMail) as empty:
        parse(b"\r\n")
    with pytest.raises(UnparseableMail) as not_bytes:
        parse("From: a@example.com\r\n\r\nhi")  # type: ignore[arg-type]
    assert (empty.value.reason, not_bytes.value.reason) == ("empty", "not_bytes")
    assert not isinstance(empty.value, MailTooComplex)
