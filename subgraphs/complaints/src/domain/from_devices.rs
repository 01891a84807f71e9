//! Complaints recorded on devices offline: the sync subgraph publishes
//! each accepted `complaint.filed` event as `sync.complaint.filed`, and
//! this consumer group files it, once per event id however often the bus
//! delivers it. The complaint's reporter is the person the event is about
//! (its subject), else the health worker who recorded it.

use backbone_entities::complaints::complaint::Priority;
use backbone_schema::EventEnvelope;
use sea_orm::{DatabaseConnection, TransactionTrait};
use serde::Deserialize;
use subgraph_kit::{ApiError, ApiResult, consumed};
use uuid::Uuid;

use super::intake::{self, NewComplaint};

/// The consumer group.
pub const CONSUMER: &str = "complaints.sync";

/// The event it acts on.
pub const EVENT: &str = "sync.complaint.filed";

/// What a device's `complaint.filed` payload carries.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Filed {
    category: String,
    #[serde(default)]
    priority: Option<Priority>,
    #[serde(default)]
    region: Option<String>,
    subject: String,
    description: String,
    #[serde(default)]
    contact: Option<String>,
}

/// Files the complaint `event` carries, the first time it is delivered.
/// A payload the complaints domain refuses fails (and is parked by the
/// consumer after its retries).
pub async fn follow(db: &DatabaseConnection, event: &EventEnvelope) -> ApiResult<()> {
    if event.event_type != EVENT {
        return Ok(());
    }
    let sync = &event.payload;
    let filed: Filed = serde_json::from_value(sync["payload"].clone())
        .map_err(|e| ApiError::bad_input("payload", format!("not a complaint: {e}")))?;
    let person = |key: &str| sync[key].as_str().and_then(|s| Uuid::parse_str(s).ok());
    let reporter = person("subjectId").or_else(|| person("recordedBy"));
    let input = NewComplaint {
        category: filed.category,
        priority: filed.priority.unwrap_or(Priority::Normal),
        region: filed.region,
        subject: filed.subject,
        description: filed.description,
        contact: filed.contact,
    };
    let txn = db.begin().await?;
    if !consumed::first_time(&txn, CONSUMER, event.id).await? {
        return Ok(());
    }
    intake::file_in(&txn, event.tenant_id, reporter, input).await?;
    subgraph_kit::db::commit(txn).await?;
    Ok(())
}
