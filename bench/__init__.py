"""Benchmarks: scripts that measure, not tests (bench/README.md). A package so that they
import one another by one name (bench.provisioning, bench.world...)."""
