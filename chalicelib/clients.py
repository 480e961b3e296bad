"""AWS clients, created lazily and cached: nothing connects at import time, tests point them at moto."""

from __future__ import annotations

from functools import cache
from typing import Any

from chalicelib.settings import get_settings


@cache
def client(service: str) -> Any:
    import boto3

    settings = get_settings()
    return boto3.session.Session().client(service, region_name=settings.region, endpoint_url=settings.aws_endpoint_url)


def reset() -> None:
    client.cache_clear()
