"""AWS clients, created lazily and cached: nothing connects at import time, tests point them at moto."""

from __future__ import annotations

from functools import cache
from typing import Any

from chalicelib.core.settings import get_settings


@cache
def client(service: str) -> Any:
    import boto3
    import botocore.session
    from botocore.config import Config

    from chalicelib.core.botodata import direct

    settings = get_settings()
    # S3: Signature Version 4 (presigned attachment URLs; SigV2 is deprecated).
    config = Config(signature_version="s3v4") if service == "s3" else None
    session = boto3.session.Session(botocore_session=direct(botocore.session.Session()))
    return session.client(service, region_name=settings.region, endpoint_url=settings.aws_endpoint_url, config=config)


def reset() -> None:
    client.cache_clear()
