//! Demo data: a tenant with one user of every role (dev mode and tests).

use crate::domain::{
    tenants::{self, NewTenant},
    users::{self, Invitation},
};
use backbone_entities::tenancy::{tenant, user};
use backbone_schema::roles::{DEFAULT_TENANT_ROLES, TENANT_ADMIN};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use subgraph_kit::{ApiResult, Kit, Principal, RequestContext};
use uuid::Uuid;

/// The demo tenant's name; seeding is skipped when it exists.
pub const DEMO_TENANT: &str = "Demo Clinic";

/// A seeded user.
pub struct SeededUser {
    /// Role name.
    pub role: &'static str,
    /// User id.
    pub id: Uuid,
    /// Email.
    pub email: String,
}

/// Creates the demo tenant and a user per role unless it exists; returns
/// the tenant id and the users.
pub async fn seed(kit: &Kit) -> ApiResult<(Uuid, Vec<SeededUser>)> {
    seed_tenant(kit, DEMO_TENANT, "demo").await
}

/// Like [`seed`] for any tenant name; users get `<role>@<domain>.backbone.dev`.
pub async fn seed_tenant(kit: &Kit, name: &str, domain: &str) -> ApiResult<(Uuid, Vec<SeededUser>)> {
    let existing = tenant::Entity::find().filter(tenant::Column::Name.eq(name)).one(&kit.db).await?;
    let tenant_id = match existing {
        Some(t) => t.id,
        None => create(kit, name, domain).await?,
    };
    let mut out = Vec::new();
    for role in DEFAULT_TENANT_ROLES {
        let email = format!("{role}@{domain}.backbone.dev");
        if let Some(u) = user::Entity::find()
            .filter(user::Column::TenantId.eq(tenant_id))
            .filter(user::Column::Email.eq(email.as_str()))
            .one(&kit.db)
            .await?
        {
            out.push(SeededUser { role, id: u.id, email });
        }
    }
    Ok((tenant_id, out))
}

async fn create(kit: &Kit, name: &str, domain: &str) -> ApiResult<Uuid> {
    let system = RequestContext {
        tenant_id: Uuid::nil(),
        user_id: Uuid::nil(),
        roles: vec![backbone_schema::roles::PLATFORM_ADMIN.into()],
        scopes: Vec::new(),
        principal: Principal::User,
        request_id: "seed".into(),
        expires_at: None,
    };
    let (tenant, _admin) = tenants::provision(
        &kit.db,
        &kit.catalog,
        &system,
        NewTenant {
            name: name.into(),
            kind: backbone_entities::tenancy::tenant::TenantType::Clinic,
            tier: backbone_entities::tenancy::tenant::SubscriptionTier::Standard,
            max_users: 50,
            ai_token_budget: 1_000_000,
            admin_email: format!("{TENANT_ADMIN}@{domain}.backbone.dev"),
            admin_name: "Demo Admin".into(),
        },
    )
    .await?;
    let admin = user::Entity::find().filter(user::Column::TenantId.eq(tenant.id)).one(&kit.db).await?;
    let admin_ctx = RequestContext {
        tenant_id: tenant.id,
        user_id: admin.map_or(Uuid::nil(), |a| a.id),
        roles: vec![TENANT_ADMIN.into()],
        ..system
    };
    for role in DEFAULT_TENANT_ROLES.into_iter().filter(|r| *r != TENANT_ADMIN) {
        users::invite(
            &kit.db,
            &admin_ctx,
            Invitation {
                email: format!("{role}@{domain}.backbone.dev"),
                display_name: format!("Demo {role}"),
                roles: vec![role.to_owned()],
            },
        )
        .await?;
    }
    Ok(tenant.id)
}
