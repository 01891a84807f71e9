//! Connecting to the database and migrating it at start, and committing
//! a change so the outbox relay hears of it.

use std::{sync::LazyLock, time::Duration};

use backbone_migrations::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
};
use tokio::sync::watch;

/// Counts commits made through [`commit`] in this process; every relay
/// watches it.
static COMMITS: LazyLock<watch::Sender<u64>> = LazyLock::new(|| watch::channel(0).0);

/// Commits `txn`, then wakes every outbox relay of this process, so events
/// written in it go out now rather than at the next poll. The only way
/// code outside the relay commits (`clippy.toml` disallows
/// `DatabaseTransaction::commit`): no resolver wakes the relay by hand, and
/// none can forget to.
pub async fn commit(txn: DatabaseTransaction) -> Result<(), DbErr> {
    #[allow(clippy::disallowed_methods)]
    txn.commit().await?;
    COMMITS.send_modify(|n| *n = n.wrapping_add(1));
    Ok(())
}

/// What a relay watches for commits.
pub(crate) fn commits() -> watch::Receiver<u64> {
    COMMITS.subscribe()
}

/// Opens a pool for `url`.
///
/// SQLite gets a single connection: SQLite allows one writer at a time, and
/// with one connection concurrent requests queue in the pool instead of
/// failing with `SQLITE_BUSY`. SQLite is for development and single-node
/// use; production runs on Postgres with a real pool. The parent directory
/// of a SQLite file is created when missing. SQLite runs with
/// `secure_delete`, a write-ahead log and a 64 MiB page cache.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    let sqlite = url.starts_with("sqlite:");
    if sqlite {
        ensure_sqlite_dir(url);
    } else {
        crate::reach::probe("the database", url).await.map_err(DbErr::Custom)?;
    }
    let mut opts = ConnectOptions::new(url.to_owned());
    opts.sqlx_logging(false)
        .acquire_timeout(Duration::from_secs(10))
        .connect_timeout(Duration::from_secs(10));
    if sqlite {
        opts.max_connections(1).min_connections(1);
        // Deleted rows are overwritten with zeros, not left in free pages:
        // erasure erases the bytes too. Writes go to a write-ahead log (each
        // changed page written once per commit, appended, one sync), which
        // an erasure checkpoints and truncates at once (`scrub_log`), so
        // old page images do not linger in it. The page cache is 64 MiB
        // rather than 2: the one connection's indexes stay in memory as
        // tables grow past the default's reach.
        opts.map_sqlx_sqlite_opts(|o| {
            o.pragma("secure_delete", "ON")
                .pragma("cache_size", "-65536")
                .journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .pragma("wal_autocheckpoint", "16384")
        });
    } else {
        opts.max_connections(20).min_connections(1);
        // Every connection handed out takes the role and tenant of the task
        // that asked (row-level security, `crate::isolation`). Setting them
        // is a round trip that also proves the connection alive, so it
        // replaces sqlx's ping before each hand-out.
        opts.test_before_acquire(false).map_sqlx_postgres_pool_opts(|pool| {
            pool.after_connect(|conn, _| Box::pin(take_isolation(conn)))
                .before_acquire(|conn, _| Box::pin(async { take_isolation(conn).await.map(|()| true) }))
        });
    }
    Database::connect(opts).await.map_err(|e| match e.to_string() {
        m if m.contains("role \"backbone_") => DbErr::Custom(format!(
            "{m}: the database is not migrated (run `backbone migrate up`, which creates the roles)"
        )),
        _ => e,
    })
}

/// Sets `conn`'s role and tenant to the running task's isolation.
async fn take_isolation(conn: &mut sea_orm::sqlx::PgConnection) -> Result<(), sea_orm::sqlx::Error> {
    let (role, tenant) = crate::isolation::session_params(crate::isolation::current());
    sea_orm::sqlx::query(crate::isolation::SESSION_SQL).bind(role).bind(tenant).execute(conn).await?;
    Ok(())
}

/// After an erasure or a purge: on SQLite the write-ahead log is
/// checkpointed into the database file (where `secure_delete` has zeroed
/// the deleted rows) and truncated, so no old page image of them stays in
/// the log. Nothing on Postgres (VACUUM reclaims dead tuples there).
pub async fn scrub_log(db: &DatabaseConnection) -> Result<(), DbErr> {
    if db.get_database_backend() == DbBackend::Sqlite {
        db.execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)").await?;
    }
    Ok(())
}

/// Opens a pool and applies pending migrations.
///
/// Migrations run on a connection of their own, as the user of `url`: on
/// Postgres the pool's connections take roles the migrations create.
pub async fn connect_and_migrate(url: &str) -> Result<DatabaseConnection, DbErr> {
    if url.starts_with("sqlite:") {
        let db = connect(url).await?;
        Migrator::up(&db, None).await?;
        return Ok(db);
    }
    migrate(url).await?;
    connect(url).await
}

/// Applies pending migrations over one plain connection to `url`.
pub async fn migrate(url: &str) -> Result<(), DbErr> {
    let db = connect_as_owner(url).await?;
    let applied = Migrator::up(&db, None).await;
    db.close().await?;
    applied
}

/// One connection to `url` as its user, taking no role (what migrations run
/// on: they create the roles the pool's connections take).
pub async fn connect_as_owner(url: &str) -> Result<DatabaseConnection, DbErr> {
    if url.starts_with("sqlite:") {
        ensure_sqlite_dir(url);
    } else {
        crate::reach::probe("the database", url).await.map_err(DbErr::Custom)?;
    }
    let mut opts = ConnectOptions::new(url.to_owned());
    opts.sqlx_logging(false).max_connections(1).min_connections(1).connect_timeout(Duration::from_secs(10));
    Database::connect(opts).await
}

/// Whether the database answers a trivial query.
pub async fn ping(db: &DatabaseConnection) -> bool {
    db.execute_unprepared("SELECT 1").await.is_ok()
}

/// Whether the connection is Postgres (for features SQLite lacks).
pub fn is_postgres(db: &impl ConnectionTrait) -> bool {
    db.get_database_backend() == DbBackend::Postgres
}

fn ensure_sqlite_dir(url: &str) {
    let path = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:")
        .split('?')
        .next()
        .unwrap_or_default();
    if path.is_empty() || path.starts_with(":memory:") {
        return;
    }
    if let Some(parent) = std::path::Path::new(path).parent()
        && !parent.as_os_str().is_empty()
    {
        // A failure here surfaces as a clear connect error right after.
        let _ = std::fs::create_dir_all(parent);
    }
}
