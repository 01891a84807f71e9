//! Notification templates: per event type and channel, with `{{variable}}`
//! placeholders filled from the event. Tenants override the built-in ones.

use backbone_entities::notifications::template;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::{Map, Value};
use subgraph_kit::{ApiError, ApiResult};
use uuid::Uuid;

use super::Channel;

/// Built-in `(event type, subject, body)`; every channel starts from these.
const DEFAULTS: &[(&str, &str, &str)] = &[
    (
        "complaint.assigned",
        "Complaint {{trackingCode}} assigned to you",
        "{{subject}} ({{priority}} priority)",
    ),
    (
        "complaint.status_changed",
        "Complaint {{trackingCode}} is now {{to}}",
        "Your complaint \"{{subject}}\" moved from {{from}} to {{to}}.",
    ),
    (
        "complaint.sla_breached",
        "SLA missed on {{trackingCode}}",
        "The {{target}} target of \"{{subject}}\" was missed.",
    ),
    (
        "complaint.escalated",
        "Complaint {{trackingCode}} escalated to level {{level}}",
        "\"{{subject}}\" needs attention now.",
    ),
    ("complaint.commented", "New comment on {{trackingCode}}", "There is a new comment on \"{{subject}}\"."),
    (
        "appointment.reminder_due",
        "Reminder: {{serviceName}} on {{localStart}}",
        "Your {{serviceName}} appointment starts {{localStart}}.",
    ),
    (
        "invoice.overdue",
        "Invoice {{number}} is overdue",
        "{{amountDue}} {{currency}} was due on {{dueAt}}. Unpaid invoices suspend the plan's features after a while.",
    ),
    (
        "entitlement.soft_limit_exceeded",
        "Your plan's {{key}} limit is passed",
        "{{used}} used against the {{limit}} your plan includes. Nothing was refused; what is beyond the plan may be billed.",
    ),
    (
        "document.signature_requested",
        "Please sign: {{title}}",
        "You are asked to sign \"{{title}}\". Open it to review and sign.",
    ),
    (
        "document.signature_reminder",
        "Reminder: {{title}} awaits your signature",
        "\"{{title}}\" is still waiting for your signature.",
    ),
    (
        "document.completed",
        "Signed by everyone: {{title}}",
        "\"{{title}}\" is complete; the signed copy with its certificate is ready to download.",
    ),
    (
        "document.declined",
        "{{title}} was declined",
        "A signer declined \"{{title}}\"; revise it and send it again.",
    ),
    ("document.expired", "{{title}} expired unsigned", "The signing deadline of \"{{title}}\" passed."),
    ("prescription.issued", "Your prescription", "{{summary}}"),
    (
        "appointment.waitlist_offered",
        "A {{serviceName}} slot opened: {{localStart}}",
        "It is held for you for a short while; confirm it before it goes to the next person waiting.",
    ),
];

/// The template of `event_type` on `channel` for `tenant_id`: the
/// tenant's own, else the built-in one.
pub async fn for_event(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    event_type: &str,
    channel: Channel,
) -> ApiResult<Option<(String, String)>> {
    Ok(custom(db, tenant_id, event_type, channel)
        .await?
        .or_else(|| DEFAULTS.iter().find(|d| d.0 == event_type).map(|d| (d.1.to_owned(), d.2.to_owned()))))
}

/// The tenant's own template of `event_type` on `channel`, if it set one.
pub async fn custom(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    event_type: &str,
    channel: Channel,
) -> ApiResult<Option<(String, String)>> {
    let row = template::Entity::find()
        .filter(template::Column::TenantId.eq(tenant_id))
        .filter(template::Column::EventType.eq(event_type))
        .filter(template::Column::Channel.eq(channel))
        .one(db)
        .await?;
    Ok(row.map(|t| (t.subject, t.body)))
}

/// Sets a tenant's own template of an event type on a channel, replacing
/// the one set before.
pub async fn set(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    event_type: &str,
    channel: Channel,
    subject: String,
    body: String,
) -> ApiResult<()> {
    if !known(event_type) {
        return Err(ApiError::bad_input("eventType", "no notifications are sent for that event type"));
    }
    let existing = template::Entity::find()
        .filter(template::Column::TenantId.eq(tenant_id))
        .filter(template::Column::EventType.eq(event_type))
        .filter(template::Column::Channel.eq(channel))
        .one(db)
        .await?;
    match existing {
        Some(t) => {
            let mut am: template::ActiveModel = t.into();
            am.subject = Set(subject);
            am.body = Set(body);
            am.update(db).await?;
        }
        None => {
            template::ActiveModel {
                id: Set(Uuid::now_v7()),
                tenant_id: Set(tenant_id),
                event_type: Set(event_type.to_owned()),
                channel: Set(channel),
                subject: Set(subject),
                body: Set(body),
            }
            .insert(db)
            .await?;
        }
    }
    Ok(())
}

/// Whether a built-in template exists for `event_type`.
pub fn known(event_type: &str) -> bool {
    DEFAULTS.iter().any(|d| d.0 == event_type)
}

/// Fills `{{name}}` placeholders; unknown names render empty.
pub fn render(template: &str, vars: &Map<String, Value>) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            out.push_str(&rest[start..]);
            return out;
        };
        match vars.get(after[..end].trim()) {
            Some(Value::String(s)) => out.push_str(s),
            Some(Value::Null) | None => {}
            Some(other) => out.push_str(&other.to_string()),
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

/// Template variables of an event: its scalar payload fields, plus the
/// complaint snapshot's fields in camelCase when there is one.
pub fn variables(payload: &Value) -> Map<String, Value> {
    let mut vars = Map::new();
    let mut add = |key: String, v: &Value| {
        if !v.is_object() && !v.is_array() {
            vars.insert(key, v.clone());
        }
    };
    if let Some(obj) = payload.get("complaint").and_then(Value::as_object) {
        for (k, v) in obj {
            add(camel(k), v);
        }
    }
    if let Some(obj) = payload.as_object() {
        for (k, v) in obj {
            add(k.clone(), v);
        }
    }
    vars
}

fn camel(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_known_and_unknown_variables() {
        let vars = variables(
            &serde_json::json!({"to": "resolved", "level": 2, "complaint": {"tracking_code": "C-1"}}),
        );
        assert_eq!(render("{{trackingCode}} → {{to}} L{{ level }}{{nope}}", &vars), "C-1 → resolved L2");
        assert_eq!(render("unclosed {{to", &vars), "unclosed {{to");
    }
}
