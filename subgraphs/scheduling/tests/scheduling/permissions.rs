//! A tenant provisioned before scheduling existed gets its permissions at
//! the next start; a grant its admin took away later stays away.

use sea_orm::ConnectionTrait;
use serde_json::json;
use subgraph_kit::rbac::upgrade::grant_new_permissions;

use super::support::{Clinic, code};

const LIST: &str = "{ appointments { edges { node { id } } } }";

#[tokio::test]
async fn an_existing_tenant_gets_new_permissions_once_and_a_removed_grant_stays_removed() {
    let clinic = Clinic::start().await;
    let kit = &clinic.app.kit;
    // As if the tenant was provisioned before scheduling was deployed.
    let scheduling = "(SELECT id FROM permissions WHERE resource IN ('appointment', 'schedule'))";
    kit.db
        .execute_unprepared(&format!("DELETE FROM role_permissions WHERE permission_id IN {scheduling}"))
        .await
        .expect("delete");
    kit.db
        .execute_unprepared("DELETE FROM permissions WHERE resource IN ('appointment', 'schedule')")
        .await
        .expect("delete");
    kit.rbac.invalidate_tenant(clinic.tenant);
    assert_eq!(code(&clinic.gql("patient", LIST, json!({})).await), "FORBIDDEN");

    assert_eq!(grant_new_permissions(&kit.db, &kit.catalog).await.expect("grant"), 5);
    kit.rbac.invalidate_tenant(clinic.tenant);
    assert_eq!(clinic.ok("patient", LIST, json!({})).await["appointments"]["edges"], json!([]));

    // The admin takes appointment:read away from patients; a restart does
    // not give it back.
    kit.db
        .execute_unprepared(
            "DELETE FROM role_permissions WHERE permission_id IN (SELECT id FROM permissions WHERE resource = 'appointment' AND action = 'read') \
             AND role_id IN (SELECT id FROM roles WHERE name = 'patient')",
        )
        .await
        .expect("revoke");
    assert_eq!(grant_new_permissions(&kit.db, &kit.catalog).await.expect("grant"), 0);
    kit.rbac.invalidate_tenant(clinic.tenant);
    assert_eq!(code(&clinic.gql("patient", LIST, json!({})).await), "FORBIDDEN");
}
