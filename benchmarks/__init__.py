"""Benchmark suite: the workload, the hand-written reference and the runner (issue 5)."""
