//! The GraphQL edge of a subgraph: schema setup, the error-code extension,
//! and the HTTP handler that authenticates each request.

use std::sync::Arc;

use async_graphql::http::ALL_WEBSOCKET_PROTOCOLS;
use async_graphql::{
    ObjectType, Response, Schema, SchemaBuilder, ServerError, SubscriptionType,
    extensions::{Extension, ExtensionContext, ExtensionFactory, NextRequest, NextSubscribe},
};
use async_graphql_axum::{GraphQLProtocol, GraphQLRequest, GraphQLResponse};
use axum::{
    Router,
    extract::{FromRequest, FromRequestParts, Request, State, ws::WebSocketUpgrade},
    http::{HeaderMap, StatusCode},
    response::IntoResponse,
    response::Response as AxumResponse,
    routing::get,
};
use backbone_schema::{ErrorCode, headers};
use futures::{StreamExt, stream::BoxStream};

use crate::{error::ApiError, state::Kit};

/// Enables federation, the limits from config, the error-code extension, and
/// puts the [`Kit`] into the schema data.
pub fn configure<Q, M, S>(builder: SchemaBuilder<Q, M, S>, kit: &Kit) -> SchemaBuilder<Q, M, S>
where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: SubscriptionType + 'static,
{
    builder
        .enable_federation()
        // Subscriptions are part of the graph: the router plans them.
        .enable_subscription_in_federation()
        .limit_depth(kit.config.http.max_depth)
        .limit_complexity(kit.config.http.max_complexity)
        .limit_recursive_depth(64)
        .extension(crate::admission::Admission { max_fields: kit.config.http.max_complexity })
        .extension(crate::revocation::Revocation)
        .extension(ErrorCodes)
        .data(kit.clone())
}

/// Gives every error a code (docs/design.md §5):
/// - an [`ApiError`] from a resolver gets its own code (internal causes are
///   logged and replaced by a reference);
/// - any other resolver error is unexpected: `INTERNAL`, logged;
/// - errors without a source come from parsing, validation or input
///   coercion inside async-graphql: `BAD_USER_INPUT`.
pub struct ErrorCodes;

impl ExtensionFactory for ErrorCodes {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ErrorCodes)
    }
}

#[async_trait::async_trait]
impl Extension for ErrorCodes {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        let mut response = next.run(ctx).await;
        for error in &mut response.errors {
            code_error(error);
        }
        response
    }

    fn subscribe<'s>(
        &self,
        ctx: &ExtensionContext<'_>,
        stream: BoxStream<'s, Response>,
        next: NextSubscribe<'_>,
    ) -> BoxStream<'s, Response> {
        next.run(ctx, stream)
            .map(|mut response| {
                for error in &mut response.errors {
                    code_error(error);
                }
                response
            })
            .boxed()
    }
}

fn code_error(error: &mut ServerError) {
    if let Some(source) = error.source.clone()
        && let Some(api) = source.downcast_ref::<ApiError>()
    {
        api.apply_to(error);
        return;
    }
    let has_code = error.extensions.as_ref().is_some_and(|e| e.get("code").is_some());
    if has_code {
        return;
    }
    if error.source.is_some() {
        ApiError::Internal(error.message.clone()).apply_to(error);
    } else {
        error.extensions.get_or_insert_with(Default::default).set("code", ErrorCode::BadUserInput.as_str());
    }
}

/// Routes `/graphql` (POST and GET) to `schema`, authenticating each request.
pub fn routes<Q, M, S>(schema: Schema<Q, M, S>, kit: Kit) -> Router
where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: SubscriptionType + 'static,
{
    // Validated at start (`Config::validate`).
    let trusted =
        crate::client_ip::TrustedProxies::parse(&kit.config.http.trusted_proxies).unwrap_or_default();
    Router::new()
        .route("/graphql", get(get_or_upgrade::<Q, M, S>).post(handle::<Q, M, S>))
        .with_state(GqlState { schema, kit })
        .layer(axum::middleware::from_fn_with_state(trusted, crate::client_ip::rewrite_forwarded_for))
}

/// Router state: the schema and the runtime its requests authenticate with.
struct GqlState<Q, M, S> {
    schema: Schema<Q, M, S>,
    kit: Kit,
}

impl<Q, M, S> Clone for GqlState<Q, M, S> {
    fn clone(&self) -> Self {
        Self { schema: self.schema.clone(), kit: self.kit.clone() }
    }
}

