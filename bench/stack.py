"""The local stack in a child process: ``python -m bench.stack`` reads its settings as one JSON line on stdin.

It starts what ``make run`` starts (``devtools.localstack.start``: moto, the Chalice local server, the
worker and the ticker, with the demo data), writes ``{"ready": true}`` to the file the parent named, and
shuts everything down when the parent closes its stdin.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import NoReturn

from devtools.localenv import STATE_FILE, LocalEnv


class BenchEnv(LocalEnv):
    """A LocalEnv that leaves ``.local/stack.json`` alone: it belongs to the developer's own stack."""

    def save(self, path: Path = STATE_FILE) -> None:
        return None


def main() -> NoReturn:
    from devtools import localstack

    config = json.loads(sys.stdin.readline())
    ready_file = Path(config.pop("ready_file"))
    stack = localstack.start(BenchEnv(**config), seed=True)
    try:
        ready_file.write_text(json.dumps({"ready": True, "table": stack.env.names.table}))
        sys.stdin.read()  # until the parent closes our stdin
    finally:
        import faulthandler

        # If shutting down takes long, show where every thread is (the parent gives up after 60 s).
        faulthandler.dump_traceback_later(20, exit=False)
        stack.shutdown()
    localstack.exit_now(0)


if __name__ == "__main__":
    raise SystemExit(main())
