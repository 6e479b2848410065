"""Use cases shared by the CLI and the HTTP API (they are thin adapters over these)."""
