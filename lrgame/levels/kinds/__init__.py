"""The level kinds, one module (or package) each; ``levels.registry`` finds them here."""
