"""rainmaker_tagging."""
