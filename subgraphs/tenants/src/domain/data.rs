//! The tenants subgraph's side of the data contract: the person's account
//! and role assignments. Erasure deletes the account (the person can no
//! longer sign in) and unlinks what they granted or created for others.
//! The audit log keeps their id as the actor of past events: it is the
//! tenant's accountability record and a hash chain that cannot change
//! (docs/decisions.md, "Erasure").

use async_trait::async_trait;
use backbone_entities::tenancy::{api_key, user, user_role};
use sea_orm::{
    ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, QueryFilter, sea_query::Expr,
};
use serde_json::json;
use subgraph_kit::{
    ApiResult,
    contract::{Counts, DataContract, Person, Purge, Subject, counts},
};
use uuid::Uuid;

/// Tenants' data contract.
pub struct TenantsData;

#[async_trait]
impl DataContract for TenantsData {
    fn data_types(&self) -> &'static [&'static str] {
        &[]
    }

    async fn contacts(&self, db: &DatabaseConnection, who: Subject) -> ApiResult<Vec<String>> {
        let account =
            user::Entity::find_by_id(who.user_id).one(db).await?.filter(|u| u.tenant_id == who.tenant_id);
        Ok(account.map(|u| u.email).into_iter().collect())
    }

    async fn export(&self, db: &DatabaseConnection, who: &Person) -> ApiResult<serde_json::Value> {
        let account =
            user::Entity::find_by_id(who.user_id).one(db).await?.filter(|u| u.tenant_id == who.tenant_id);
        let roles = user_role::Entity::find()
            .filter(user_role::Column::TenantId.eq(who.tenant_id))
            .filter(user_role::Column::UserId.eq(who.user_id))
            .all(db)
            .await?;
        Ok(json!({
            "account": account.iter().map(|u| json!({
                "id": u.id, "email": u.email, "displayName": u.display_name, "status": sea_orm::ActiveEnum::to_value(&u.status),
                "createdAt": u.created_at,
            })).collect::<Vec<_>>(),
            "roleAssignments": roles.iter().map(|r| json!({"roleId": r.role_id, "since": r.created_at})).collect::<Vec<_>>(),
        }))
    }

    async fn erase(&self, txn: &DatabaseTransaction, who: &Person) -> ApiResult<Counts> {
        let roles = user_role::Entity::delete_many()
            .filter(user_role::Column::TenantId.eq(who.tenant_id))
            .filter(user_role::Column::UserId.eq(who.user_id))
            .exec(txn)
            .await?
            .rows_affected;
        user_role::Entity::update_many()
            .col_expr(user_role::Column::GrantedBy, Expr::value(Option::<Uuid>::None))
            .filter(user_role::Column::TenantId.eq(who.tenant_id))
            .filter(user_role::Column::GrantedBy.eq(who.user_id))
            .exec(txn)
            .await?;
        api_key::Entity::update_many()
            .col_expr(api_key::Column::CreatedBy, Expr::value(Option::<Uuid>::None))
            .filter(api_key::Column::TenantId.eq(who.tenant_id))
            .filter(api_key::Column::CreatedBy.eq(who.user_id))
            .exec(txn)
            .await?;
        let users = user::Entity::delete_many()
            .filter(user::Column::TenantId.eq(who.tenant_id))
            .filter(user::Column::Id.eq(who.user_id))
            .exec(txn)
            .await?
            .rows_affected;
        Ok(counts([("users", users), ("user_roles", roles)]))
    }

    async fn purge(&self, _db: &DatabaseConnection, _p: &Purge) -> ApiResult<u64> {
        Ok(0)
    }
}
