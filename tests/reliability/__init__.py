"""Reliability of the load path: crashes, restarts, full disks, concurrency, distributed runs."""
