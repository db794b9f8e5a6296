"""Benchmarks run by ``make bench``: each ``bench_*.py`` has a ``run()`` printing ratios."""
