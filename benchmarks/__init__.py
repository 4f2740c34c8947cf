"""pytapi2 benchmark suite: ``python -m benchmarks`` (see benchmarks/README.md)."""
