"""Customer files: the presigned form, what comes back from storage, signed references, keeping and serving."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.portal.uploads import KEPT_PREFIX, Uploads, download_type, type_of
from chalicelib.storage.uploads import attachment_disposition
from chalicelib.web.forms import FormError
from tests.fakes.objects import InMemoryObjectStore
from tests.fakes.uploads import InMemoryUploadStore

BUCKET = "mail"
T0 = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)


class Clock:
    now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def parts() -> tuple[Uploads, InMemoryUploadStore, Clock]:
    store, clock = InMemoryUploadStore(InMemoryObjectStore()), Clock()
    return Uploads(store, BUCKET, b"k" * 32, 1000, clock), store, clock


def received(
    uploads: Uploads, store: InMemoryUploadStore, name: str, data: bytes, binding: str = "session:a"
) -> object:
    form = uploads.form(binding, "https://help.example.com/portal/uploads/done", "/portal/tickets/new")
    assert form.fields["key"].endswith("/${filename}") and form.origin == "https://uploads.s3.example"
    back = store.receive(BUCKET, name, data)
    from urllib.parse import parse_qs, urlsplit

    query = parse_qs(urlsplit(back).query)
    return uploads.received(query["u"][0], query["key"][0])


def test_a_file_comes_back_as_a_reference_signed_for_the_browser_that_asked(
    parts: tuple[Uploads, InMemoryUploadStore, Clock],
) -> None:
    uploads, store, _ = parts
    back, file = received(uploads, store, "Report.PDF", b"%PDF-1.7")  # type: ignore[misc]
    assert back == "/portal/tickets/new"
    assert (file.filename, file.content_type, file.size) == ("Report.PDF", "application/pdf", 8)
    [again] = uploads.files("session:a", [file.ref])
    assert again.key == file.key
    with pytest.raises(FormError):
        uploads.files("session:b", [file.ref])
    with pytest.raises(FormError):
        uploads.files("session:a", [file.ref[:-2] + "xx"])


@pytest.mark.parametrize("name", ["index.html", "x.svg", "script.js", "noextension", ".pdf", "a.exe"])
def test_types_outside_the_list_are_refused_and_deleted(
    parts: tuple[Uploads, InMemoryUploadStore, Clock], name: str
) -> None:
    uploads, store, _ = parts
    with pytest.raises(FormError) as refused:
        received(uploads, store, name, b"<script>alert(1)</script>")
    assert refused.value.problems[0].field == "file"
    assert [k for (_, k) in store.objects.objects] == []


def test_a_file_over_the_limit_is_refused_and_deleted(parts: tuple[Uploads, InMemoryUploadStore, Clock]) -> None:
    uploads, store, _ = parts
    with pytest.raises(FormError):
        received(uploads, store, "big.png", b"x" * 1001)
    assert store.objects.objects == {}


def test_a_key_outside_the_forms_folder_or_an_old_form_is_refused(
    parts: tuple[Uploads, InMemoryUploadStore, Clock],
) -> None:
    uploads, store, clock = parts
    form = uploads.form("session:a", "https://h/portal/uploads/done", "/portal")
    note = form.fields["success_action_redirect"].split("u=", 1)[1]
    store.objects.put(BUCKET, "uploads/other/x.png", b"png")
    with pytest.raises(FormError):
        uploads.received(note, "uploads/other/x.png")
    clock.now = T0 + timedelta(hours=2)
    with pytest.raises(FormError):
        uploads.received(note, form.fields["key"].replace("${filename}", "x.png"))
    assert uploads.back(note) is None


def test_kept_files_are_copied_with_our_type_as_attachments(parts: tuple[Uploads, InMemoryUploadStore, Clock]) -> None:
    uploads, store, _ = parts
    _, file = received(uploads, store, "notes.txt", b"hello")  # type: ignore[misc]
    [kept] = uploads.keep([file], "C1")
    assert kept["key"].startswith(f"{KEPT_PREFIX}C1/") and kept["key"].endswith("/notes.txt")
    assert kept == {"key": kept["key"], "filename": "notes.txt", "content_type": "text/plain; charset=utf-8", "size": 5}
    assert store.copies == [(file.key, kept["key"], "text/plain; charset=utf-8", "notes.txt")]
    assert store.size(BUCKET, file.key) is None and store.size(BUCKET, kept["key"]) == 5


def test_downloads_are_attachments_and_unknown_types_opaque_bytes(
    parts: tuple[Uploads, InMemoryUploadStore, Clock],
) -> None:
    uploads, _, _ = parts
    url = uploads.download_url({"key": "attachments/x/page.html", "filename": "page.html", "content_type": "text/html"})
    assert "disposition=attachment" in url and "type=application%2Foctet-stream" in url
    assert download_type("image/png") == "image/png" and download_type("image/svg+xml") == "application/octet-stream"
    assert type_of("photo.JPG") == "image/jpeg" and type_of("a.tar.gz") is None


def test_the_disposition_names_the_file_safely_in_ascii_and_utf8() -> None:
    value = attachment_disposition('счёт "март".pdf')
    assert value.startswith('attachment; filename="')
    assert '"март"' not in value and "filename*=UTF-8''%D1%81%D1%87%D1%91%D1%82%20%22" in value
