//! Tenant-level complaint figures for dashboards (`liveMetrics`).

use backbone_entities::complaints::complaint;
use sea_orm::{ColumnTrait, Condition, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};
use subgraph_kit::ApiResult;
use uuid::Uuid;

use super::status;

/// Complaint figures of one tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ComplaintFigures {
    /// Complaints not resolved or closed.
    pub open: u64,
    /// Open complaints that missed a target.
    pub breached: u64,
    /// Open complaints on an escalation level.
    pub escalated: u64,
}

/// Counts the figures of `tenant_id` now.
pub async fn figures(db: &DatabaseConnection, tenant_id: Uuid) -> ApiResult<ComplaintFigures> {
    let open = || {
        complaint::Entity::find()
            .filter(complaint::Column::TenantId.eq(tenant_id))
            .filter(complaint::Column::Status.is_in(status::OPEN))
    };
    let breached = Condition::any()
        .add(complaint::Column::FirstResponseBreached.eq(true))
        .add(complaint::Column::ResolutionBreached.eq(true));
    Ok(ComplaintFigures {
        open: open().count(db).await?,
        breached: open().filter(breached).count(db).await?,
        escalated: open().filter(complaint::Column::EscalationLevel.gt(0)).count(db).await?,
    })
}
