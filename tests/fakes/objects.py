"""An in-memory object store (S3 stand-in) for unit tests."""

from __future__ import annotations

from chalicelib.storage.objects import MissingObject, ObjectInfo, PresignedPost


class InMemoryObjectStore:
    def __init__(self) -> None:
        self.objects: dict[tuple[str, str], tuple[bytes, str]] = {}
        self.policies: dict[tuple[str, str], tuple[str, int]] = {}  # presigned POSTs: content type, max bytes

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

    def head(self, bucket: str, key: str) -> ObjectInfo:
        data, content_type = self.objects.get((bucket, key), (None, ""))
        if data is None:
            raise MissingObject(f"s3://{bucket}/{key}")
        return ObjectInfo(len(data), content_type)

    def presign_post(
        self, bucket: str, key: str, content_type: str, max_bytes: int, expires_seconds: int
    ) -> PresignedPost:
        self.policies[(bucket, key)] = (content_type, max_bytes)
        return PresignedPost(f"memory://{bucket}", {"key": key, "Content-Type": content_type})

    def upload(self, bucket: str, fields: dict[str, str], data: bytes) -> bool:
        """What S3 does with a presigned POST: stored only within the policy (exact key, type, size)."""
        policy = self.policies.get((bucket, fields["key"]))
        if policy is None or fields.get("Content-Type") != policy[0] or not 1 <= len(data) <= policy[1]:
            return False
        self.put(bucket, fields["key"], data, policy[0])
        return True
