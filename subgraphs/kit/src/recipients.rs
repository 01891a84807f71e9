//! Who hears about a tenant's account (an overdue invoice, a soft limit
//! passed): the users holding the tenant's `tenant_admin` role.

use backbone_entities::tenancy::{role, user_role};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use crate::error::ApiResult;

/// The ids of `tenant_id`'s admins.
pub async fn tenant_admins(db: &impl ConnectionTrait, tenant_id: Uuid) -> ApiResult<Vec<Uuid>> {
    let roles: Vec<Uuid> = role::Entity::find()
        .select_only()
        .column(role::Column::Id)
        .filter(role::Column::TenantId.eq(tenant_id))
        .filter(role::Column::Name.eq(backbone_schema::roles::TENANT_ADMIN))
        .into_tuple()
        .all(db)
        .await?;
    Ok(user_role::Entity::find()
        .select_only()
        .column(user_role::Column::UserId)
        .filter(user_role::Column::TenantId.eq(tenant_id))
        .filter(user_role::Column::RoleId.is_in(roles))
        .into_tuple()
        .all(db)
        .await?)
}
