"""The portal through ``chalice.test.Client`` as a browser sees it: a cookie jar, forms with their CSRF token,
redirects, and signing in through the real sign-in mail (a fake SES records it)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from html import unescape
from typing import Any
from urllib.parse import urlencode, urlsplit

PORTAL_URL = "https://help.example.com"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class FakeSes:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    def send_email(self, **params: Any) -> dict[str, str]:
        self.sent.append(params)
        return {"MessageId": f"0100-fake-{len(self.sent)}"}

    def mail(self, index: int = -1) -> EmailMessage:
        msg = BytesParser(policy=policy.default).parsebytes(self.sent[index]["Content"]["Raw"]["Data"])
        assert isinstance(msg, EmailMessage)
        return msg


def text_of(msg: EmailMessage, subtype: str = "plain") -> str:
    part = msg.get_body((subtype,))
    assert part is not None
    return str(part.get_content()).replace("\r\n", "\n")


@dataclass
class Browser:
    """One browser: its cookies, the last page it got, the language it asks for."""

    http: Any
    language: str = "en"
    cookies: dict[str, str] = field(default_factory=dict)
    last: Any = None
    tokens: list[str] = field(default_factory=list)  # the CSRF token of the last page that had forms

    def _headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {"Accept-Language": self.language, **(extra or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return headers

    def _keep(self, reply: Any) -> Any:
        value = reply.headers.get("Set-Cookie", [])
        for line in value if isinstance(value, list) else [value]:
            name, _, rest = line.partition("=")
            cookie_value = rest.split(";", 1)[0]
            if "Max-Age=0" in line:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = cookie_value
        self.last = reply
        found = _CSRF.findall(html(reply))
        if found:
            self.tokens = found
        return reply

    def get(self, path: str, **headers: str) -> Any:
        return self._keep(self.http.get(path, headers=self._headers(headers)))

    def post(self, path: str, fields: dict[str, str] | list[tuple[str, str]] | None = None, csrf: bool = True) -> Any:
        pairs = list(fields.items()) if isinstance(fields, dict) else list(fields or [])
        if csrf and not any(k == "csrf_token" for k, _ in pairs):
            pairs.append(("csrf_token", self.token()))
        headers = self._headers({"Content-Type": "application/x-www-form-urlencoded"})
        return self._keep(self.http.post(path, headers=headers, body=urlencode(pairs)))

    def follow(self, reply: Any | None = None) -> Any:
        reply = reply or self.last
        assert reply.status_code in (302, 303), (reply.status_code, html(reply)[:500])
        return self.get(local(reply.headers["Location"]))

    def token(self) -> str:
        return self.tokens[-1] if self.tokens else ""

    def page(self) -> str:
        return html(self.last)

    def session(self) -> str | None:
        return self.cookies.get("__Host-session")


def html(reply: Any) -> str:
    body = reply.body
    return body.decode() if isinstance(body, bytes) else str(body)


def local(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "") if parts.scheme else url


def hidden(page: str, name: str) -> list[str]:
    return [unescape(v) for v in re.findall(rf'name="{name}" value="([^"]*)"', page)]


def visible_text(page: str) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", page))


@dataclass
class Mailbox:
    """Where the portal's sign-in mail lands: the handler of the outbound queue, run on a fake SES."""

    svc: Any
    ses: FakeSes = field(default_factory=FakeSes)
    delivered: int = 0

    def deliver(self) -> list[EmailMessage]:
        """Run the outbound queue's handler on every sign-in message queued since the last call."""
        queued = self.svc.mail_queue.messages[self.delivered :]
        self.delivered += len(queued)
        handler = self.svc.sign_in_mail(self.ses)
        before = len(self.ses.sent)
        for message in queued:
            handler.on_sign_in(message)
        return [self.ses.mail(i) for i in range(before, len(self.ses.sent))]


def link_and_code(mail: EmailMessage) -> tuple[str, str]:
    text = text_of(mail)
    link = re.search(rf"{re.escape(PORTAL_URL)}(/portal/login/link/\S+)", text)
    code = re.search(r"\b(\d{6})\b", text)
    assert link and code, text
    return link.group(1), code.group(1)


def sign_in(browser: Browser, mailbox: Mailbox, email: str) -> Any:
    """Ask for a sign-in mail and sign in with its code; the portal page the browser lands on."""
    browser.get("/portal/login")
    browser.post("/portal/login", {"email": email})
    assert browser.last.status_code == 303, html(browser.last)
    browser.follow()
    [mail] = mailbox.deliver()
    _, code = link_and_code(mail)
    browser.post("/portal/login/code", {"code": code, "next": "/portal"})
    assert browser.last.status_code == 303, html(browser.last)[:2000]
    return browser.follow()
