"""Benchmark of the loader and the dbt build against plain DuckDB (see README, Performance)."""
