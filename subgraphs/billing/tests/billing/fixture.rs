//! The billing subgraph on a random port with two customer tenants (each
//! with a user of every role) and the platform operator's token.

use std::sync::Arc;

use backbone_schema::EventEnvelope;
use chrono::{DateTime, Duration, TimeZone, Utc};
use serde_json::{Value, json};
use subgraph_billing::config::BillingConfig;
use subgraph_kit::testkit::{TestApp, data};
use subgraph_tenants::domain::demo;
use uuid::Uuid;

/// The running subgraph and who calls it.
pub struct Billed {
    pub app: TestApp,
    pub operator: String,
    pub tenant: Uuid,
    pub admin: String,
    pub auditor: String,
    pub other_tenant: Uuid,
    pub other_admin: String,
}

impl Billed {
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    /// With `adjust` applied to billing's settings.
    pub async fn start_with(adjust: impl FnOnce(&mut BillingConfig) + Send + 'static) -> Self {
        let app = TestApp::serve(&subgraph_billing::Billing, &[&subgraph_tenants::Tenants], |config| {
            config.sections.update(subgraph_billing::NAME, adjust).expect("billing settings");
        })
        .await
        .expect("start");
        let (tenant, users) = demo::seed(&app.kit).await.expect("seed");
        let id = |role: &str| users.iter().find(|u| u.role == role).expect("role").id;
        let admin = app.token(tenant, id("tenant_admin"), &["tenant_admin"]);
        let auditor = app.token(tenant, id("auditor"), &["auditor"]);
        let (other_tenant, others) = demo::seed_tenant(&app.kit, "Other", "other.test").await.expect("seed");
        let other_id = others.iter().find(|u| u.role == "tenant_admin").expect("admin").id;
        let other_admin = app.token(other_tenant, other_id, &["tenant_admin"]);
        let operator = app.platform_token();
        Self { app, operator, tenant, admin, auditor, other_tenant, other_admin }
    }

    pub async fn gql(&self, token: &str, query: &str, variables: Value) -> Value {
        self.app.gql(Some(token), query, variables).await.expect("request")
    }

    /// Adds a billable metric as the operator.
    pub async fn metric(
        &self,
        code: &str,
        aggregation: &str,
        event_type: &str,
        field: Option<&str>,
        filters: Value,
    ) {
        let q = "mutation($i: CreateBillableMetricInput!) { createBillableMetric(input: $i) { code } }";
        let i = json!({"code": code, "name": code, "aggregation": aggregation, "eventType": event_type,
            "field": field, "filters": filters});
        data(self.gql(&self.operator, q, json!({"i": i})).await);
    }

    /// Adds plan `code` as the operator.
    pub async fn plan(&self, code: &str, input: Value) {
        let q = "mutation($c: String!, $i: PlanInput!) { createPlan(code: $c, input: $i) { code } }";
        data(self.gql(&self.operator, q, json!({"c": code, "i": input})).await);
    }

    /// The tenant's invoices (the caller's own, or `tenant`'s for the
    /// operator), newest first, with `fields`.
    pub async fn invoices(&self, token: &str, tenant: Option<Uuid>, fields: &str) -> Vec<Value> {
        let q = format!("query($t: ID) {{ invoices(tenantId: $t) {{ nodes {{ {fields} }} }} }}");
        let r = data(self.gql(token, &q, json!({"t": tenant})).await);
        r["invoices"]["nodes"].as_array().expect("nodes").clone()
    }
}

/// The grace period the tests renew with.
pub const GRACE: Duration = Duration::hours(72);

/// The payment terms the tests finalize with.
pub const TERMS: Duration = Duration::days(14);

/// `hour`:00 UTC on November `day`, 2026.
pub fn nov(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, day, hour, 0, 0).single().expect("date")
}

/// A platform event of `tenant` that happened `at`.
pub fn event(tenant: Uuid, kind: &str, at: DateTime<Utc>, payload: Value) -> Arc<EventEnvelope> {
    Arc::new(EventEnvelope {
        id: Uuid::now_v7(),
        event_type: kind.into(),
        tenant_id: tenant,
        occurred_at: at,
        actor: None,
        payload,
    })
}
