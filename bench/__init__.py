"""Benchmarks run by ``make bench``. Each module ``bench_*.py`` has a ``run()`` that prints ratios."""
