"""``python -m pytapi2``: the pytapi2 command (see :mod:`pytapi2.cli`)."""

from __future__ import annotations

import sys

from pytapi2.cli import main

if __name__ == "__main__":
    sys.exit(main())
