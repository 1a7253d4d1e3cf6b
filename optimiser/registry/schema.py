"""The schema revision this code writes: known without importing SQLAlchemy or Alembic.

`quick` compares a database's `alembic_version` with HEAD before writing with the standard
library; anything else (no table, an older or a newer revision) goes through `migrate`.
A test checks that HEAD is the last migration in `migrations/versions/`.
"""

HEAD = "0002"
"""Revision of the last migration (0001: runs; 0002: decisions)."""
