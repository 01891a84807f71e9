//! References to tenant-owned rows that a request names by id.
//!
//! A [`Ref`] can only be built by a lookup filtered by the caller's tenant,
//! so a domain function that takes one instead of a bare id cannot store or
//! act on another tenant's row: naming one is `NOT_FOUND`, exactly as if the
//! id did not exist (docs/design.md §4a).

use backbone_entities::TenantOwned;
use sea_orm::{ColumnTrait, ConnectionTrait, PrimaryKeyTrait, QueryFilter};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};

/// A row of `E` that was found in a given tenant.
#[derive(Debug, Clone)]
pub struct Ref<E: TenantOwned> {
    id: Uuid,
    tenant_id: Uuid,
    row: E::Model,
}

impl<E> Ref<E>
where
    E: TenantOwned,
    <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<Uuid>,
{
    /// Looks `id` up in `tenant_id`; `NOT_FOUND` when it is absent or
    /// belongs to another tenant.
    pub async fn find(db: &impl ConnectionTrait, tenant_id: Uuid, id: Uuid) -> ApiResult<Self> {
        E::find_by_id(id)
            .filter(E::TENANT.eq(tenant_id))
            .one(db)
            .await?
            .map(|row| Self { id, tenant_id, row })
            .ok_or_else(|| ApiError::NotFound(format!("no {} with that id in this tenant", E::NOUN)))
    }

    /// Parses `raw` (the GraphQL argument `field`) and looks it up.
    pub async fn parse(
        db: &impl ConnectionTrait,
        tenant_id: Uuid,
        field: &str,
        raw: &str,
    ) -> ApiResult<Self> {
        Self::find(db, tenant_id, crate::validate::id(field, raw)?).await
    }
}

impl<E: TenantOwned> Ref<E> {
    /// The row's id.
    pub fn id(&self) -> Uuid {
        self.id
    }

    /// The tenant it was found in.
    pub fn tenant_id(&self) -> Uuid {
        self.tenant_id
    }

    /// The row as it was read.
    pub fn row(&self) -> &E::Model {
        &self.row
    }
}
