"""`make bench`: throughput, memory and latency benchmarks, written to BENCHMARKS.md (see run.py)."""
