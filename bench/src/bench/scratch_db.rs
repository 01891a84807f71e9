//! A Postgres database of a benchmark's own: created empty on the server a
//! URL names and dropped afterwards, so no run measures on what an earlier
//! run left (tables that grow with every run slow each one down).

use anyhow::Context;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};

/// A fresh `bb_bench_*` database; [`ScratchDb::drop_now`] removes it.
pub(crate) struct ScratchDb {
    admin: DatabaseConnection,
    /// Its name (`bb_bench_…`).
    pub name: String,
    /// Its URL.
    pub url: String,
}

impl ScratchDb {
    /// Creates an empty database on the server `server_url` points at.
    pub(crate) async fn create(server_url: &str) -> anyhow::Result<Self> {
        let name = format!("bb_bench_{}", uuid::Uuid::new_v4().simple());
        let admin = Database::connect(server_url).await.context("connect to Postgres")?;
        admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await?;
        let base = server_url.rsplit_once('/').map_or(server_url, |(base, _)| base);
        Ok(Self { url: format!("{base}/{name}"), admin, name })
    }

    /// Drops the database, closing whatever is still connected to it.
    pub(crate) async fn drop_now(self) -> anyhow::Result<()> {
        let drop = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        self.admin.execute_unprepared(&drop).await?;
        Ok(())
    }
}

/// Runs `measure` on a fresh database's URL, then drops the database,
/// whatever `measure` answered.
pub(crate) async fn measured_in<T, Fut>(
    server_url: &str,
    measure: impl FnOnce(String) -> Fut,
) -> anyhow::Result<T>
where
    Fut: std::future::Future<Output = anyhow::Result<T>>,
{
    let db = ScratchDb::create(server_url).await?;
    let result = measure(db.url.clone()).await;
    db.drop_now().await?;
    result
}
