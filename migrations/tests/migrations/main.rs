//! Up, down, up on a fresh database (SQLite, or Postgres with
//! TEST_DATABASE_URL).

mod roundtrip;
