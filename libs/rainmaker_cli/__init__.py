"""The `rainmaker` console script."""
