//! Row-level security: Postgres itself keeps each tenant's rows to that
//! tenant (docs/design.md §4a, the database backstop).
//!
//! Every table with a `tenant_id` column (and `tenants` by its `id`, and
//! `role_permissions` through its role) gets one policy, `tenant_isolation`:
//! a row is visible, changeable and insertable only when its tenant is the
//! session's `backbone.tenant_id` setting. Without that setting nothing is
//! visible. Two roles come with it, created once per cluster when missing:
//!
//! - `backbone_app`: what request handling runs as; subject to the policies.
//! - `backbone_platform`: `BYPASSRLS`, for platform jobs that work across
//!   tenants (the outbox relay, retention, tenant creation).
//!
//! Tables are `FORCE`d, so even their owner is held to the policies unless it
//! is a superuser. Tables that hold no tenant's data (the permission
//! catalogue, billing's catalogue, consumed event ids) have no policy.
//! SQLite has no row-level security: nothing happens there.
//!
//! Down removes the policies, the function and the grants; it leaves the two
//! roles, which belong to the cluster and may serve other databases.

use sea_orm_migration::{
    prelude::*,
    sea_orm::{ConnectionTrait, DbBackend},
};

/// The policy's name on every protected table.
pub const POLICY: &str = "tenant_isolation";

/// The role request handling runs as.
pub const APP_ROLE: &str = "backbone_app";

/// The role platform jobs run as; it bypasses the policies.
pub const PLATFORM_ROLE: &str = "backbone_platform";

/// The session setting that names the caller's tenant.
pub const TENANT_SETTING: &str = "backbone.tenant_id";

/// Turns row-level security on (up) and off (down).
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        if db.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        db.execute_unprepared(&roles_and_grants()).await?;
        db.execute_unprepared(&format!(
            "CREATE OR REPLACE FUNCTION backbone_tenant() RETURNS uuid LANGUAGE sql STABLE PARALLEL SAFE \
             AS $$ SELECT nullif(current_setting('{TENANT_SETTING}', true), '')::uuid $$"
        ))
        .await?;
        for table in tenant_tables(db).await? {
            protect(db, &table, "tenant_id = backbone_tenant()").await?;
        }
        protect(db, "tenants", "id = backbone_tenant()").await?;
        protect(
            db,
            "role_permissions",
            "EXISTS (SELECT 1 FROM roles r WHERE r.id = role_permissions.role_id)",
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        if db.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let protected = names(
            db,
            format!("SELECT tablename::text FROM pg_policies WHERE schemaname = current_schema() AND policyname = '{POLICY}'"),
        )
        .await?;
        for table in protected {
            db.execute_unprepared(&format!(
                "DROP POLICY {POLICY} ON \"{table}\"; \
                 ALTER TABLE \"{table}\" NO FORCE ROW LEVEL SECURITY; \
                 ALTER TABLE \"{table}\" DISABLE ROW LEVEL SECURITY"
            ))
            .await?;
        }
        db.execute_unprepared("DROP FUNCTION IF EXISTS backbone_tenant()").await?;
        db.execute_unprepared(&format!(
            "DO $$ DECLARE s text := quote_ident(current_schema()); BEGIN {} END $$",
            rights(false)
        ))
        .await?;
        Ok(())
    }
}

/// Creates the two roles when the cluster lacks them (two databases migrating
/// at once may race: the loser finds the role made), makes the migrating user
/// a member of both (so its processes may `SET ROLE`), and grants both the
/// data rights on this schema's tables, now and for tables made later.
fn roles_and_grants() -> String {
    format!(
        "DO $$ DECLARE s text := quote_ident(current_schema()); BEGIN \
           IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN \
             BEGIN CREATE ROLE {APP_ROLE} NOLOGIN NOBYPASSRLS; \
             EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END; \
           END IF; \
           IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{PLATFORM_ROLE}') THEN \
             BEGIN CREATE ROLE {PLATFORM_ROLE} NOLOGIN BYPASSRLS; \
             EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END; \
           END IF; \
           IF NOT pg_has_role(current_user, '{APP_ROLE}', 'MEMBER') THEN \
             EXECUTE format('GRANT {APP_ROLE} TO %I', current_user); END IF; \
           IF NOT pg_has_role(current_user, '{PLATFORM_ROLE}', 'MEMBER') THEN \
             EXECUTE format('GRANT {PLATFORM_ROLE} TO %I', current_user); END IF; \
           {} \
         END $$",
        rights(true)
    )
}

/// Both roles' data rights on this schema's tables and sequences, now and
/// on those made later: granted (`true`) or revoked, as PL/pgSQL
/// statements over the schema name `s`.
fn rights(grant: bool) -> String {
    let (verb, to) = if grant { ("GRANT", "TO") } else { ("REVOKE", "FROM") };
    let roles = format!("{APP_ROLE}, {PLATFORM_ROLE}");
    [
        format!("{verb} USAGE ON SCHEMA %s {to} {roles}"),
        format!("{verb} SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %s {to} {roles}"),
        format!("{verb} USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %s {to} {roles}"),
        format!("ALTER DEFAULT PRIVILEGES IN SCHEMA %s {verb} SELECT, INSERT, UPDATE, DELETE ON TABLES {to} {roles}"),
        format!("ALTER DEFAULT PRIVILEGES IN SCHEMA %s {verb} USAGE, SELECT ON SEQUENCES {to} {roles}"),
    ]
    .map(|sql| format!("EXECUTE format('{sql}', s); "))
    .concat()
}

/// Every table of this schema with a `tenant_id` column.
async fn tenant_tables(db: &SchemaManagerConnection<'_>) -> Result<Vec<String>, DbErr> {
    names(
        db,
        "SELECT c.table_name::text FROM information_schema.columns c \
         JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name \
         WHERE c.table_schema = current_schema() AND c.column_name = 'tenant_id' AND t.table_type = 'BASE TABLE' \
         ORDER BY 1"
            .to_owned(),
    )
    .await
}

/// The first column of every row `sql` returns.
async fn names(db: &SchemaManagerConnection<'_>, sql: String) -> Result<Vec<String>, DbErr> {
    let rows = db
        .query_all_raw(sea_orm_migration::sea_orm::Statement::from_string(DbBackend::Postgres, sql))
        .await?;
    rows.iter().map(|r| r.try_get_by_index::<String>(0)).collect()
}

/// Turns row-level security on for `table` (forced, so the owner is held
/// too) with the one policy, whose `rule` decides reading and writing alike.
/// A later migration that adds a table holding a tenant's rows calls this
/// with `"tenant_id = backbone_tenant()"`.
pub async fn protect(db: &SchemaManagerConnection<'_>, table: &str, rule: &str) -> Result<(), DbErr> {
    db.execute_unprepared(&format!(
        "ALTER TABLE \"{table}\" ENABLE ROW LEVEL SECURITY; \
         ALTER TABLE \"{table}\" FORCE ROW LEVEL SECURITY; \
         CREATE POLICY {POLICY} ON \"{table}\" USING ({rule}) WITH CHECK ({rule})"
    ))
    .await?;
    Ok(())
}
