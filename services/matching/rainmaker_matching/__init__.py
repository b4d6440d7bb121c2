"""rainmaker_matching."""
