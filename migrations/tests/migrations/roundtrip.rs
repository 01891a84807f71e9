//! Every migration applies, rolls back completely and applies again.

use backbone_migrations::{Migrator, MigratorTrait, SchemaManager};
use subgraph_kit::{db, testkit::TestDb};

const TABLES: [&str; 72] = [
    "tenants",
    "users",
    "roles",
    "permissions",
    "role_permissions",
    "user_roles",
    "api_keys",
    "audit_events",
    "outbox",
    "complaint_teams",
    "complaint_team_members",
    "complaint_routing_rules",
    "sla_calendars",
    "sla_policies",
    "complaints",
    "complaint_timeline",
    "notifications",
    "notification_preferences",
    "notification_settings",
    "notification_templates",
    "notification_endpoints",
    "notification_deliveries",
    "consumed_events",
    "consent_scopes",
    "consent_records",
    "dsar_requests",
    "retention_rules",
    "ai_prompt_templates",
    "ai_budgets",
    "ai_settings",
    "ai_requests",
    "memories",
    "memory_generations",
    "audit_checkpoints",
    "scheduling_resources",
    "scheduling_services",
    "scheduling_date_overrides",
    "scheduling_closures",
    "appointments",
    "appointment_reservations",
    "appointment_history",
    "appointment_series",
    "appointment_reminders",
    "waitlist_entries",
    "dead_events",
    "billable_metrics",
    "billing_plans",
    "billing_plan_charges",
    "billing_usage",
    "billing_subscriptions",
    "billing_subscription_phases",
    "billing_customers",
    "billing_tax_rates",
    "billing_invoices",
    "billing_invoice_lines",
    "billing_coupons",
    "billing_coupon_redemptions",
    "billing_wallet_entries",
    "billing_credit_notes",
    "billing_payments",
    "entitlement_quotas",
    "document_templates",
    "documents",
    "document_versions",
    "document_signers",
    "document_events",
    "sync_event_types",
    "sync_devices",
    "sync_assignments",
    "sync_events",
    "sync_records",
    "sync_quarantine",
];

