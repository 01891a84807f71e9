//! From events to the inbox: once per event, by preference, by template.

use serde_json::json;
use subgraph_kit::testkit::error_codes;

use super::support::Post;

#[tokio::test]
async fn each_event_notifies_each_recipient_once() {
    let post = Post::start().await;
    let event = post.event("complaint.assigned", "staff", false);
    assert_eq!(post.handle(&event).await, 1);
    assert_eq!(post.handle(&event).await, 0, "a redelivered event changes nothing");
    assert_eq!(post.unread("staff").await, 1);
    assert_eq!(post.unread("clinician").await, 0);

    let list = post
        .ok("staff", "{ notifications { nodes { id title body critical read category } } }", json!({}))
        .await;
    let n = &list["notifications"]["nodes"][0];
    assert_eq!(n["title"], "Complaint C-TEST1-23456 assigned to you");
    assert_eq!(n["body"], "Billed twice (high priority)");
    assert_eq!((n["critical"].clone(), n["read"].clone()), (json!(false), json!(false)));
    let id = n["id"].as_str().expect("id");

    let other = post
        .gql("clinician", "mutation($id: ID!) { markNotificationRead(id: $id) { read } }", json!({"id": id}))
        .await;
    assert_eq!(error_codes(&other), ["NOT_FOUND"]);
    let read = post
        .ok(
            "staff",
            "mutation($id: ID!) { markNotificationRead(id: $id) { read readAt } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(read["markNotificationRead"]["read"], true);
    assert_eq!(post.unread("staff").await, 0);

    for _ in 0..3 {
        post.handle(&post.event("complaint.sla_breached", "staff", true)).await;
    }
    assert_eq!(post.unread("staff").await, 3);
    let all = post.ok("staff", "mutation { markAllNotificationsRead }", json!({})).await;
    assert_eq!(all["markAllNotificationsRead"], 3);
    assert_eq!(post.unread("staff").await, 0);
    let unread_only =
        post.ok("staff", "{ notifications(unreadOnly: true) { nodes { id } } }", json!({})).await;
    assert_eq!(unread_only["notifications"]["nodes"], json!([]));
}

#[tokio::test]
async fn preferences_silence_the_inbox_except_for_critical_news() {
    let post = Post::start().await;
    post.ok(
        "staff",
        "mutation { setNotificationPreference(category: \"complaints\", channel: IN_APP, enabled: false) { enabled } }",
        json!({}),
    )
    .await;
    assert_eq!(post.handle(&post.event("complaint.assigned", "staff", false)).await, 1);
    assert_eq!(post.unread("staff").await, 0, "recorded as read, not pushed");
    post.handle(&post.event("complaint.escalated", "staff", true)).await;
    assert_eq!(post.unread("staff").await, 1, "critical bypasses the opt-out");
    let prefs = post
        .ok("staff", "{ notificationPreferences { nodes { category channel enabled } } }", json!({}))
        .await;
    assert_eq!(
        prefs["notificationPreferences"]["nodes"],
        json!([{"category": "complaints", "channel": "IN_APP", "enabled": false}])
    );
}

#[tokio::test]
async fn tenant_templates_replace_the_built_in_ones() {
    let post = Post::start().await;
    let set = "mutation($e: String!) { setNotificationTemplate(eventType: $e, channel: IN_APP, subject: \"Yours: {{trackingCode}}\", body: \"{{subject}} / {{ nothing }}\") }";
    assert_eq!(
        post.ok("tenant_admin", set, json!({"e": "complaint.assigned"})).await["setNotificationTemplate"],
        true
    );
    let refused = post.gql("staff", set, json!({"e": "complaint.assigned"})).await;
    assert_eq!(error_codes(&refused), ["FORBIDDEN"]);
    let unknown = post.gql("tenant_admin", set, json!({"e": "user.invited"})).await;
    assert_eq!(error_codes(&unknown), ["BAD_USER_INPUT"]);
    post.handle(&post.event("complaint.assigned", "staff", false)).await;
    let list = post.ok("staff", "{ notifications { nodes { title body } } }", json!({})).await;
    assert_eq!(
        list["notifications"]["nodes"][0],
        json!({"title": "Yours: C-TEST1-23456", "body": "Billed twice / "})
    );
    // Events nobody is told about make nothing.
    let mut quiet = post.event("user.invited", "staff", false);
    quiet.payload = json!({"email": "x@y.z"});
    assert_eq!(post.handle(&quiet).await, 0);
}

/// A person's inbox holds only their own tenant's notifications: an event of
/// another tenant naming them notifies nobody, and a row naming them under
/// another tenant (as a cross-tenant team membership once produced) is not
/// theirs to read.
#[tokio::test]
async fn no_notification_crosses_tenants() {
    use backbone_entities::notifications::notification;
    use sea_orm::{ActiveModelTrait, ActiveValue::Set};
    let post = Post::start().await;
    let (other, _) = subgraph_tenants::domain::demo::seed_tenant(&post.app.kit, "Other Clinic", "other")
        .await
        .expect("seed");
    let mut foreign = post.event("complaint.assigned", "staff", true);
    foreign.tenant_id = other;
    assert_eq!(post.handle(&foreign).await, 0, "another tenant's event notifies none of ours");

    let now = chrono::Utc::now();
    notification::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        tenant_id: Set(other),
        user_id: Set(post.user("staff")),
        category: Set("complaints".into()),
        critical: Set(false),
        title: Set("Their complaint".into()),
        body: Set("Their reporter's contact details".into()),
        data: Set("{}".into()),
        source_event_id: Set(uuid::Uuid::now_v7()),
        read_at: Set(None),
        created_at: Set(now),
    }
    .insert(&post.app.kit.db)
    .await
    .expect("insert");
    assert_eq!(post.unread("staff").await, 0);
    let list = post.ok("staff", "{ notifications { nodes { id title } } }", json!({})).await;
    assert_eq!(list["notifications"]["nodes"], json!([]), "{list}");
    let marked = post.ok("staff", "mutation { markAllNotificationsRead }", json!({})).await;
    assert_eq!(marked["markAllNotificationsRead"], 0);

    // A preference row naming them under the other tenant is not theirs
    // either: not listed, and it does not switch off their in-app feed.
    use backbone_entities::notifications::preference;
    preference::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        tenant_id: Set(other),
        user_id: Set(post.user("staff")),
        category: Set("complaints".into()),
        channel: Set(backbone_entities::notifications::Channel::InApp),
        enabled: Set(false),
    }
    .insert(&post.app.kit.db)
    .await
    .expect("insert");
    let prefs = post.ok("staff", "{ notificationPreferences { nodes { category } } }", json!({})).await;
    assert_eq!(prefs["notificationPreferences"]["nodes"], json!([]), "{prefs}");
    assert_eq!(post.handle(&post.event("complaint.assigned", "staff", false)).await, 1);
    assert_eq!(post.unread("staff").await, 1, "their own feed stays on");
}

/// A stored channel outside the enum is an error, not a guess: before, an
/// endpoint whose channel no longer parsed read as IN_APP.
#[tokio::test]
async fn an_unknown_stored_channel_fails_loudly() {
    use backbone_entities::notifications::endpoint;
    use sea_orm::{EntityTrait, sea_query::Expr};
    let post = Post::start().await;
    post.endpoint("staff", "EMAIL", "staff@demo.backbone.dev").await;
    let updated = endpoint::Entity::update_many()
        .col_expr(endpoint::Column::Channel, Expr::value("fax"))
        .exec(&post.app.kit.db)
        .await
        .expect("update");
    assert_eq!(updated.rows_affected, 1);
    let r = post.gql("staff", "{ notificationEndpoints { nodes { channel } } }", json!({})).await;
    assert_eq!(error_codes(&r), ["INTERNAL"], "{r}");
    assert!(!r.to_string().contains("IN_APP"), "{r}");
}
