"""Survey links: ``<web base URL>/portal/survey/<token>?rating=N``.

The token is random to anyone without the deployment's signing key: an HMAC of the survey id and a random
nonce. The table keeps only its SHA-256 (the lookup item), and the ``survey.requested`` entry only the nonce,
so neither a read of the table nor the timeline an agent sees (nor a webhook) holds a usable link: only the
mail to the customer does. The outbound mail rebuilds the token from the entry through ``survey_links``,
which the composition root hands to the mail drafts.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping
from typing import Any

from chalicelib.domain.surveys import RATINGS

PATH = "/portal/survey/"
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{43}$")


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


def token(key: bytes, survey_id: str, nonce: str) -> str:
    """The survey link's secret: 43 URL-safe characters (256 bits)."""
    mac = hmac.new(key, f"survey-link\0{survey_id}\0{nonce}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def token_hash(value: str) -> str:
    """What the table keeps of a token (and looks it up by)."""
    return hashlib.sha256(value.encode()).hexdigest()


def well_formed(value: str) -> bool:
    """A string that could be a token (anything else is refused without a read)."""
    return bool(TOKEN_PATTERN.match(value))


def page_path(value: str) -> str:
    return PATH + value


def rating_links(data: Mapping[str, Any], key: bytes, base_url: str) -> dict[int, str] | None:
    """The five rating links of a ``survey.requested`` entry (its ``data``); None when it carries no survey."""
    survey_id, nonce = data.get("survey_id"), data.get("nonce")
    if not isinstance(survey_id, str) or not isinstance(nonce, str) or not survey_id or not nonce:
        return None
    page = base_url.rstrip("/") + page_path(token(key, survey_id, nonce))
    return {rating: f"{page}?rating={rating}" for rating in RATINGS}
