"""Mail bodies and attachments in S3 (DynamoDB items stop at 400 KB): raw inbound mail, sent mail,
attachments served to agents by presigned URL."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class ObjectInfo:
    size: int
    content_type: str


@dataclass(frozen=True)
class PresignedPost:
    """A browser- or curl-ready upload: POST multipart form ``fields`` plus the file (last) to ``url``."""

    url: str
    fields: dict[str, str]


class ObjectStore(Protocol):
    def get(self, bucket: str, key: str) -> bytes: ...

    def put(self, bucket: str, key: str, data: bytes, content_type: str = "application/octet-stream") -> None: ...

    def presign(self, bucket: str, key: str, expires_seconds: int = 900) -> str: ...

    def keys(self, bucket: str, prefix: str) -> list[str]: ...

    def delete(self, bucket: str, key: str) -> None:
        """Remove the object (no error when it is gone already)."""

    def head(self, bucket: str, key: str) -> ObjectInfo:
        """Size and content type of an object; MissingObject when it is not there."""

    def presign_post(
        self, bucket: str, key: str, content_type: str, max_bytes: int, expires_seconds: int
    ) -> PresignedPost:
        """An upload of exactly ``key`` with that content type and 1..``max_bytes`` bytes (the policy says so)."""


class MissingObject(Exception):
    """The object is not (or no longer) in the bucket."""


class S3ObjectStore:
    def get(self, bucket: str, key: str) -> bytes:
        from botocore.exceptions import ClientError

        from chalicelib.core.clients import client

        try:
            body = client("s3").get_object(Bucket=bucket, Key=key)["Body"]
            return bytes(body.read())
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                raise MissingObject(f"s3://{bucket}/{key}") from exc
            raise

    def put(self, bucket: str, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        from chalicelib.core.clients import client

        client("s3").put_object(Bucket=bucket, Key=key, Body=data, ContentType=content_type)

    def presign(self, bucket: str, key: str, expires_seconds: int = 900) -> str:
        from chalicelib.core.clients import client

        url: str = client("s3").generate_presigned_url(
            "get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=expires_seconds
        )
        return url

    def keys(self, bucket: str, prefix: str) -> list[str]:
        from chalicelib.core.clients import client

        pages = client("s3").get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        return [obj["Key"] for page in pages for obj in page.get("Contents", [])]

    def delete(self, bucket: str, key: str) -> None:
        from chalicelib.core.clients import client

        client("s3").delete_object(Bucket=bucket, Key=key)

    def head(self, bucket: str, key: str) -> ObjectInfo:
        from botocore.exceptions import ClientError

        from chalicelib.core.clients import client

        try:
            found = client("s3").head_object(Bucket=bucket, Key=key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound"):
                raise MissingObject(f"s3://{bucket}/{key}") from exc
            raise
        return ObjectInfo(int(found["ContentLength"]), str(found.get("ContentType") or "application/octet-stream"))

    def presign_post(
        self, bucket: str, key: str, content_type: str, max_bytes: int, expires_seconds: int
    ) -> PresignedPost:
        from chalicelib.core.clients import client

        post = client("s3").generate_presigned_post(
            Bucket=bucket,
            Key=key,
            Fields={"Content-Type": content_type},
            Conditions=[{"Content-Type": content_type}, ["content-length-range", 1, max_bytes]],
            ExpiresIn=expires_seconds,
        )
        return PresignedPost(str(post["url"]), {k: str(v) for k, v in post["fields"].items()})
