"""Test support that ships with the package: the list generator (tests, benchmarks, CLI)."""
