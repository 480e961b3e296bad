from __future__ import annotations

import types

from chalice import Chalice

from devtools import ticker


def test_rate_expressions_become_intervals() -> None:
    assert ticker.interval("rate(1 minute)") == 60
    assert ticker.interval("rate(5 minutes)") == 300
    assert ticker.interval("rate(2 hours)") == 7200
    assert ticker.interval("cron(0 9 * * ? *)") == 60


def test_the_ticker_runs_each_scheduled_function_when_due() -> None:
    app = Chalice(app_name="ticker-test")
    calls: list[str] = []

    @app.schedule("rate(1 minute)")
    def sweep(event: object) -> None:
        calls.append("sweep")

    @app.schedule("rate(1 hour)")
    def hourly(event: object) -> None:
        calls.append("hourly")

    module = types.SimpleNamespace(app=app, sweep=sweep, hourly=hourly)
    jobs = ticker.scheduled_jobs(module, now=0)
    assert sorted(j.name for j in jobs) == ["hourly", "sweep"]
    assert sorted(ticker.tick(jobs, 0)) == ["hourly", "sweep"]
    assert ticker.tick(jobs, 30) == []
    assert ticker.tick(jobs, 61) == ["sweep"]
    assert calls.count("sweep") == 2 and calls.count("hourly") == 1
