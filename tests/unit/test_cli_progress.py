"""Progress bars of the long-running commands: drawn on a terminal, absent when the output is piped."""

from __future__ import annotations

import io

import pytest

from devtools.progress import DueWithProgress, bar, iterate


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("stream", "drawn"), [(Terminal(), True), (io.StringIO(), False)], ids=["tty", "piped"])
def test_a_bar_is_drawn_on_a_terminal_only(stream: io.StringIO, drawn: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stderr", stream)
    assert list(iterate(["a", "b", "c"], "Seeding", "ticket")) == ["a", "b", "c"]
    with bar("Replaying sla", total=2, unit="msg") as moving:
        moving.update(2)
    shown = stream.getvalue()
    # tqdm redraws at most every 0.1 s and clears the bar when done: the first frame is what is certain.
    assert ("Seeding:" in shown and "/3 " in shown and "Replaying sla:" in shown and "/2 " in shown) is drawn
    assert shown == "" or drawn


def test_a_sweep_reads_the_same_due_items_through_the_progress_wrapper(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stderr", io.StringIO())

    class Repo:
        def due(self, kind: str, now: object, limit: int) -> list[str]:
            return ["t1", "t2"][:limit]

        def cursor(self, team_id: str) -> str:
            return f"cursor of {team_id}"

    wrapped = DueWithProgress(Repo())
    assert list(wrapped.due("SLA", None, 1)) == ["t1"]
    assert wrapped.cursor("billing") == "cursor of billing"
