"""Settings, read from the environment once, at first use.

Nothing else in ``chalicelib`` reads ``os.environ``. A missing or malformed setting fails the first call
with a message that names the variable, instead of a ``KeyError`` deep inside a request.
"""

from __future__ import annotations

import os
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chalicelib.core.settings_model import Settings

ENV_PREFIX = "LAMBDESK_"


class SettingsError(RuntimeError):
    """The environment does not describe a runnable deployment."""


@cache
def get_settings() -> Settings:
    from chalicelib.core.settings_model import Settings

    return Settings()


def stage() -> str:
    """The stage, without validating the rest: ``app.py`` needs it at import to name event sources."""
    return os.environ.get(f"{ENV_PREFIX}STAGE", "dev")


def reset() -> None:
    """Forget the cached settings (tests change the environment between cases)."""
    get_settings.cache_clear()
