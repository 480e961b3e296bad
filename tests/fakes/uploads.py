"""An in-memory UploadStore over the in-memory object store: a test "uploads" a file with ``receive``."""

from __future__ import annotations

from urllib.parse import urlencode

from chalicelib.storage.uploads import UploadForm
from tests.fakes.objects import InMemoryObjectStore

FAKE_S3 = "https://uploads.s3.example"


class InMemoryUploadStore:
    def __init__(self, objects: InMemoryObjectStore) -> None:
        self.objects = objects
        self.forms: list[tuple[str, int, str]] = []  # (prefix, max bytes, redirect)
        self.copies: list[tuple[str, str, str, str]] = []  # (source, target, content type, filename)

    def upload_form(self, bucket: str, prefix: str, max_bytes: int, redirect: str, expires_seconds: int) -> UploadForm:
        self.forms.append((prefix, max_bytes, redirect))
        fields = {"key": prefix + "${filename}", "success_action_redirect": redirect, "policy": "fake"}
        return UploadForm(f"{FAKE_S3}/{bucket}", fields)

    def receive(self, bucket: str, filename: str, data: bytes) -> str:
        """What S3 does with a browser's POST of the last form: store the file, return the redirect URL."""
        prefix, _, redirect = self.forms[-1]
        key = prefix + filename
        self.objects.put(bucket, key, data, "application/octet-stream")
        joiner = "&" if "?" in redirect else "?"
        return redirect + joiner + urlencode({"bucket": bucket, "key": key, "etag": '"fake"'})

    def size(self, bucket: str, key: str) -> int | None:
        found = self.objects.objects.get((bucket, key))
        return len(found[0]) if found else None

    def copy(self, bucket: str, source: str, target: str, content_type: str, filename: str) -> None:
        data, _ = self.objects.objects[(bucket, source)]
        self.objects.put(bucket, target, data, content_type)
        self.copies.append((source, target, content_type, filename))

    def delete(self, bucket: str, key: str) -> None:
        self.objects.objects.pop((bucket, key), None)

    def download_url(self, bucket: str, key: str, filename: str, content_type: str, expires_seconds: int) -> str:
        query = urlencode({"disposition": "attachment", "filename": filename, "type": content_type})
        return f"{FAKE_S3}/{bucket}/{key}?{query}"
