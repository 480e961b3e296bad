"""Files that browsers send straight to S3 and fetch straight from it: presigned POST forms, presigned downloads
that are always served as attachments, and the checks and copies in between. Generic: any feature with a
browser upload (the portal's customer files; agents' reply attachments) can use it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol
from urllib.parse import quote


@dataclass(frozen=True)
class UploadForm:
    """What an HTML form needs to post one file to S3: its action URL and hidden fields (the file goes last)."""

    url: str
    fields: dict[str, str]

    @property
    def origin(self) -> str:
        """The scheme and host the form posts to (for the page's CSP ``form-action``)."""
        scheme, _, rest = self.url.partition("://")
        return f"{scheme}://{rest.split('/', 1)[0]}"


class UploadStore(Protocol):
    def upload_form(self, bucket: str, prefix: str, max_bytes: int, redirect: str, expires_seconds: int) -> UploadForm:
        """A presigned POST for one file under ``prefix`` (named as the browser names it), of 1..``max_bytes``
        bytes; S3 then redirects the browser to ``redirect`` with ``bucket``, ``key`` and ``etag`` added."""

    def size(self, bucket: str, key: str) -> int | None:
        """The object's size, or None when it does not exist."""

    def copy(self, bucket: str, source: str, target: str, content_type: str, filename: str) -> None:
        """Copy with new metadata: the given type, and ``Content-Disposition: attachment``."""

    def delete(self, bucket: str, key: str) -> None: ...

    def download_url(self, bucket: str, key: str, filename: str, content_type: str, expires_seconds: int) -> str:
        """A presigned GET that makes S3 answer with ``content_type`` as an attachment named ``filename``."""


def attachment_disposition(filename: str) -> str:
    """``Content-Disposition: attachment`` with the name in RFC 6266 form (ASCII fallback + UTF-8)."""
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in filename)
    return f"attachment; filename=\"{fallback or 'file'}\"; filename*=UTF-8''{quote(filename, safe='')}"


class S3UploadStore:
    def upload_form(self, bucket: str, prefix: str, max_bytes: int, redirect: str, expires_seconds: int) -> UploadForm:
        from chalicelib.core.clients import client

        conditions: list[object] = [
            ["starts-with", "$key", prefix],
            ["content-length-range", 1, max_bytes],
            {"success_action_redirect": redirect},
        ]
        presigned = client("s3").generate_presigned_post(
            Bucket=bucket,
            Key=prefix + "${filename}",
            Fields={"success_action_redirect": redirect},
            Conditions=conditions,
            ExpiresIn=expires_seconds,
        )
        return UploadForm(str(presigned["url"]), {str(k): str(v) for k, v in presigned["fields"].items()})

    def size(self, bucket: str, key: str) -> int | None:
        from botocore.exceptions import ClientError

        from chalicelib.core.clients import client

        try:
            head = client("s3").head_object(Bucket=bucket, Key=key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise
        return int(head["ContentLength"])

    def copy(self, bucket: str, source: str, target: str, content_type: str, filename: str) -> None:
        from chalicelib.core.clients import client

        client("s3").copy_object(
            Bucket=bucket,
            Key=target,
            CopySource={"Bucket": bucket, "Key": source},
            MetadataDirective="REPLACE",
            ContentType=content_type,
            ContentDisposition=attachment_disposition(filename),
        )

    def delete(self, bucket: str, key: str) -> None:
        from chalicelib.core.clients import client

        client("s3").delete_object(Bucket=bucket, Key=key)

    def download_url(self, bucket: str, key: str, filename: str, content_type: str, expires_seconds: int) -> str:
        from chalicelib.core.clients import client

        params = {
            "Bucket": bucket,
            "Key": key,
            "ResponseContentDisposition": attachment_disposition(filename),
            "ResponseContentType": content_type,
        }
        url: str = client("s3").generate_presigned_url("get_object", Params=params, ExpiresIn=expires_seconds)
        return url
