"""``portal``: server render time of every portal page through ``chalice.test.Client``, and what a page ships.

Setup: the app on in-memory services (rendering is what is measured, not DynamoDB: the requests a page makes
are counted by the API sections' method), a customer with 12 tickets of 6 messages each, signed in with a
session cookie; the pages warmed once (Jinja2 compiles each template at first use, Babel loads its catalogs).
Then each page is requested ``samples`` times, interleaved (one of each, again and again), and the time from
request to response is recorded: the route, the session check, the service calls on the fakes, the template.
Reported per page: median and p95 in ms. Also: the pages served, and the JavaScript and CSS a page loads
(bytes and gzipped KB).
"""

from __future__ import annotations

import gzip
import os
import statistics
import time
from typing import Any

PAGES = {
    "home (anonymous)": "/portal",
    "sign in": "/portal/login",
    "code": "/portal/login/code",
    "sign-in link": "{signin}",
    "dashboard": "/portal",
    "my requests": "/portal/tickets?status=all",
    "search": "/portal/tickets?status=all&q=printer",
    "ticket": "/portal/tickets/{number}",
    "ticket by link": "/portal/t/{link}",
    "new request": "/portal/tickets/new",
    "profile": "/portal/profile",
    "help articles": "/portal/kb",
    "article search": "/portal/kb?q=printer+smoking",
    "article": "/portal/kb/{article}",
}
ANONYMOUS = {
    "home (anonymous)",
    "sign in",
    "code",
    "sign-in link",
    "ticket by link",
    "help articles",
    "article search",
    "article",
}
# Help articles on the pages: 40 published, in 4 categories (the index is built once, in /tmp).
ARTICLES = 40


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _setup() -> tuple[Any, dict[str, str], str]:
    """The app's services, the page paths filled in, and a session cookie of the customer."""
    from chalicelib import bootstrap
    from chalicelib.access.signins import new_attempt
    from chalicelib.core.settings import get_settings
    from chalicelib.domain.tickets import Channel
    from chalicelib.domain.timeline import Actor, ActorKind
    from chalicelib.tickets.service import NewTicket
    from tests import fakes

    svc = fakes.memory_services(get_settings())
    bootstrap.use(svc)
    ann = svc.customers.resolve_email("ann@customer.example", "Ann")
    agent = Actor(ActorKind.AGENT, svc.directory.create_agent("ben@desk.example", "Ben").id)
    ticket = None
    for n in range(12):
        new = NewTicket(f"Printer problem {n}", "It is smoking.\n" * 5, Channel.EMAIL, requester_id=ann.id)
        ticket, _ = svc.tickets.create(Actor(ActorKind.CUSTOMER, ann.id), new)
        for m in range(5):
            ticket = svc.tickets.reply(agent, ticket.id, ticket.version, f"Answer {m}: " + "words " * 60)
    assert ticket is not None
    slug = _articles(svc)
    session = svc.sessions.start(ann.id)
    prepared = svc.signins.prepare(new_attempt()[1], ann.email or "", svc.clock())
    assert prepared is not None
    values = {
        "number": str(ticket.number),
        "link": svc.ticket_links.mint(ticket.id, ann.id),
        "signin": f"/portal/login/link/{prepared.link}",
        "article": slug,
    }
    paths = {name: path.format(**values) if "{" in path else path for name, path in PAGES.items()}
    paths["sign-in link"] = values["signin"]
    return svc, paths, f"__Host-session={session.token}"


def _articles(svc: Any) -> str:
    """Publish the help articles and build their index; the slug of one of them."""
    from chalicelib.domain.kb import ArticleStatus
    from chalicelib.kb.service import Editor, NewArticle

    admin, slug = Editor("bench-admin", admin=True), ""
    for n in range(ARTICLES):
        body = f"Step {n}: check the cable, then the **settings**.\n\n" + "The printer may be smoking. " * 20
        new = NewArticle(f"Printer fix {n}", body, category=f"Printers {n % 4}", status=ArticleStatus.PUBLISHED)
        slug = svc.kb.articles.create(admin, new).slug
    svc.kb.builder().refresh(force=True)
    return slug


def run(samples: int) -> dict[str, Any]:
    os.environ.setdefault("LAMBDESK_PORTAL_URL", "https://help.example.com")
    from chalice.test import Client

    from app import app
    from chalicelib.web import static
    from tests.conftest import ROOT

    _, paths, cookie = _setup()
    timings: dict[str, list[float]] = {name: [] for name in paths}
    with Client(app, stage_name="test", project_dir=str(ROOT)) as client:

        def get(name: str) -> None:
            headers = {} if name in ANONYMOUS else {"Cookie": cookie}
            began = time.perf_counter()
            reply = client.http.get(paths[name], headers=headers)
            elapsed = (time.perf_counter() - began) * 1000
            assert reply.status_code == 200, (name, reply.status_code)
            timings[name].append(elapsed)

        for name in paths:  # warm: templates compiled, catalogs loaded
            get(name)
            timings[name].clear()
        for _ in range(samples):
            for name in paths:
                get(name)
    assets = {name: static.asset(name).body.encode() for name in ("htmx.min.js", "portal.js", "portal.css")}
    return {
        "pages": len({p.split("?")[0] for p in PAGES.values()}),
        "render_ms": {
            name: {"median": round(statistics.median(v), 2), "p95": round(_p95(v), 2)} for name, v in timings.items()
        },
        "samples": samples,
        "shipped": {
            name: {"bytes": len(body), "gzip_kb": round(len(gzip.compress(body, 9)) / 1024, 1)}
            for name, body in assets.items()
        },
        "js_gzip_kb": round(sum(len(gzip.compress(assets[n], 9)) for n in ("htmx.min.js", "portal.js")) / 1024, 1),
        "tickets_listed": 12,
    }
