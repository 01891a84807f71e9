//! Up, down, up on a fresh database (SQLite, or Postgres with
//! TEST_DATABASE_URL), and Postgres row-level security on every table that
//! holds a tenant's rows (always on Postgres).

mod roundtrip;
mod row_level_security;