async fn existing(manager: &SchemaManager<'_>) -> Vec<&'static str> {
    let mut found = Vec::new();
    for t in TABLES {
        if manager.has_table(t).await.expect("has_table") {
            found.push(t);
        }
    }
    found
}

#[tokio::test]
async fn up_down_up() {
    let test_db = TestDb::new().await.expect("test db");
    let conn = db::connect_as_owner(&test_db.url).await.expect("connect");
    let manager = SchemaManager::new(&conn);
    assert!(existing(&manager).await.is_empty());

    Migrator::up(&conn, None).await.expect("up");
    assert_eq!(existing(&manager).await, TABLES);
    let applied = Migrator::get_applied_migrations(&conn).await.expect("applied");
    assert_eq!(applied.len(), Migrator::migrations().len());
    assert!(Migrator::get_pending_migrations(&conn).await.expect("pending").is_empty());

    Migrator::down(&conn, None).await.expect("down");
    assert!(existing(&manager).await.is_empty(), "down leaves tables: {:?}", existing(&manager).await);
    assert_eq!(
        Migrator::get_pending_migrations(&conn).await.expect("pending").len(),
        Migrator::migrations().len()
    );

    Migrator::up(&conn, None).await.expect("up again");
    assert_eq!(existing(&manager).await, TABLES);

    // One step down drops the relay's and pulls' indexes and no table; the next drops the sync tables; the next turns row-level security off and leaves every other table; the next drops the documents tables; the next the card columns; the next the entitlement quotas; the next billing's payments (and the invoice and
    // subscription columns of dunning); the next billing's credits (coupons, wallets,
    // credit notes and their columns); the next the plans' entitlements
    // column; the next billing's invoices; the next its
    // subscriptions; the next its
    // usage; the next its catalogue; the next the dead events; the next
    // the series,
    // reminder and waitlist tables
    // (and the appointments' series column), the next the scheduling
    // tables, the next the audit checkpoints, the next the AI budget's overrun column, the next
    // undoes the memory-recall index and column, leaving the other tables;
    // the next removes exactly the consent, AI and memory tables.
    let by_update = "ix_sync_records_tenant_id_updated_at";
    assert!(manager.has_index("sync_records", by_update).await.expect("index"));
    Migrator::down(&conn, Some(1)).await.expect("down the relay and pull indexes");
    assert_eq!(existing(&manager).await, TABLES);
    assert!(!manager.has_index("sync_records", by_update).await.expect("index"));
    assert!(manager.has_index("outbox", "ix_outbox_unpublished").await.expect("the old index back"));
    Migrator::down(&conn, Some(1)).await.expect("down sync");
    let before_sync = &TABLES[..TABLES.len() - 6];
    assert_eq!(existing(&manager).await, before_sync);
    Migrator::down(&conn, Some(1)).await.expect("down row-level security");
    assert_eq!(existing(&manager).await, before_sync);
    Migrator::down(&conn, Some(1)).await.expect("down documents");
    let before_documents = &before_sync[..before_sync.len() - 5];
    assert_eq!(existing(&manager).await, before_documents);
    Migrator::down(&conn, Some(1)).await.expect("down billing cards");
    assert_eq!(existing(&manager).await, before_documents);
    assert!(!manager.has_column("billing_invoices", "card_attempts").await.expect("column"));
    assert!(!manager.has_column("billing_customers", "card_customer").await.expect("column"));
    Migrator::down(&conn, Some(1)).await.expect("down entitlement quotas");
    let before_quotas = &before_documents[..before_documents.len() - 1];
    assert_eq!(existing(&manager).await, before_quotas);
    Migrator::down(&conn, Some(1)).await.expect("down billing payments");
    let before_payments = &before_quotas[..before_quotas.len() - 1];
    assert_eq!(existing(&manager).await, before_payments);
    assert!(!manager.has_column("billing_subscriptions", "suspended_at").await.expect("column"));
    Migrator::down(&conn, Some(1)).await.expect("down billing credits");
    let before_credits = &before_payments[..before_payments.len() - 4];
    assert_eq!(existing(&manager).await, before_credits);
    assert!(!manager.has_column("billing_invoices", "credited").await.expect("column"));
    Migrator::down(&conn, Some(1)).await.expect("down billing entitlements");
    assert_eq!(existing(&manager).await, before_credits);
    assert!(!manager.has_column("billing_plans", "entitlements").await.expect("column"));
    Migrator::down(&conn, Some(1)).await.expect("down billing invoices");
    let before_invoices = &before_credits[..before_credits.len() - 4];
    assert_eq!(existing(&manager).await, before_invoices);
    Migrator::down(&conn, Some(1)).await.expect("down billing subscriptions");
    let before_subscriptions = &before_invoices[..before_invoices.len() - 2];
    assert_eq!(existing(&manager).await, before_subscriptions);
    Migrator::down(&conn, Some(1)).await.expect("down billing usage");
    let before_usage = &before_subscriptions[..before_subscriptions.len() - 1];
    assert_eq!(existing(&manager).await, before_usage);
    Migrator::down(&conn, Some(1)).await.expect("down billing catalogue");
    let before_billing = &before_usage[..before_usage.len() - 3];
    assert_eq!(existing(&manager).await, before_billing);
    Migrator::down(&conn, Some(1)).await.expect("down dead events");
    let before_dead = &before_billing[..before_billing.len() - 1];
    assert_eq!(existing(&manager).await, before_dead);
    Migrator::down(&conn, Some(1)).await.expect("down series and waitlist");
    let before_series = &before_dead[..before_dead.len() - 3];
    assert_eq!(existing(&manager).await, before_series);
    assert!(!manager.has_column("appointments", "series_id").await.expect("column"));
    Migrator::down(&conn, Some(1)).await.expect("down scheduling");
    let before_scheduling = &before_series[..before_series.len() - 7];
    assert_eq!(existing(&manager).await, before_scheduling);
    Migrator::down(&conn, Some(1)).await.expect("down 0");
    let before_checkpoints = &before_scheduling[..before_scheduling.len() - 1];
    assert_eq!(existing(&manager).await, before_checkpoints);
    assert!(manager.has_column("ai_budgets", "overrun_tokens").await.expect("column"));
    Migrator::down(&conn, Some(1)).await.expect("down 1");
    assert_eq!(existing(&manager).await, before_checkpoints);
    assert!(!manager.has_column("ai_budgets", "overrun_tokens").await.expect("column"));
    Migrator::down(&conn, Some(1)).await.expect("down 2");
    assert_eq!(existing(&manager).await, before_checkpoints);
    assert!(!manager.has_column("memory_generations", "removal_epoch").await.expect("column"));
    assert!(!manager.has_column("memory_generations", "memory_count").await.expect("column"));
    // Up again from here works: the step down left what the step up expects.
    Migrator::up(&conn, Some(1)).await.expect("up 2 again");
    assert!(manager.has_column("memory_generations", "memory_count").await.expect("column"));
    Migrator::down(&conn, Some(1)).await.expect("down 2 again");
    Migrator::down(&conn, Some(1)).await.expect("down 3");
    assert_eq!(existing(&manager).await, &before_scheduling[..before_scheduling.len() - 11]);
}
