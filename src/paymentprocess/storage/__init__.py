"""Storage: one schema for SQLite and PostgreSQL, engines, units of work and bulk frame I/O."""
