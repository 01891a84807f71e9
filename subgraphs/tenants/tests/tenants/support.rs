//! Fixtures: a served tenants subgraph, provisioned tenants, users with
//! tokens, and row counts to prove nothing was written.

use backbone_entities::{
    platform::{audit_event, outbox},
    tenancy::{api_key, tenant, user, user_role},
};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{Value, json};
use subgraph_kit::testkit::{TestApp, data};
use uuid::Uuid;

pub async fn start() -> TestApp {
    TestApp::serve(&subgraph_tenants::Tenants, &[], |_| {}).await.expect("start tenants subgraph")
}

/// A provisioned tenant with its admin.
pub struct Tenant {
    pub id: Uuid,
    pub admin_id: Uuid,
    pub admin_token: String,
}

pub const PROVISION: &str = r#"
mutation($input: ProvisionTenantInput!) {
  provisionTenant(input: $input) {
    tenant { id name type tier maxUsers aiTokenBudget active createdAt }
    admin { id email displayName status roles { role active expiresAt } }
  }
}"#;

pub async fn provision(app: &TestApp, name: &str, max_users: i32) -> Tenant {
    let slug = name.to_lowercase().replace(' ', "-");
    let res = app
        .gql(Some(&app.platform_token()), PROVISION, json!({"input": {
            "name": name, "type": "CLINIC", "tier": "STANDARD", "maxUsers": max_users,
            "aiTokenBudget": 1000, "admin": {"email": format!("admin@{slug}.test"), "displayName": "Admin"}
        }}))
        .await
        .expect("provision");
    let d = data(res);
    let id = uuid(&d["provisionTenant"]["tenant"]["id"]);
    let admin_id = uuid(&d["provisionTenant"]["admin"]["id"]);
    Tenant { id, admin_id, admin_token: app.token(id, admin_id, &["tenant_admin"]) }
}

pub fn uuid(v: &Value) -> Uuid {
    Uuid::parse_str(v.as_str().expect("id string")).expect("uuid")
}

pub const INVITE: &str = r#"
mutation($input: InviteUserInput!) { inviteUser(input: $input) { id email status roles { role active } } }"#;

/// Invites a user with `role` and returns their id and a token.
pub async fn user_with_role(app: &TestApp, t: &Tenant, email: &str, role: &str) -> (Uuid, String) {
    let res = app
        .gql(
            Some(&t.admin_token),
            INVITE,
            json!({"input": {"email": email, "displayName": email, "roles": [role]}}),
        )
        .await
        .expect("invite");
    let id = uuid(&data(res)["inviteUser"]["id"]);
    (id, app.token(t.id, id, &[role]))
}

/// Row counts of every table a tenants mutation writes.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub struct Counts {
    tenants: u64,
    users: u64,
    user_roles: u64,
    api_keys: u64,
    audit: u64,
    outbox: u64,
}

pub async fn counts(app: &TestApp) -> Counts {
    let db = &app.kit.db;
    Counts {
        tenants: tenant::Entity::find().count(db).await.expect("count"),
        users: user::Entity::find().count(db).await.expect("count"),
        user_roles: user_role::Entity::find().count(db).await.expect("count"),
        api_keys: api_key::Entity::find().count(db).await.expect("count"),
        audit: audit_event::Entity::find().count(db).await.expect("count"),
        outbox: outbox::Entity::find().count(db).await.expect("count"),
    }
}
