//! Recall through pgvector's HNSW index, used on Postgres when the
//! `vector` extension is available (docs/design.md §7); elsewhere recall scans
//! cached vectors ([`super::snapshot`]).
//!
//! Kept beside the portable schema rather than in a migration, because the
//! extension may or may not exist on a given server: on first use the
//! subgraph creates the extension, a `vector` column next to the bytes
//! (which stay the source of truth, for export and for servers without it),
//! fills it for rows that lack it, and builds one partial HNSW index per
//! embedder and dimension count (an index needs a fixed dimension; rows of
//! different embedders are never compared). The index is approximate; the
//! query raises `hnsw.ef_search` because person, scope and expiry filters
//! apply to the candidates it returns.

use std::collections::HashSet;

use backbone_entities::memory::entry as memory;
use chrono::{DateTime, Utc};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, FromQueryResult, QueryFilter, QuerySelect,
    Statement, TransactionTrait, Value,
};
use subgraph_kit::{
    ApiResult,
    isolation::{self, Isolation},
};
use tokio::sync::{Mutex, OnceCell};
use uuid::Uuid;

use super::{
    embed, rows,
    snapshot::{Ask, Filters},
};

/// Candidates the index returns before filtering (pgvector's default is 40).
const EF_SEARCH: u32 = 400;

/// Whether pgvector is in use on this database, found out once.
#[derive(Default)]
pub struct PgVector {
    on: OnceCell<bool>,
    indexed: Mutex<HashSet<(String, usize)>>,
}

/// One ranked memory read through the index.
#[derive(Debug, Clone)]
pub struct Hit {
    /// The row.
    pub memory: memory::Model,
    /// Cosine similarity.
    pub score: f32,
}

impl PgVector {
    /// Whether recall goes through pgvector: Postgres with the extension
    /// available (created, and the column filled, on the first call).
    pub async fn enabled(&self, db: &DatabaseConnection) -> ApiResult<bool> {
        self.on.get_or_try_init(|| prepare(db)).await.copied()
    }

    /// Makes sure `embedder`'s vectors of `dims` have an index (once per
    /// process; outside any transaction, since building it blocks writes).
    pub async fn ensure_index(&self, db: &DatabaseConnection, embedder: &str, dims: usize) -> ApiResult<()> {
        let key = (embedder.to_owned(), dims);
        let mut indexed = self.indexed.lock().await;
        if !indexed.contains(&key) {
            ddl(db, &index_ddl(embedder, dims)).await?;
            indexed.insert(key);
        }
        Ok(())
    }
}

/// Writes `vector` into the row's `vector` column (inside the caller's
/// transaction, when it has one).
pub async fn store(conn: &impl ConnectionTrait, id: Uuid, vector: &[f32]) -> ApiResult<()> {
    let sql = "UPDATE memories SET embedding_vec = $1::vector WHERE id = $2";
    conn.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        sql,
        [literal(vector).into(), id.into()],
    ))
    .await?;
    Ok(())
}

async fn prepare(db: &DatabaseConnection) -> ApiResult<bool> {
    if db.get_database_backend() != DbBackend::Postgres {
        return Ok(false);
    }
    let available = db
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT 1 AS one FROM pg_available_extensions WHERE name = 'vector'",
        ))
        .await?
        .is_some();
    if !available {
        return Ok(false);
    }
    if let Err(e) = ddl(db, "CREATE EXTENSION IF NOT EXISTS vector").await {
        // Installed on the server but not creatable by this role.
        tracing::warn!(error = %e, "pgvector is available but could not be created; recall scans instead");
        return Ok(false);
    }
    ddl(db, "ALTER TABLE memories ADD COLUMN IF NOT EXISTS embedding_vec vector").await?;
    // Every tenant's rows, whichever request got here first.
    isolation::as_platform(backfill(db)).await?;
    Ok(true)
}

/// Runs an `IF NOT EXISTS` statement, once more after a pause if it fails:
/// replicas starting together race to create the same object, and the
/// loser's second try finds it there.
/// Runs as the tables' owner (row-level security's roles may not alter them).
async fn ddl(db: &DatabaseConnection, sql: &str) -> ApiResult<()> {
    isolation::within(Isolation::Owner, async {
        if db.execute_unprepared(sql).await.is_err() {
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    })
    .await
}

/// Fills the `vector` column of rows written before pgvector was there.
async fn backfill(db: &DatabaseConnection) -> ApiResult<()> {
    loop {
        let rows: Vec<(Uuid, Vec<u8>)> = memory::Entity::find()
            .select_only()
            .column(memory::Column::Id)
            .column(memory::Column::Embedding)
            .filter(sea_orm::sea_query::Expr::cust("embedding_vec IS NULL"))
            .limit(500)
            .into_tuple()
            .all(db)
            .await?;
        if rows.is_empty() {
            return Ok(());
        }
        let txn = db.begin().await?;
        for (id, bytes) in rows {
            store(&txn, id, &embed::from_bytes(&bytes)).await?;
        }
        subgraph_kit::db::commit(txn).await?;
    }
}

/// `[0.1,0.2,…]`, pgvector's text form.
fn literal(v: &[f32]) -> String {
    let mut s = String::with_capacity(v.len() * 12 + 2);
    s.push('[');
    for (i, x) in v.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&x.to_string());
    }
    s.push(']');
    s
}

