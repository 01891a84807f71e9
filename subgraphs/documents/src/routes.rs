//! `GET /files/{token}`: a version's bytes through a signed link. The
//! link was made after the permission check; here it is checked for its
//! signature and expiry, the version is looked up in the link's tenant,
//! and the bytes are checked against their SHA-256 before they are sent.

use axum::{
    Json, Router,
    extract::{Path, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use backbone_entities::documents::{document, event::EventKind, version};
use chrono::Utc;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;
use subgraph_kit::{ApiError, Kit, context::ClientIp};

use crate::{
    domain::{Services, timeline, versions},
    links::LinkError,
};

/// The download route over `services`.
pub fn routes(kit: &Kit, services: Services) -> Router {
    let trusted =
        subgraph_kit::client_ip::TrustedProxies::parse(&kit.config.http.trusted_proxies).unwrap_or_default();
    Router::new()
        .route("/files/{token}", get(download))
        .with_state(services)
        .layer(axum::middleware::from_fn_with_state(trusted, subgraph_kit::client_ip::rewrite_forwarded_for))
}

async fn download(
    State(services): State<Services>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    match serve(&services, &token, &headers).await {
        Ok(response) => response,
        Err(e) => refusal(e),
    }
}

async fn serve(services: &Services, token: &str, headers: &HeaderMap) -> Result<Response, ApiError> {
    let grant = services.links.check(token, Utc::now()).map_err(|e| match e {
        LinkError::Invalid => ApiError::Because {
            code: backbone_schema::ErrorCode::Forbidden,
            reason: "LINK_INVALID",
            message: e.to_string(),
        },
        LinkError::Expired => ApiError::Because {
            code: backbone_schema::ErrorCode::Forbidden,
            reason: "LINK_EXPIRED",
            message: e.to_string(),
        },
    })?;
    let gone = || ApiError::NotFound("the document is no longer there".into());
    let v = version::Entity::find_by_id(grant.version_id)
        .filter(version::Column::TenantId.eq(grant.tenant_id))
        .one(&services.db)
        .await?
        .ok_or_else(gone)?;
    let doc = document::Entity::find_by_id(v.document_id)
        .filter(document::Column::TenantId.eq(grant.tenant_id))
        .one(&services.db)
        .await?
        .ok_or_else(gone)?;
    let bytes = versions::read(services, &v).await?;
    let by = timeline::By {
        user: Some(grant.user_id),
        ip: ClientIp::from_headers(headers).0,
        user_agent: headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).map(str::to_owned),
    };
    timeline::record(&services.db, &doc, EventKind::Downloaded, by, Some(&v), None).await?;
    let filename = format!("document-{}-v{}.pdf", doc.id, v.number);
    let mut response = (StatusCode::OK, bytes).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/pdf"));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        h.insert(header::CONTENT_DISPOSITION, value);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if let Ok(value) = HeaderValue::from_str(&v.sha256) {
        h.insert("x-content-sha256", value);
    }
    Ok(response)
}

/// A coded JSON error with the status the design gives its code.
fn refusal(e: ApiError) -> Response {
    let status = match e.code() {
        backbone_schema::ErrorCode::Forbidden => StatusCode::FORBIDDEN,
        backbone_schema::ErrorCode::NotFound => StatusCode::NOT_FOUND,
        backbone_schema::ErrorCode::BadUserInput => StatusCode::BAD_REQUEST,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    let reason = match &e {
        ApiError::Because { reason, .. } => Some(*reason),
        _ => None,
    };
    let message = match &e {
        ApiError::Internal(cause) => {
            tracing::error!(%cause, "download failed");
            "internal error".to_owned()
        }
        other => other.to_string(),
    };
    (status, Json(json!({"error": {"code": e.code().as_str(), "reason": reason, "message": message}})))
        .into_response()
}
