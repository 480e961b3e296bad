"""What the ``routing`` and ``sla_sweep`` sections share: a table on its own moto server, the services on it
with a clock the bench sets, raw batch writes for seeding, and metered calls with their self-checks.

The moto server runs with the shortcuts of ``bench.motofast`` (``--fast``): without them moto sorts the whole
table for every Query and copies it for every transaction, minutes per sweep at 100,000 tickets. The request
counts do not depend on them; the server checks them against moto's own code at start (a self-check).
"""

from __future__ import annotations

import contextlib
import io
import os
import secrets
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.meter import Call, Meter, aux_marker
from bench.motoserver import CountingMotoServer
from bench.report import Check
from devtools.localenv import REGION

BATCH = 25  # items per BatchWriteItem, DynamoDB's maximum
WRITERS = 4


@dataclass
class Clock:
    """The services' clock (``chalicelib.core.clock.Clock``), set by the bench."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Metered:
    """One metered call: what the hooks saw, what the server saw, the HTTP sends, and the call's result."""

    calls: list[Call]
    server_targets: list[str] | None
    http_sends: int
    value: Any

    @property
    def requests(self) -> int:
        return len(self.calls)

    def by_operation(self) -> dict[str, int]:
        return dict(sorted(Counter(c.operation for c in self.calls).items()))


class DeskTable:
    """``with DeskTable(name, log) as table:`` a moto server with the table, the environment pointing at it."""

    def __init__(self, name: str, log_path: Path | None = None) -> None:
        self.name = name
        self.server = CountingMotoServer(log_path, fast=True)
        self.checks: list[Check] = []
        self._saved_env: dict[str, str] = {}
        self.aux: Any = None
        self._writer: Any = None

    def __enter__(self) -> DeskTable:
        from botocore.config import Config

        from devtools.provision import create_table

        self.server.start()
        self._saved_env = dict(os.environ)
        try:
            os.environ.update(self._environment())
            _reset_caches()
            self.aux = self._client()
            # Seeding: botocore's parameter validation is half of the client's time for a batch of items.
            self._writer = self._client(Config(parameter_validation=False, max_pool_connections=WRITERS))
            create_table(self.aux, self.name)
        except BaseException:
            self._close()
            raise
        problems = self.server.shortcut_problems
        self.checks.append(
            Check(
                f"{self.name}: moto's shortcuts (bench/motofast.py) return what moto returns",
                not problems,
                "; ".join(problems) or "queries and a rolled-back transaction compared",
            )
        )
        return self

    def _client(self, config: Any = None) -> Any:
        """A client whose requests are marked as the bench's own: neither the meter nor the server counts them."""
        import boto3

        client = boto3.client(
            "dynamodb",
            endpoint_url=self.server.url,
            region_name=REGION,
            aws_access_key_id="bench",
            aws_secret_access_key="bench",
            config=config,
        )
        client.meta.events.register("before-sign.dynamodb.*", aux_marker)
        return client

    def __exit__(self, *exc: object) -> None:
        self._close()
        self.checks.append(
            Check(
                f"{self.name}: the moto server process stopped cleanly",
                self.server.exit_code == 0,
                f"exit {self.server.exit_code}",
            )
        )

    def _close(self) -> None:
        _reset_caches()
        os.environ.clear()
        os.environ.update(self._saved_env)
        self.server.stop()

    def _environment(self) -> dict[str, str]:
        return {
            "AWS_ENDPOINT_URL": self.server.url,
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "LAMBDESK_STAGE": "bench",
            "LAMBDESK_TABLE_NAME": self.name,
            "LAMBDESK_AUTH_MODE": "dev",
            "LAMBDESK_DEV_SIGNING_KEY": secrets.token_urlsafe(32),
            "LAMBDESK_SIGNING_KEY": secrets.token_urlsafe(32),
            "LAMBDESK_LOG_LEVEL": "WARNING",
            "POWERTOOLS_METRICS_NAMESPACE": "Lambdesk",
        }

    # -- the app on the table ----------------------------------------------------------------------

    def services(self, clock: Clock | None = None) -> Any:
        """``bootstrap.dynamodb_container`` (which binds the models to the table), rebuilt with ``clock``."""
        from chalicelib import bootstrap
        from chalicelib.core.settings import get_settings

        settings = get_settings()
        svc = bootstrap.dynamodb_container(settings)
        if clock is None:
            return svc
        return bootstrap.Container(settings, svc.repos, clock)

    def meter(self) -> Meter:
        """A meter on the client of every pynamodb model class (the classes of a thread share one)."""
        from bench.meter import item_clients

        meter = Meter(self.aux)
        for client in item_clients():
            meter.attach(client)
        self.checks.append(
            Check(
                f"{self.name}: meter attached to every pynamodb model client",
                meter.covers(item_clients()),
                f"{meter.clients} clients",
            )
        )
        return meter

    def metered(self, meter: Meter, call: Callable[[], Any]) -> Metered:
        start = self.server.dynamodb_requests if self.server.counting else 0
        meter.start()
        try:
            with quiet():
                value = call()
        finally:
            calls = meter.stop()
        targets = self.server.targets_since(start) if self.server.counting else None
        return Metered(list(calls), targets, meter.http_sends, value)

    # -- seeding -----------------------------------------------------------------------------------

    @contextlib.contextmanager
    def seeding(self) -> Iterator[None]:
        """Seed without stream records (nothing reads the stream here), and drop the ones setup left."""
        self.server.pause_streams(True)
        try:
            yield
        finally:
            self.server.pause_streams(False)
            self.server.trim_streams()

    def batch_write(self, chunks: Iterable[Callable[[], list[dict[str, Any]]]]) -> int:
        """Write the items each chunk builds (raw attribute values) with BatchWriteItem, ``BATCH`` a request,
        from ``WRITERS`` threads; the requests are marked as the bench's own, so no count includes them."""

        def write(build: Callable[[], list[dict[str, Any]]]) -> int:
            items = build()
            for start in range(0, len(items), BATCH):
                request = {self.name: [{"PutRequest": {"Item": i}} for i in items[start : start + BATCH]]}
                while request:
                    request = self._writer.batch_write_item(RequestItems=request).get("UnprocessedItems") or {}
            return len(items)

        from devtools.progress import bar

        with ThreadPoolExecutor(max_workers=WRITERS) as pool, bar("Writing the dataset", unit="item") as written:
            total = 0
            for count in pool.map(write, chunks):
                total += count
                written.update(count)
            return total

    def item_count(self) -> int:
        return int(self.aux.describe_table(TableName=self.name)["Table"]["ItemCount"])


