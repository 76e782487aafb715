"""Message catalogues of the domain core (reports, exports, CLI output)."""
