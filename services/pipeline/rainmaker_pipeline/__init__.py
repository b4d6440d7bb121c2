"""rainmaker_pipeline."""
