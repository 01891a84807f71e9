//! Postgres keeps each tenant's rows to that tenant, on every table: run as
//! the application role, a query without a tenant set, or with another
//! tenant set, sees and changes nothing of a tenant's rows.

use backbone_migrations::{
    Migrator, MigratorTrait,
    m20261207_000023_row_level_security::{APP_ROLE, PLATFORM_ROLE, POLICY, TENANT_SETTING},
    sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement},
};
use subgraph_kit::testkit::TestDb;
use uuid::Uuid;

/// Tables that hold no tenant's rows, so carry no policy. A new table must be
/// added here or protected: the test fails until it is one or the other.
const GLOBAL: [&str; 8] = [
    "seaql_migrations",
    "permissions",
    "consumed_events",
    "billable_metrics",
    "billing_plans",
    "billing_plan_charges",
    "billing_tax_rates",
    "billing_coupons",
];

/// One connection, so session settings and the role hold across statements.
async fn one_connection(url: &str) -> DatabaseConnection {
    let mut opts = ConnectOptions::new(url.to_owned());
    opts.max_connections(1).min_connections(1).sqlx_logging(false);
    Database::connect(opts).await.expect("connect")
}

async fn strings(db: &DatabaseConnection, sql: &str) -> Vec<String> {
    let rows = db.query_all_raw(Statement::from_string(DbBackend::Postgres, sql)).await.expect(sql);
    rows.iter().map(|r| r.try_get_by_index::<String>(0).expect("text")).collect()
}

async fn count(db: &DatabaseConnection, sql: &str) -> i64 {
    let row = db.query_one_raw(Statement::from_string(DbBackend::Postgres, sql)).await.expect(sql);
    row.expect("a row").try_get_by_index::<i64>(0).expect("count")
}

async fn changed(db: &DatabaseConnection, sql: &str) -> u64 {
    db.execute_unprepared(sql).await.unwrap_or_else(|e| panic!("{sql}: {e}")).rows_affected()
}

async fn refused(db: &DatabaseConnection, sql: &str) {
    let err = db.execute_unprepared(sql).await.expect_err(sql).to_string();
    assert!(err.contains("row-level security"), "{sql}: {err}");
}

/// A table's columns and how the test fills and names its rows.
struct Table {
    name: String,
    /// `(column, type as Postgres formats it, needs a value)`.
    columns: Vec<(String, String, bool)>,
}

impl Table {
    /// An INSERT of one row owned by `tenant`; `role` is that tenant's role
    /// (what a `role_permissions` row hangs on).
    fn insert(&self, tenant: Uuid, role: Uuid) -> String {
        let mut names = Vec::new();
        let mut values = Vec::new();
        for (column, ty, needed) in &self.columns {
            let value = match (self.name.as_str(), column.as_str()) {
                (_, "tenant_id") | ("tenants", "id") => format!("'{tenant}'"),
                ("roles", "id") | ("role_permissions", "role_id") => format!("'{role}'"),
                _ if !needed => continue,
                _ => filler(ty),
            };
            names.push(format!("\"{column}\""));
            values.push(format!("CAST({value} AS {ty})"));
        }
        format!("INSERT INTO \"{}\" ({}) VALUES ({})", self.name, names.join(", "), values.join(", "))
    }

    /// A predicate true of the rows `tenant` owns.
    fn owned_by(&self, tenant: Uuid, role: Uuid) -> String {
        match self.name.as_str() {
            "tenants" => format!("id = '{tenant}'"),
            "role_permissions" => format!("role_id = '{role}'"),
            _ => format!("tenant_id = '{tenant}'"),
        }
    }

    /// An update that changes no value, so only the policy decides.
    fn touch(&self) -> String {
        let column = &self.columns[0].0;
        format!("UPDATE \"{}\" SET \"{column}\" = \"{column}\"", self.name)
    }
}

