"""``python -m bench`` (``make bench``): see ``bench/run.py``."""

import os
import sys
from pathlib import Path

# The child processes (cold starts, the local stack) get the environment as it was given to us.
_CHILD_ENV = dict(os.environ)
# Must be set before pynamodb is first imported: see bench/pynamodb_settings.py.
os.environ["PYNAMODB_CONFIG"] = str(Path(__file__).resolve().parent / "pynamodb_settings.py")

from bench.run import main  # noqa: E402

sys.exit(main(child_env=_CHILD_ENV))
