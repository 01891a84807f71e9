//! Lists of appointments, in start order, always within one tenant and
//! what the viewer may see.

use std::collections::HashMap;

use backbone_entities::scheduling::{
    appointment::{self, AppointmentStatus},
    history, reservation, resource,
};
use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    sea_query::{Condition, Query},
};
use subgraph_kit::{
    ApiResult,
    pagination::{Page, Paged},
};
use uuid::Uuid;

use super::{Booked, Viewer};

/// What to list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only this patient's.
    pub patient: Option<Uuid>,
    /// Only those reserving this resource.
    pub resource: Option<Uuid>,
    /// Starting at or after.
    pub from: Option<DateTime<Utc>>,
    /// Starting before.
    pub to: Option<DateTime<Utc>>,
    /// Only in this status.
    pub status: Option<AppointmentStatus>,
}

fn reserving(tenant_id: Uuid, resources: Condition) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(reservation::Column::AppointmentId)
        .from(reservation::Entity)
        .cond_where(
            Condition::all().add(reservation::Column::TenantId.eq(tenant_id)).add(
                reservation::Column::ResourceId.in_subquery(
                    Query::select()
                        .column(resource::Column::Id)
                        .from(resource::Entity)
                        .cond_where(resources.add(resource::Column::TenantId.eq(tenant_id)))
                        .to_owned(),
                ),
            ),
        )
        .to_owned()
}

/// One page of the appointments `viewer` may see that match `filter`.
pub async fn appointments(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    viewer: Viewer,
    filter: &Filter,
    page: &Page,
) -> ApiResult<Paged<Booked>> {
    let mut q = appointment::Entity::find().filter(appointment::Column::TenantId.eq(tenant_id));
    if !viewer.whole_tenant {
        q = q.filter(Condition::any().add(appointment::Column::PatientId.eq(viewer.user_id)).add(
            appointment::Column::Id.in_subquery(reserving(
                tenant_id,
                Condition::all().add(resource::Column::UserId.eq(viewer.user_id)),
            )),
        ));
    }
    if let Some(p) = filter.patient {
        q = q.filter(appointment::Column::PatientId.eq(p));
    }
    if let Some(r) = filter.resource {
        q = q.filter(
            appointment::Column::Id
                .in_subquery(reserving(tenant_id, Condition::all().add(resource::Column::Id.eq(r)))),
        );
    }
    if let Some(f) = filter.from {
        q = q.filter(appointment::Column::StartsAt.gte(f));
    }
    if let Some(t) = filter.to {
        q = q.filter(appointment::Column::StartsAt.lt(t));
    }
    if let Some(s) = filter.status {
        q = q.filter(appointment::Column::Status.eq(s));
    }
    let rows = page
        .fetch_at(db, q.order_by_asc(appointment::Column::StartsAt).order_by_asc(appointment::Column::Id))
        .await?;
    with_resources(db, tenant_id, rows).await
}

/// The page's appointments with their resources, in two queries.
async fn with_resources(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    rows: Paged<appointment::Model>,
) -> ApiResult<Paged<Booked>> {
    let ids: Vec<Uuid> = rows.rows.iter().map(|a| a.id).collect();
    let held = reservation::Entity::find()
        .filter(reservation::Column::TenantId.eq(tenant_id))
        .filter(reservation::Column::AppointmentId.is_in(ids))
        .order_by_asc(reservation::Column::Id)
        .all(db)
        .await?;
    let resource_ids: Vec<Uuid> = held.iter().map(|r| r.resource_id).collect();
    let resources: HashMap<Uuid, resource::Model> = resource::Entity::find()
        .filter(resource::Column::TenantId.eq(tenant_id))
        .filter(resource::Column::Id.is_in(resource_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    let mut by_appointment: HashMap<Uuid, Vec<resource::Model>> = HashMap::new();
    for r in held {
        if let Some(res) = resources.get(&r.resource_id) {
            by_appointment.entry(r.appointment_id).or_default().push(res.clone());
        }
    }
    Ok(rows.map(|a| {
        let resources = by_appointment.remove(&a.id).unwrap_or_default();
        Booked { appointment: a, resources }
    }))
}

/// An appointment's history, oldest first (at most 200 changes).
pub async fn history(db: &impl ConnectionTrait, b: &Booked) -> ApiResult<Vec<history::Model>> {
    use sea_orm::QuerySelect;
    Ok(history::Entity::find()
        .filter(history::Column::TenantId.eq(b.appointment.tenant_id))
        .filter(history::Column::AppointmentId.eq(b.appointment.id))
        .order_by_asc(history::Column::Id)
        .limit(200)
        .all(db)
        .await?)
}
