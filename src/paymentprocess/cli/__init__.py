"""Command-line program: thin typer adapters over the service functions."""
