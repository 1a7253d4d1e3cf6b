"""The plan registry: every `optimiser solve` on record (docs/registry.md).

A ministry has to say which plan it adopted, from which data and scenario, by whom, and how it
differs from last week's. So each solve is recorded as one row (scenario text, dataset
fingerprint, status, the full plan.json and its tables) in a database: an SQLite file in the
user's data folder by default, PostgreSQL for a team. The package sits on top of the pipeline
like `whatif/`: the CLI hands it what a solve produced; nothing in the pipeline knows about it.

Modules, one job each: `url` (which database, and how to name it without its password),
`record` (a run as plain data, gathered without any database code), `models`, `schema` and
`migrations/` (the schema: SQLAlchemy, its revision, Alembic), `migrate` (applying them on
start), `database` (engines and readable errors), `retry` (busy databases), `store` (reading
and writing runs), `quick` (the stdlib writer that keeps recording under 50 ms), `recorder`
(what `solve` calls), `export` (a run back to a plan folder), `views` (text and JSON) and
`commands` (`optimiser runs ...`).
"""
