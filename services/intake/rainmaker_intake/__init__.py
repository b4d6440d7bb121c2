"""rainmaker_intake."""
