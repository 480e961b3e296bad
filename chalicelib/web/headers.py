"""Security headers of every HTML response, the Content-Security-Policy first.

No inline script or style anywhere (htmx is a file from 'self'; its indicator styles are switched off in
the layout's htmx-config), so the policy needs no nonce and no 'unsafe-inline'.
"""

from __future__ import annotations

from chalicelib.core.settings import get_settings

HTML = "text/html; charset=utf-8"
HSTS = "max-age=31536000; includeSubDomains"


def content_security_policy(form_origins: tuple[str, ...] = ()) -> str:
    """The policy; ``form_origins``: where a page's forms may post besides 'self' (an S3 upload form)."""
    extra = get_settings().web_connect_origins.split()
    directives = [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src " + " ".join(["'self'", *extra]),
        "form-action " + " ".join(["'self'", *form_origins]),
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ]
    return "; ".join(directives)


def security_headers(*, personal: bool = True, form_origins: tuple[str, ...] = ()) -> dict[str, str]:
    """Headers for an HTML page. ``personal`` pages (anything about a signed-in customer) are never stored."""
    headers = {
        "Content-Type": HTML,
        "Content-Security-Policy": content_security_policy(form_origins),
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
        # Public pages vary with the language cookie and Accept-Language: browsers revalidate, proxies keep none.
        "Cache-Control": "no-store" if personal else "private, no-cache",
        "Vary": "Accept-Language, Cookie",
    }
    if not get_settings().web_plain_http:
        headers["Strict-Transport-Security"] = HSTS
    return headers
