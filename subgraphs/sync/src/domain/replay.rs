//! Replaying a held event: it is judged again, as its sender's, and
//! accepted (stored as ingestion stores it) or held with the new reason.

use backbone_entities::sync::{
    event,
    quarantine::{self, QuarantineReason, QuarantineStatus},
};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, IntoActiveModel, TransactionTrait};
use serde_json::Value;
use subgraph_kit::{
    ApiError, ApiResult,
    audit::{self, AuditEntry},
    tenancy::Ref,
};
use uuid::Uuid;

use super::{
    Services,
    checks::{self, Candidate, Sender},
    devices, ingest,
    quarantine::{code, still_held},
};

/// Replays a held event, with `payload` in place of its own when given.
/// It is judged again as its sender's: accepted, the row is marked
/// replayed and the event returned; held again, the row keeps the new
/// payload and reason and the error names them (`BAD_USER_INPUT` with the
/// reason's code).
pub async fn replay(
    s: &Services,
    held: Ref<quarantine::Entity>,
    actor: Uuid,
    payload: Option<Value>,
) -> ApiResult<event::Model> {
    still_held(held.row())?;
    let row = held.row().clone();
    let payload = match payload {
        Some(p) => p,
        None => serde_json::from_str(&row.payload).unwrap_or(Value::Null),
    };
    if let Some(message) = ingest::oversized(s, &payload) {
        return Err(super::invalid("PAYLOAD_TOO_LARGE", message));
    }
    let now = super::now();
    let txn = s.db.begin().await?;
    let device = Uuid::parse_str(&row.device_id).ok();
    let enrolled = match device {
        Some(id) => devices::enrolled(&txn, row.tenant_id, row.recorded_by, id).await?,
        None => false,
    };
    let verdict = if enrolled {
        // The admin vouches for the subject: any user of the tenant.
        let sender = Sender { tenant_id: row.tenant_id, user_id: row.recorded_by, anyone: true };
        let candidate =
            Candidate { event_type: &row.event_type, schema_version: row.schema_version, payload: &payload };
        checks::judge(&txn, s, sender, &[candidate]).await?.pop().unwrap_or_else(|| Err(ingest::unjudged()))
    } else {
        Err(checks::Held {
            reason: QuarantineReason::DeviceNotEnrolled,
            detail: format!("device {} is not enrolled to its sender", row.device_id),
            subject_id: row.subject_id,
        })
    };
    let mut active = row.clone().into_active_model();
    active.payload = Set(payload.to_string());
    let outcome = match (verdict, device) {
        (Ok(passed), Some(device)) => {
            let mut events = vec![ingest::new_event(
                row.tenant_id,
                device,
                row.recorded_by,
                ingest::Sent {
                    client_event_id: row.client_event_id.clone(),
                    event_type: row.event_type.clone(),
                    schema_version: row.schema_version,
                    client_time: row.client_time,
                    payload: &payload,
                },
                passed,
                now,
                None,
            )];
            ingest::store(&txn, row.tenant_id, &mut events).await?;
            Ok(events.remove(0))
        }
        (Ok(_), None) => Err(ingest::unjudged()),
        (Err(held), _) => Err(held),
    };
    match outcome {
        Ok(event) => {
            active.status = Set(QuarantineStatus::Replayed);
            active.resolved_by = Set(Some(actor));
            active.resolved_at = Set(Some(now));
            active.event_id = Set(Some(event.id));
            let row = active.update(&txn).await?;
            audit::append(
                &txn,
                row.tenant_id,
                Some(actor),
                AuditEntry {
                    event_type: "sync.quarantine.replayed",
                    resource_type: "sync_quarantine",
                    resource_id: row.id.to_string(),
                    data: serde_json::json!({ "eventId": event.id, "reason": code(row.reason) }),
                },
            )
            .await?;
            subgraph_kit::db::commit(txn).await?;
            Ok(event)
        }
        Err(held) => {
            active.reason = Set(held.reason);
            active.detail = Set(held.detail.clone());
            active.subject_id = Set(held.subject_id.or(row.subject_id));
            active.update(&txn).await?;
            subgraph_kit::db::commit(txn).await?;
            Err(ApiError::Because {
                code: backbone_schema::ErrorCode::BadUserInput,
                reason: code(held.reason),
                message: format!("still held: {}", held.detail),
            })
        }
    }
}
