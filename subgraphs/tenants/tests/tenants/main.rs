//! Integration tests of the tenants subgraph: real servers on port 0, real
//! GraphQL over HTTP. Set TEST_DATABASE_URL=postgres://… to run them on
//! Postgres (each test gets its own database).

mod api_keys;
mod audit;
mod auth;
mod federation;
mod happy;
mod input;
mod isolation;
mod rbac;
mod support;
