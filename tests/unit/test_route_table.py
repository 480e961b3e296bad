"""The app registers every route from chalicelib/http/routes.json and imports a route's module at its first call.

What Chalice (and so ``chalice package`` and the CDK stack) sees must be what the route modules declare: the
same paths, methods, view names, content types and docstrings, in the same order. Run in fresh interpreters:
registering a route module's blueprint on a second app would re-point its ``current_request``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from tests.conftest import ROOT


def _run(probe: str) -> Any:
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


ROUTE_TABLE = """
def route_table(chalice_app):
    import inspect
    return [
        [path, method, entry.view_name, entry.content_types, inspect.getdoc(entry.view_function)]
        for path, entries in chalice_app.routes.items()
        for method, entry in entries.items()
    ]
"""


def test_routes_json_is_what_the_route_modules_declare() -> None:
    from chalicelib.http import deferred
    from devtools import route_table

    assert deferred.TABLE.read_text(encoding="utf-8") == route_table.render(), (
        "chalicelib/http/routes.json is stale: run `python -m devtools.route_table`"
    )


def test_the_app_serves_the_route_table_the_modules_would_register() -> None:
    probe = f"""
import importlib, json
{ROUTE_TABLE}
import app
deferred = route_table(app.app)
from chalice import Chalice
eager = Chalice("eager")
for module in app.AREAS:
    eager.register_blueprint(importlib.import_module(module).bp)
print(json.dumps([deferred, route_table(eager)]))
"""
    deferred, eager = _run(probe)
    assert len(deferred) > 100
    assert deferred == eager


def test_importing_the_app_imports_no_route_module_nor_event_handler() -> None:
    probe = """
import json, sys
import app
loaded = [m for m in (*app.AREAS, "chalicelib.bootstrap.handlers", "chalicelib.http.schemas") if m in sys.modules]
print(json.dumps(loaded))
"""
    assert _run(probe) == []


def test_the_first_get_of_a_ticket_imports_its_route_module_only() -> None:
    """One authenticated GET of a ticket: answered, with the tickets' route module the only one imported, and
    neither pydantic (settings, schemas: the JSON is built by ``chalicelib.tickets.plain``), email-validator, the
    parts of the ticket routes a GET does not use, nor the storage code of other areas (chat, kb, surveys,
    reports) loaded. The in-memory fakes load the rest of the storage layer; what the same GET leaves unloaded
    against DynamoDB is asserted by ``tests/integration/test_first_get_modules.py``."""
    probe = """
import json, sys
import tests.conftest
import app
from chalice.test import Client
from chalicelib import bootstrap
from chalicelib.core.settings import get_settings
from chalicelib.domain.timeline import Actor, ActorKind
from chalicelib.tickets.service import NewTicket
from tests import fakes
from tests.conftest import make_token

svc = fakes.memory_services(get_settings())
bootstrap.use(svc)
agent = svc.directory.create_agent("ada@example.com", "Ada")
new = NewTicket(subject="Hi", body_text="There", requester_email="c@x.example")
ticket, _ = svc.tickets.create(Actor(ActorKind.AGENT, agent.id), new)
before = sorted(m for m in app.AREAS if m in sys.modules)
with Client(app.app, stage_name="test") as client:
    reply = client.http.get(f"/v1/tickets/{ticket.id}", headers={"Authorization": "Bearer " + make_token(agent)})
after = sorted(m for m in app.AREAS if m in sys.modules)
heavy = [m for m in ("pydantic", "chalicelib.tickets.schemas", "chalicelib.http.schemas", "email_validator",
                    "chalicelib.storage.dynamodb.chat", "chalicelib.bootstrap.handlers", "chalicelib.tickets.uploads",
                    "chalicelib.tickets.relations", "chalicelib.tickets.requesters") if m in sys.modules]
print(json.dumps([reply.status_code, json.loads(reply.body)["ticket"]["id"] == ticket.id, before, after, heavy]))
"""
    status, same_ticket, before, after, heavy = _run(probe)
    assert (status, same_ticket) == (200, True)
    assert before == [] and after == ["chalicelib.tickets.routes"]
    assert heavy == []


def test_every_route_module_loads_for_the_openapi_document_and_the_methods_of_a_405() -> None:
    probe = """
import json, sys
import tests.conftest
import app
from chalice.test import Client
with Client(app.app, stage_name="test") as client:
    health = client.http.get("/health").status_code
    after_health = sorted(m for m in app.AREAS if m in sys.modules)
    refused = client.http.request("PUT", "/health")
    everything = all(m in sys.modules for m in app.AREAS)
print(json.dumps([health, after_health, refused.status_code, refused.headers.get("Allow"), everything]))
"""
    health, after_health, refused, allow, everything = _run(probe)
    assert health == 200 and after_health == ["chalicelib.http.meta"]
    assert (refused, allow, everything) == (405, "GET", True)


def test_a_route_module_that_no_longer_matches_the_table_fails_loudly_at_its_first_request() -> None:
    probe = """
import json
import tests.conftest
import app
from chalicelib.http import deferred
routes = app.routes
routes._listed["chalicelib.http.meta"][0]["doc"] = "not what the module says"
try:
    routes.load("chalicelib.http.meta")
    outcome = "loaded"
except deferred.StaleRouteTable as exc:
    outcome = str(exc)
print(json.dumps(outcome))
"""
    assert _run(probe) == "chalicelib.http.meta's routes differ from routes.json"


def test_reading_the_table_leaves_the_modules_that_serve_requests_bound_to_their_app() -> None:
    """The table is read by importing the route modules; in a process whose app serves those modules already
    (the test suite's workers), their blueprints must keep answering ``current_request`` from the app."""
    probe = """
import json
import tests.conftest
import app
from chalice.test import Client
from devtools import route_table
with Client(app.app, stage_name="test") as client:
    before = client.http.get("/health").status_code
    route_table.render()
    after = client.http.get("/health").status_code
print(json.dumps([before, after]))
"""
    assert _run(probe) == [200, 200]


def test_a_portal_page_shows_the_portals_flash_messages_whichever_route_module_loaded_first() -> None:
    """Flash messages are registered by the portal's pages module, not by one route module: a ticket link's
    page (its own route module) shows "Your reply was sent." after the reply's redirect."""
    probe = """
import json, sys
import tests.conftest
import app
from chalice.test import Client
from chalicelib import bootstrap
from chalicelib.core.settings import get_settings
from tests import fakes
bootstrap.use(fakes.memory_services(get_settings()))
with Client(app.app, stage_name="test") as client:
    from chalicelib.web.cookies import cookie_name
    page = client.http.get("/portal/kb", headers={"Cookie": cookie_name("flash") + "=reply_sent"})
loaded = sorted(m for m in app.AREAS if m in sys.modules)
print(json.dumps([page.status_code, "Your reply was sent." in page.body.decode(), loaded]))
"""
    status, shown, loaded = _run(probe)
    assert (status, shown) == (200, True)
    assert "chalicelib.portal.routes_account" not in loaded
