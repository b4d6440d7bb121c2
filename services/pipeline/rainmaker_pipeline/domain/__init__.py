"""Pipeline's domain: stages, attribution and ROI arithmetic. Stdlib only."""