async fn handle<Q, M, S>(
    State(GqlState { schema, kit }): State<GqlState<Q, M, S>>,
    headers: HeaderMap,
    request: GraphQLRequest,
) -> GraphQLResponse
where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: SubscriptionType + 'static,
{
    let request_id = headers.get(headers::REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-").to_owned();
    let request = request.into_inner();
    let auth = crate::caller::admitted(&headers, &kit, &request_id).await;
    let ip = crate::context::ClientIp::from_headers(&headers);
    let agent = crate::context::UserAgent::from_headers(&headers);
    let isolation = crate::caller::isolation_of(&auth);
    crate::isolation::within(isolation, schema.execute(request.data(auth).data(ip).data(agent))).await.into()
}

/// `GET /graphql`: a WebSocket upgrade starts a subscription connection;
/// anything else is a GraphQL GET request.
async fn get_or_upgrade<Q, M, S>(State(state): State<GqlState<Q, M, S>>, request: Request) -> AxumResponse
where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: SubscriptionType + 'static,
{
    let (mut parts, body) = request.into_parts();
    if let Ok(upgrade) = WebSocketUpgrade::from_request_parts(&mut parts, &state).await {
        let Ok(protocol) = GraphQLProtocol::from_request_parts(&mut parts, &state).await else {
            return (StatusCode::BAD_REQUEST, "unsupported WebSocket subprotocol").into_response();
        };
        let auth = crate::caller::admitted(&parts.headers, &state.kit, "ws").await;
        let GqlState { schema, kit } = state;
        return upgrade
            .protocols(ALL_WEBSOCKET_PROTOCOLS)
            .on_upgrade(move |socket| crate::ws::serve(socket, schema, protocol, kit, auth))
            .into_response();
    }
    let headers = parts.headers.clone();
    let request = Request::from_parts(parts, body);
    match GraphQLRequest::from_request(request, &state).await {
        Ok(gql) => handle(State(state), headers, gql).await.into_response(),
        Err(rejection) => rejection.into_response(),
    }
}

/// The caller, the runtime, and the scope of the permission they were
/// checked for.
pub struct Allowed<'a> {
    /// The verified caller.
    pub caller: &'a crate::RequestContext,
    /// The runtime.
    pub kit: &'a Kit,
    /// How far the permission reaches.
    pub scope: crate::rbac::Scope,
}

/// Authenticates and checks `resource:action` in one step.
pub async fn allow<'a>(
    ctx: &'a async_graphql::Context<'_>,
    resource: &str,
    action: &str,
) -> crate::ApiResult<Allowed<'a>> {
    use crate::context::AuthExt;
    let caller = ctx.caller()?;
    let kit = kit(ctx)?;
    let scope = kit.rbac.require(caller, resource, action).await?;
    if let Some(checked) = ctx.data_opt::<crate::revocation::Checked>() {
        checked.record(resource, action);
    }
    Ok(Allowed { caller, kit, scope })
}

/// [`allow`] for figures about the tenant `tenant_id` (a
/// `TenantMetrics` entity's key): FORBIDDEN unless it is the caller's own.
pub async fn allow_metrics<'a>(
    ctx: &'a async_graphql::Context<'_>,
    tenant_id: &async_graphql::ID,
) -> crate::ApiResult<Allowed<'a>> {
    let allowed = allow(ctx, "metrics", "read").await?;
    if uuid("tenantId", tenant_id)? != allowed.caller.tenant_id {
        return Err(ApiError::Forbidden("metrics of another tenant".into()));
    }
    Ok(allowed)
}

/// The [`Kit`] from a resolver context.
pub fn kit<'a>(ctx: &'a async_graphql::Context<'_>) -> crate::ApiResult<&'a Kit> {
    ctx.data::<Kit>().map_err(|_| ApiError::Internal("kit missing from schema data".into()))
}

/// Parses a GraphQL `ID` holding a UUID.
pub fn uuid(field: &str, id: &async_graphql::ID) -> crate::ApiResult<uuid::Uuid> {
    crate::validate::id(field, id.as_str())
}

/// A GraphQL enum mirroring a stored enum variant for variant, with
/// exhaustive conversions both ways: a new stored state does not compile
/// until the API handles it.
#[macro_export]
macro_rules! mirror_enum {
    ($(#[$meta:meta])* $name:ident = $stored:ident { $($(#[$vmeta:meta])* $variant:ident),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(async_graphql::Enum, Copy, Clone, Debug, PartialEq, Eq)]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl From<$stored> for $name {
            fn from(s: $stored) -> Self {
                match s { $($stored::$variant => Self::$variant),+ }
            }
        }

        impl From<$name> for $stored {
            fn from(s: $name) -> Self {
                match s { $($name::$variant => Self::$variant),+ }
            }
        }
    };
}
