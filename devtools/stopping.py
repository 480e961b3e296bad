"""Ctrl-C and SIGTERM stop the local stack, whichever thread the kernel hands the signal to.

Python runs signal handlers in the main thread, and only when that thread runs Python code. The stack used
to wait in ``threading.Event.wait()`` without a timeout: when the kernel delivered SIGTERM to one of the
stack's many other threads, the main thread's lock wait was not interrupted and the handler never ran
(2 of 20 start/stop cycles ignored SIGTERM until SIGKILL). Here the main thread waits in ``select`` on the
signal wakeup fd, which the C-level handler writes on whatever thread it runs; and the Python handler takes
no lock (an ``Event.set`` in a handler deadlocks when the main thread holds that Event's lock).
"""

from __future__ import annotations

import select
import signal
import socket
from types import FrameType

SIGNALS = (signal.SIGINT, signal.SIGTERM)
# A backstop: the wakeup fd wakes the wait at once; the loop re-checks at least this often anyway.
POLL_SECONDS = 1.0


class Stopping(BaseException):
    """A stop signal arrived while the stack was starting (a BaseException, like KeyboardInterrupt, so that
    no ``except Exception`` on the way swallows it)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


class StopSignals:
    """Install in the main thread before the stack starts anything. Until ``arm`` a signal is only recorded;
    between ``arm`` and ``disarm`` it raises ``Stopping`` in the main thread (to abandon a start); after
    ``disarm`` it is recorded again and ``wait`` returns it (a second Ctrl-C never interrupts a shutdown)."""

    def __init__(self) -> None:
        self.received: list[int] = []
        self._armed = False
        self._reader, self._writer = socket.socketpair()
        self._reader.setblocking(False)
        self._writer.setblocking(False)
        self._previous_fd = signal.set_wakeup_fd(self._writer.fileno(), warn_on_full_buffer=False)
        self._previous = {signum: signal.signal(signum, self._handle) for signum in SIGNALS}

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self.received.append(signum)
        if self._armed:
            raise Stopping(signum)

    def arm(self) -> None:
        self._armed = True
        if self.received:
            raise Stopping(self.received[0])

    def disarm(self) -> None:
        self._armed = False

    def wait(self) -> int:
        """Block until SIGINT or SIGTERM arrives (or has arrived); return it."""
        while not self.received:
            select.select([self._reader], [], [], POLL_SECONDS)
            self._drain()
        return self.received[0]

    def close(self) -> None:
        """Put back the handlers and wakeup fd found (tests; the stack's process exits instead)."""
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        signal.set_wakeup_fd(self._previous_fd)
        self._reader.close()
        self._writer.close()

    def _drain(self) -> None:
        try:
            while self._reader.recv(64):
                pass
        except BlockingIOError:
            return
