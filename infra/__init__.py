"""Local infrastructure tooling (private dev/test servers); no service imports this."""
