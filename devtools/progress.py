"""Progress bars for the long-running developer commands (tqdm), shown on a terminal only.

Seeding, settling the demo, replays, sweeps and the benchmarks draw a bar on standard error when it is a
terminal; piped (tests, CI, ``| tee``) the bars are off and the commands print exactly what they print
without them. tqdm is a development dependency: nothing under ``chalicelib/`` imports this module.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")


def _tqdm() -> Any:
    from tqdm import tqdm

    # No monitor thread: it only corrects bars that update rarely, and a benchmark checks that it leaves no
    # thread behind.
    tqdm.monitor_interval = 0
    return tqdm


def bar(desc: str, total: int | None = None, unit: str = "it") -> Any:
    """A bar to ``update(n)`` by hand; a plain counter when the total is unknown. Use it as a context manager."""
    tqdm = _tqdm()
    # disable=None: off unless standard error is a terminal. leave=False: the bar goes away when done, so the
    # line a command prints afterwards is not pushed around.
    return tqdm(desc=desc, total=total, unit=unit, disable=None, leave=False, file=sys.stderr, dynamic_ncols=True)


def iterate(items: Iterable[T], desc: str, unit: str = "it", total: int | None = None) -> Iterator[T]:
    """``items`` with a bar that advances as they are consumed."""
    tqdm = _tqdm()
    known = total if total is not None else (len(items) if hasattr(items, "__len__") else None)
    yield from tqdm(items, desc=desc, total=known, unit=unit, disable=None, leave=False, file=sys.stderr)


def beside_bars() -> Any:
    """A context in which to write a line to the terminal (stdout or stderr) without tearing a bar: the bars
    drawn on standard error are cleared first and drawn again after."""
    return _tqdm().external_write_mode(file=sys.stderr)


def say(message: str) -> None:
    """A line on standard error that does not tear a bar being drawn."""
    _tqdm().write(message, file=sys.stderr)


class DueWithProgress:
    """A work repository whose ``due`` items advance a bar as a sweep handles them (``lambdesk sweep``);
    everything else goes to the repository it wraps."""

    def __init__(self, repo: Any) -> None:
        self._repo = repo

    def due(self, kind: str, now: Any, limit: int) -> Iterator[Any]:
        items = self._repo.due(kind, now, limit)
        return iterate(items, f"Sweeping {kind.lower()}", "ticket")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._repo, name)