/// A value of type `ty` unique enough for any unique index.
fn filler(ty: &str) -> String {
    let t = ty.to_ascii_lowercase();
    if t == "uuid" {
        "gen_random_uuid()".into()
    } else if t.starts_with("character") || t == "text" {
        "left(md5(random()::text), 16)".into()
    } else if t.starts_with("timestamp") || t == "date" || t.starts_with("time") {
        "now()".into()
    } else if t == "boolean" {
        "false".into()
    } else if t.starts_with("json") {
        "'{}'".into()
    } else if t == "bytea" {
        "'\\x00'".into()
    } else if t.ends_with("[]") {
        "'{}'".into()
    } else if t == "smallint" {
        "floor(random() * 32000)".into()
    } else {
        "floor(random() * 2000000000)".into()
    }
}

async fn tables(db: &DatabaseConnection, names: &[String]) -> Vec<Table> {
    let mut out = Vec::new();
    for name in names {
        let sql = format!(
            "SELECT a.attname::text || '|' || format_type(a.atttypid, a.atttypmod) || '|' || \
             (a.attnotnull AND NOT a.atthasdef)::text \
             FROM pg_attribute a WHERE a.attrelid = '\"{name}\"'::regclass AND a.attnum > 0 AND NOT a.attisdropped \
             ORDER BY a.attnum"
        );
        let columns = strings(db, &sql)
            .await
            .into_iter()
            .map(|line| {
                let mut parts = line.splitn(3, '|');
                let column = parts.next().unwrap_or_default().to_owned();
                let ty = parts.next().unwrap_or_default().to_owned();
                (column, ty, parts.next() == Some("true"))
            })
            .collect();
        out.push(Table { name: name.clone(), columns });
    }
    out
}

async fn as_app(db: &DatabaseConnection, tenant: Option<Uuid>) {
    let tenant = tenant.map(|t| t.to_string()).unwrap_or_default();
    db.execute_unprepared(&format!(
        "SET ROLE {APP_ROLE}; SELECT set_config('{TENANT_SETTING}', '{tenant}', false)"
    ))
    .await
    .expect("become the application role");
}

