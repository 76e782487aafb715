"""Benchmarks: every figure is a ratio against the bare library doing the same work in the same run."""
