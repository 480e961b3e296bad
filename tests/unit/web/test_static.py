"""Static assets: content-hashed names, pinned vendored files, nothing served outside the list."""

from __future__ import annotations

import hashlib
import re

import pytest

from chalicelib.web import static

HTMX_VERSION = "2.0.11"
# SHA-256 of dist/htmx.min.js in the npm package htmx.org@2.0.11. A changed file must be a deliberate upgrade.
HTMX_SHA256 = "d6fdc75f204e6bdefa99b69bf1e6d4ac69b8a364f77929f45c13476b4000f717"


def test_the_vendored_htmx_is_the_pinned_release_unmodified() -> None:
    body = (static.STATIC_DIR / "htmx.min.js").read_bytes()
    assert hashlib.sha256(body).hexdigest() == HTMX_SHA256
    assert f'version:"{HTMX_VERSION}"' in body.decode()


def test_every_listed_asset_exists_and_nothing_else_is_in_the_folder() -> None:
    assert sorted(p.name for p in static.STATIC_DIR.iterdir()) == sorted(static.CONTENT_TYPES)


@pytest.mark.parametrize("name", sorted(static.CONTENT_TYPES))
def test_an_assets_url_carries_the_hash_of_its_content(name: str) -> None:
    asset = static.asset(name)
    digest = hashlib.sha256((static.STATIC_DIR / name).read_bytes()).hexdigest()[: static.HASH_CHARS]
    stem, _, suffix = name.rpartition(".")
    assert asset.url_name == f"{stem}.{digest}.{suffix}"
    assert static.find(asset.url_name) == asset


def test_assets_have_their_content_types() -> None:
    assert static.asset("portal.css").content_type == "text/css; charset=utf-8"
    assert static.asset("htmx.min.js").content_type == "text/javascript; charset=utf-8"
    assert static.asset("favicon.svg").content_type == "image/svg+xml"


@pytest.mark.parametrize(
    "name",
    [
        "portal.css",  # the unhashed name
        "portal.000000000000.css",  # a stale or invented hash
        "../static.py",
        "..%2F..%2Fapp.py",
        "../../app.py",
        "%2e%2e/settings.py",
        "",
        "portal.css/",
    ],
)
def test_any_other_name_is_unknown(name: str) -> None:
    assert static.find(name) is None


def test_the_stylesheet_uses_no_remote_resource_and_no_import() -> None:
    css = static.asset("portal.css").body
    assert not re.search(r"url\(|@import|https?://", css)
