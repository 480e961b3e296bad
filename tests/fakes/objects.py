"""An in-memory object store (S3 stand-in) for unit tests."""

from __future__ import annotations

from chalicelib.storage.objects import MissingObject


class InMemoryObjectStore:
    def __init__(self) -> None:
        self.objects: dict[tuple[str, str], tuple[bytes, str]] = {}

    def get(self, bucket: str, key: str) -> bytes:
        try:
            return self.objects[(bucket, key)][0]
        except KeyError:
            raise MissingObject(f"s3://{bucket}/{key}") from None

    def put(self, bucket: str, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        self.objects[(bucket, key)] = (data, content_type)

    def presign(self, bucket: str, key: str, expires_seconds: int = 900) -> str:
        return f"memory://{bucket}/{key}?expires={expires_seconds}"

    def keys(self, bucket: str, prefix: str) -> list[str]:
        return sorted(k for b, k in self.objects if b == bucket and k.startswith(prefix))

    def delete(self, bucket: str, key: str) -> None:
        self.objects.pop((bucket, key), None)