#[tokio::test]
async fn every_tenant_row_is_seen_and_changed_only_in_its_tenant() {
    let test_db = TestDb::postgres().await.expect("test db");
    let db = one_connection(&test_db.url).await;
    Migrator::up(&db, None).await.expect("up");

    // Every table is protected, forced, with the policy, or named global.
    let all = strings(&db, "SELECT relname::text FROM pg_class WHERE relkind = 'r' AND relnamespace = current_schema()::regnamespace ORDER BY 1").await;
    let protected = strings(
        &db,
        &format!(
            "SELECT c.relname::text FROM pg_class c JOIN pg_policies p ON p.tablename = c.relname AND p.schemaname = current_schema() \
             WHERE c.relnamespace = current_schema()::regnamespace AND c.relrowsecurity AND c.relforcerowsecurity \
             AND p.policyname = '{POLICY}' ORDER BY 1"
        ),
    )
    .await;
    let with_tenant = strings(&db, "SELECT table_name::text FROM information_schema.columns WHERE table_schema = current_schema() AND column_name = 'tenant_id'").await;
    for table in &all {
        let global = GLOBAL.contains(&table.as_str());
        assert!(
            global != protected.contains(table),
            "{table} is neither protected nor listed as global (or is both)"
        );
        assert!(
            !(global && with_tenant.contains(table)),
            "{table} holds tenant rows but is listed as global"
        );
    }
    assert!(protected.len() > 50, "only {} tables protected", protected.len());

    let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
    let (role_a, role_b) = (Uuid::new_v4(), Uuid::new_v4());
    let tables = tables(&db, &protected).await;
    // Seeded as the superuser, foreign keys unchecked: one row per tenant.
    db.execute_unprepared("SET session_replication_role = replica").await.expect("replica");
    for t in &tables {
        for (tenant, role) in [(a, role_a), (b, role_b)] {
            changed(&db, &t.insert(tenant, role)).await;
        }
    }
    db.execute_unprepared("RESET session_replication_role").await.expect("reset");

    for t in &tables {
        let name = &t.name;
        let of_a = t.owned_by(a, role_a);

        as_app(&db, None).await;
        assert_eq!(count(&db, &format!("SELECT count(*) FROM \"{name}\"")).await, 0, "{name}: no tenant set");
        assert_eq!(changed(&db, &t.touch()).await, 0, "{name}: update with no tenant set");
        assert_eq!(
            changed(&db, &format!("DELETE FROM \"{name}\"")).await,
            0,
            "{name}: delete with no tenant set"
        );
        refused(&db, &t.insert(a, role_a)).await;

        as_app(&db, Some(b)).await;
        assert_eq!(
            count(&db, &format!("SELECT count(*) FROM \"{name}\"")).await,
            1,
            "{name}: B sees its own row only"
        );
        assert_eq!(
            count(&db, &format!("SELECT count(*) FROM \"{name}\" WHERE {of_a}")).await,
            0,
            "{name}: B sees A"
        );
        assert_eq!(changed(&db, &format!("{} WHERE {of_a}", t.touch())).await, 0, "{name}: B updates A");
        assert_eq!(
            changed(&db, &format!("DELETE FROM \"{name}\" WHERE {of_a}")).await,
            0,
            "{name}: B deletes A"
        );
        refused(&db, &t.insert(a, role_a)).await;
        if name != "role_permissions" {
            let column = if name == "tenants" { "id" } else { "tenant_id" };
            refused(&db, &format!("UPDATE \"{name}\" SET {column} = '{a}'")).await;
        }

        // The positive controls: A sees its row; the platform role sees both.
        as_app(&db, Some(a)).await;
        assert_eq!(
            count(&db, &format!("SELECT count(*) FROM \"{name}\" WHERE {of_a}")).await,
            1,
            "{name}: A"
        );
        db.execute_unprepared(&format!("SET ROLE {PLATFORM_ROLE}")).await.expect("platform");
        assert_eq!(count(&db, &format!("SELECT count(*) FROM \"{name}\"")).await, 2, "{name}: platform");
        db.execute_unprepared("RESET ROLE").await.expect("reset role");
    }
}

#[tokio::test]
async fn down_removes_every_policy_and_up_restores_them() {
    let test_db = TestDb::postgres().await.expect("test db");
    let db = one_connection(&test_db.url).await;
    Migrator::up(&db, None).await.expect("up");
    let policies = "SELECT count(*) FROM pg_policies WHERE schemaname = current_schema()";
    let before = count(&db, policies).await;
    assert!(before > 50, "{before} policies");
    // Down to before row-level security: it and every later migration.
    let steps = Migrator::migrations()
        .iter()
        .rev()
        .position(|m| m.name() == "m20261207_000023_row_level_security")
        .expect("the migration");
    Migrator::down(&db, Some(steps as u32 + 1)).await.expect("down row-level security");
    assert_eq!(count(&db, policies).await, 0);
    let forced = "SELECT count(*) FROM pg_class WHERE relnamespace = current_schema()::regnamespace AND (relrowsecurity OR relforcerowsecurity)";
    assert_eq!(count(&db, forced).await, 0);
    let granted = format!(
        "SELECT count(*) FROM pg_class WHERE relnamespace = current_schema()::regnamespace AND relkind = 'r' \
         AND (has_table_privilege('{APP_ROLE}', oid, 'SELECT') OR has_table_privilege('{PLATFORM_ROLE}', oid, 'DELETE'))"
    );
    assert_eq!(count(&db, &granted).await, 0, "down revokes the roles' rights");
    Migrator::up(&db, None).await.expect("up again");
    assert_eq!(count(&db, policies).await, before);
    assert!(count(&db, &granted).await > 50, "up grants them again");
}
