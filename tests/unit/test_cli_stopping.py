"""``lambdesk run`` stops on SIGINT or SIGTERM whichever thread the kernel hands the signal to."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator

import pytest

from devtools import stopping
from devtools.stopping import Stopping, StopSignals


@pytest.fixture
def signals(monkeypatch: pytest.MonkeyPatch) -> Iterator[StopSignals]:
    # A backstop poll far longer than the test waits: only the wakeup fd can end the wait in time.
    monkeypatch.setattr(stopping, "POLL_SECONDS", 60.0)
    installed = StopSignals()
    yield installed
    installed.close()


def test_a_signal_delivered_to_another_thread_wakes_the_waiting_main_thread(signals: StopSignals) -> None:
    signals.disarm()

    def from_a_worker_thread() -> None:
        time.sleep(0.3)  # let the main thread block in wait() first
        signal.pthread_kill(threading.get_ident(), signal.SIGTERM)  # the kernel's choice, made deliberately

    threading.Thread(target=from_a_worker_thread).start()
    began = time.monotonic()
    assert signals.wait() == signal.SIGTERM
    assert time.monotonic() - began < 10


def test_a_signal_while_armed_abandons_the_start(signals: StopSignals) -> None:
    signals.arm()
    with pytest.raises(Stopping, match="SIGINT"):
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(5)  # the handler raises in the main thread long before this ends
    signals.disarm()
    assert signals.received == [signal.SIGINT]


def test_a_signal_before_arming_stops_at_arming(signals: StopSignals) -> None:
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(0.1)
    with pytest.raises(Stopping, match="SIGTERM"):
        signals.arm()


def test_a_second_signal_after_disarming_is_only_recorded(signals: StopSignals) -> None:
    signals.disarm()
    os.kill(os.getpid(), signal.SIGINT)
    os.kill(os.getpid(), signal.SIGTERM)
    assert signals.wait() == signal.SIGINT
    time.sleep(0.1)
    assert signals.received == [signal.SIGINT, signal.SIGTERM]


def test_close_puts_back_the_handlers_it_found() -> None:
    before = signal.getsignal(signal.SIGTERM)
    StopSignals().close()
    assert signal.getsignal(signal.SIGTERM) is before
