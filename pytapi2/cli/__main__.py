"""``python -m pytapi2.cli``: the same as ``python -m pytapi2``."""

from __future__ import annotations

import sys

from pytapi2.cli import main

if __name__ == "__main__":
    sys.exit(main())
