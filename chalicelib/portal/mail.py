"""The sign-in mail: one link and one code, in the customer's language, sent through the mail channel.

It is a message on the outbound mail queue (``accounts.SIGN_IN_EVENT``), handled here: the link and code are
derived and stored (hashed) by ``SignIns.prepare``, the words come from the portal's catalogs
(``chalicelib.web.i18n.translator``) and ``mailflow.direct`` delivers it (screening, one send per message,
``Auto-Submitted``, a copy under ``sent/``). Links point at ``LAMBDESK_PORTAL_URL`` only, never at a host a
request named (a forged Host header must not put someone's sign-in link on another site).
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jinja2 import Environment

    from chalicelib.access.signins import SignIns
    from chalicelib.mailflow.direct import DirectMail

MAIL_TEMPLATES = Path(__file__).parent / "templates" / "mail"
KIND = "sign_in"


class PortalUrlMissing(RuntimeError):
    """Sign-in mail needs LAMBDESK_PORTAL_URL: its links must not depend on what a request claimed."""


@cache
def _environment(locale: str) -> Environment:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    from chalicelib.web.i18n import translator

    env = Environment(
        loader=FileSystemLoader(MAIL_TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False, default=False),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_translations(translator(locale), newstyle=True)  # type: ignore[attr-defined]
    return env


def render(locale: str, **context: Any) -> tuple[str, str, str]:
    """``(subject, text, html)`` of the sign-in mail in ``locale``."""
    from chalicelib.web.i18n import translator

    env = _environment(locale)
    subject = translator(locale).gettext("Sign in to %(name)s") % {"name": context["support_name"]}
    context = {**context, "locale": locale}
    return subject, env.get_template("sign_in.txt").render(context), env.get_template("sign_in.html").render(context)


class SignInMail:
    def __init__(self, signins: SignIns, sender: DirectMail, portal_url: str | None, support_name: str) -> None:
        self.signins = signins
        self.sender = sender
        self.portal_url = portal_url
        self.support_name = support_name

    def on_sign_in(self, event: dict[str, Any]) -> str:
        """Send the mail of one sign-in request; the outcome ("sent", "expired", ...)."""
        from chalicelib.mailflow.compose import mailbox
        from chalicelib.mailflow.direct import DirectDraft
        from chalicelib.web.i18n import supported

        if not self.portal_url:
            raise PortalUrlMissing("set LAMBDESK_PORTAL_URL: sign-in mail links to the portal")
        to = mailbox(str(event["email"]))
        prepared = self.signins.prepare(str(event["attempt"]), str(event["email"]), _time(event["occurred_at"]))
        if to is None or prepared is None:
            return "invalid" if to is None else "expired"
        locale = supported(str(event.get("locale") or "")) or "en"
        subject, text, html = render(
            locale,
            link=f"{self.portal_url}/portal/login/link/{prepared.link}",
            code=prepared.code,
            minutes=int((prepared.expires_at - _time(event["occurred_at"])).total_seconds() // 60),
            support_name=self.support_name,
        )
        draft = DirectDraft(str(event["id"]), KIND, to, subject, text, html)
        return str(self.sender.send(draft))


def _time(value: object) -> datetime:
    when = datetime.fromisoformat(str(value))
    if when.tzinfo is None:
        raise ValueError(f"occurred_at {value!r} has no time zone")
    return when