/// The embedder name as an SQL string literal.
fn quoted(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// The index name of an embedder: its name reduced to `[a-z0-9_]`, so
/// stable across deploys; Postgres cuts names at 63 bytes.
fn index_name(embedder: &str, dims: usize) -> String {
    let clean: String = embedder
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' })
        .take(40)
        .collect();
    format!("ix_memories_hnsw_{clean}_{dims}")
}

fn index_ddl(embedder: &str, dims: usize) -> String {
    format!(
        "CREATE INDEX IF NOT EXISTS {} ON memories USING hnsw ((embedding_vec::vector({dims})) vector_cosine_ops) \
         WHERE embedder = {}",
        index_name(embedder, dims),
        quoted(embedder)
    )
}

/// The person's ranking query. The embedder and dimension count are
/// literals so the planner can match the partial index.
pub fn ranking_sql(embedder: &str, dims: usize, scopes: usize, filters: &Filters) -> String {
    let mut sql = format!(
        "SELECT id, tenant_id, user_id, kind, text, required_scope, importance, expires_at, embedder, \
         embedding, created_at, 1 - (embedding_vec::vector({dims}) <=> $1::vector({dims})) AS score FROM memories \
         WHERE embedder = {} AND tenant_id = $2 AND user_id = $3 AND (expires_at IS NULL OR expires_at > $4)",
        quoted(embedder)
    );
    let mut next = 5;
    let mut placeholders = |n: usize| {
        let list: Vec<String> = (next..next + n).map(|i| format!("${i}")).collect();
        next += n;
        list.join(", ")
    };
    sql.push_str(&format!(" AND required_scope IN ({})", placeholders(scopes)));
    if !filters.kinds.is_empty() {
        sql.push_str(&format!(" AND kind IN ({})", placeholders(filters.kinds.len())));
    }
    if filters.min_importance.is_some() {
        sql.push_str(&format!(" AND importance >= {}", placeholders(1)));
    }
    sql.push_str(&format!(
        " ORDER BY embedding_vec::vector({dims}) <=> $1::vector({dims}) LIMIT {}",
        placeholders(1)
    ));
    sql
}

/// The person's best memories for `ask`, through the HNSW index.
pub async fn rank(
    db: &DatabaseConnection,
    tenant_id: Uuid,
    user_id: Uuid,
    ask: &Ask<'_>,
) -> ApiResult<Vec<Hit>> {
    let Ask { query, embedder, allowed, filters, k, now } = *ask;
    if allowed.is_empty() || k == 0 {
        return Ok(Vec::new());
    }
    let sql = ranking_sql(embedder, query.len(), allowed.len(), filters);
    let mut values: Vec<Value> = vec![literal(query).into(), tenant_id.into(), user_id.into(), now.into()];
    values.extend(allowed.iter().map(|s| Value::from(s.clone())));
    values.extend(filters.kinds.iter().map(|s| Value::from(s.clone())));
    if let Some(m) = filters.min_importance {
        values.push(m.into());
    }
    values.push(i64::try_from(k).unwrap_or(i64::MAX).into());
    let txn = db.begin().await?;
    txn.execute_unprepared(&format!("SET LOCAL hnsw.ef_search = {EF_SEARCH}")).await?;
    let rows = txn.query_all_raw(Statement::from_sql_and_values(DbBackend::Postgres, sql, values)).await?;
    subgraph_kit::db::commit(txn).await?;
    rows.iter()
        .map(|row| {
            let memory = memory::Model::from_query_result(row, "")?;
            Ok(Hit { memory, score: row.try_get::<f64>("", "score")? as f32 })
        })
        .collect()
}

/// Distinct scopes of the person's live memories.
pub async fn scopes(
    db: &DatabaseConnection,
    tenant_id: Uuid,
    user_id: Uuid,
    now: DateTime<Utc>,
) -> ApiResult<Vec<String>> {
    use sea_orm::{ColumnTrait, QueryOrder};
    Ok(rows::mine(tenant_id, user_id)
        .filter(
            sea_orm::Condition::any()
                .add(memory::Column::ExpiresAt.is_null())
                .add(memory::Column::ExpiresAt.gt(now)),
        )
        .select_only()
        .column(memory::Column::RequiredScope)
        .distinct()
        .order_by_asc(memory::Column::RequiredScope)
        .into_tuple()
        .all(db)
        .await?)
}
