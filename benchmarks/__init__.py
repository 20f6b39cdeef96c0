"""``make bench``: the course's benchmarks, run as ``python -m benchmarks.run`` from the repository root."""
