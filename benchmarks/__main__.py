"""``python -m benchmarks``: run the whole suite (``--quick`` for the CI smoke run)."""

from __future__ import annotations

import sys

from benchmarks.run import main

sys.exit(main())
