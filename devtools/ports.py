"""Free loopback ports for servers a test, the bench or ``lambdesk run`` starts, chosen below the ephemeral range.

A port the OS hands out for ``bind(("127.0.0.1", 0))`` lies in the ephemeral range (Linux: 32768 to 60999), the
range every outgoing connection also takes its local port from. Between choosing a port and the server binding
it, one of the many client connections of a busy test run can take it (a test run saw "Address already in use" on the
chat bridge's port + 1). Below that range only servers bind, and those pick at random here.
"""

from __future__ import annotations

import random
import socket

LOW, HIGH = 20000, 32767  # below Linux's and macOS's default ephemeral ranges (32768+, 49152+)
HOST = "127.0.0.1"


def _bindable(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind((HOST, port))
        except OSError:
            return False
    return True


def free_port(*, pair: bool = False) -> int:
    """A port nothing listens on; with ``pair``, the next port is free as well (the chat bridge's Management API)."""
    for _ in range(200):
        port = random.randint(LOW, HIGH - 1)
        if _bindable(port) and (not pair or _bindable(port + 1)):
            return port
    raise RuntimeError(f"no free port between {LOW} and {HIGH}")


def distinct_free_ports(count: int) -> list[int]:
    """``count`` different free ports, none next to another (so any of them may also serve as a pair's first)."""
    ports: list[int] = []
    while len(ports) < count:
        port = free_port()
        if all(abs(port - taken) > 1 for taken in ports):
            ports.append(port)
    return ports