def _reset_caches() -> None:
    from chalicelib import bootstrap
    from chalicelib.core import clients, settings, signing

    settings.reset()
    clients.reset()
    signing.signing_key.cache_clear()
    bootstrap.use(None)


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """powertools writes EMF metrics to stdout; the bench's stdout is its table."""
    with contextlib.redirect_stdout(io.StringIO()):
        yield


def call_checks(label: str, samples: list[Metered], counting: bool) -> list[Check]:
    """The self-checks of ``ddb_requests`` for metered calls: no Scan, no failure, no retry, and the server
    saw the same requests as the hooks (by operation)."""
    scans = sum(1 for s in samples for c in s.calls if c.operation == "Scan")
    errors = [c.error for s in samples for c in s.calls if c.error]
    retries = [s.http_sends - s.requests for s in samples]
    unseen = [
        f"server {sorted(s.server_targets)}, hooks {sorted(c.operation for c in s.calls)}"
        for s in samples
        if s.server_targets is not None and sorted(s.server_targets) != sorted(c.operation for c in s.calls)
    ]
    return [
        Check(f"{label}: no Scan", not scans, f"{scans} scans"),
        Check(f"{label}: no failed DynamoDB call", not errors, "; ".join(str(e) for e in errors)[:300]),
        Check(f"{label}: no retries", not any(retries), f"extra HTTP sends {retries}"),
        Check(
            f"{label}: server saw what the hooks saw",
            counting and not unseen,
            unseen[0][:300] if unseen else ("server-side count" if counting else "server count unavailable"),
        ),
    ]
