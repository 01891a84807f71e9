//! blog and digest: `Post.summary` in digest `@requires` blog's
//! `comments(limit: 3) { id }`, a required field with an argument (issue
//! 14, item 3). A client selecting `comments(limit: 1)` must still get a
//! summary made from three comments: the router aliases the required
//! selection and sends it to digest under the field's own name. Both are
//! dynamic schemas serving the hand-written SDLs composed.

use std::sync::{Arc, Mutex};

use async_graphql::{
    Value,
    dynamic::{Field, FieldFuture, FieldValue, InputValue, Object, Schema, SchemaError, TypeRef},
};

/// blog's SDL.
pub const BLOG_SDL: &str = r#"extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key", "@shareable"])
"A post with comments."
type Post @key(fields: "id") {
  id: ID!
  title: String!
  "The first `limit` comments, oldest first."
  comments(limit: Int!): [Comment!]!
}
type Comment @shareable {
  id: ID!
  body: String!
}
type Query {
  "Every post."
  posts: [Post!]!
}
"#;

/// digest's SDL.
pub const DIGEST_SDL: &str = r#"extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key", "@external", "@requires", "@shareable"])
type Post @key(fields: "id") {
  id: ID!
  comments(limit: Int!): [Comment!]! @external
  "A line made from the first three comments."
  summary: String! @requires(fields: "comments(limit: 3) { id }")
  "A line made from the first two comments: the same field required with another argument."
  headline: String! @requires(fields: "comments(limit: 2) { id }")
}
type Comment @shareable {
  id: ID!
}
type Query {
  _digest: Int
}
"#;

/// The representations digest received, as JSON.
#[derive(Default, Debug)]
pub struct Traffic(pub Mutex<Vec<serde_json::Value>>);

const COMMENTS: usize = 5;

/// A post's or a comment's id, as the parent value of its fields.
struct Id(String);

/// A post where `_Entity` is expected (the type must be named).
fn post(id: String) -> FieldValue<'static> {
    FieldValue::owned_any(Id(id)).with_type("Post")
}

fn id_field() -> Field {
    Field::new("id", TypeRef::named_nn(TypeRef::ID), |ctx| {
        FieldFuture::new(async move {
            Ok(Some(FieldValue::value(Value::String(ctx.parent_value.try_downcast_ref::<Id>()?.0.clone()))))
        })
    })
}

/// blog's schema.
pub fn blog() -> Result<Schema, SchemaError> {
    let post_type = Object::new("Post")
        .key("id")
        .field(id_field())
        .field(Field::new("title", TypeRef::named_nn(TypeRef::STRING), |ctx| {
            FieldFuture::new(async move {
                let id = &ctx.parent_value.try_downcast_ref::<Id>()?.0;
                Ok(Some(FieldValue::value(Value::String(format!("Post {id}")))))
            })
        }))
        .field(
            Field::new("comments", TypeRef::named_nn_list_nn("Comment"), |ctx| {
                FieldFuture::new(async move {
                    let id = ctx.parent_value.try_downcast_ref::<Id>()?.0.clone();
                    let limit = ctx.args.try_get("limit")?.i64()?.clamp(0, COMMENTS as i64) as usize;
                    let comments = (1..=limit).map(|n| FieldValue::owned_any(Id(format!("{id}-c{n}"))));
                    Ok(Some(FieldValue::list(comments)))
                })
            })
            .argument(InputValue::new("limit", TypeRef::named_nn(TypeRef::INT))),
        );
    let comment = Object::new("Comment").field(id_field()).field(Field::new(
        "body",
        TypeRef::named_nn(TypeRef::STRING),
        |ctx| {
            FieldFuture::new(async move {
                let id = &ctx.parent_value.try_downcast_ref::<Id>()?.0;
                Ok(Some(FieldValue::value(Value::String(format!("comment {id}")))))
            })
        },
    ));
    let query = Object::new("Query").field(Field::new("posts", TypeRef::named_nn_list_nn("Post"), |_| {
        FieldFuture::new(async {
            Ok(Some(FieldValue::list(["p1", "p2"].map(|p| FieldValue::owned_any(Id(p.into()))))))
        })
    }));
    Schema::build("Query", None, None)
        .register(post_type)
        .register(comment)
        .register(query)
        .enable_federation()
        .entity_resolver(|ctx| {
            FieldFuture::new(async move {
                let reps = ctx.args.try_get("representations")?.list()?;
                let mut out = Vec::new();
                for rep in reps.iter() {
                    out.push(post(rep.object()?.try_get("id")?.string()?.to_owned()));
                }
                Ok(Some(FieldValue::list(out)))
            })
        })
        .finish()
}

/// digest's schema, recording representations into `traffic`.
pub fn digest(traffic: Arc<Traffic>) -> Result<Schema, SchemaError> {
    let digest_id = Field::new("id", TypeRef::named_nn(TypeRef::ID), |ctx| {
        FieldFuture::new(async move {
            let (id, _) = ctx.parent_value.try_downcast_ref::<(String, Vec<String>)>()?;
            Ok(Some(FieldValue::value(Value::String(id.clone()))))
        })
    });
    let headline = Field::new("headline", TypeRef::named_nn(TypeRef::STRING), |ctx| {
        FieldFuture::new(async move {
            let (_, ids) = ctx.parent_value.try_downcast_ref::<(String, Vec<String>)>()?;
            Ok(Some(FieldValue::value(Value::String(format!("top {}: {}", ids.len(), ids.join(", "))))))
        })
    });
    let post_type = Object::new("Post").key("id").field(digest_id).field(headline).field(Field::new(
        "summary",
        TypeRef::named_nn(TypeRef::STRING),
        |ctx| {
            FieldFuture::new(async move {
                let ids = ctx.parent_value.try_downcast_ref::<(String, Vec<String>)>()?;
                Ok(Some(FieldValue::value(Value::String(format!(
                    "{} comments: {}",
                    ids.1.len(),
                    ids.1.join(", ")
                )))))
            })
        },
    ));
    let query = Object::new("Query").field(Field::new("_digest", TypeRef::named(TypeRef::INT), |_| {
        FieldFuture::new(async { Ok(None::<FieldValue>) })
    }));
    Schema::build("Query", None, None)
        .register(post_type)
        .register(query)
        .enable_federation()
        .entity_resolver(move |ctx| {
            let traffic = traffic.clone();
            FieldFuture::new(async move {
                let reps = ctx.args.try_get("representations")?.list()?;
                let mut out = Vec::new();
                for rep in reps.iter() {
                    let json = rep.deserialize::<serde_json::Value>()?;
                    traffic.0.lock().map_err(|_| "poisoned")?.push(json.clone());
                    let id = json["id"].as_str().unwrap_or_default().to_owned();
                    let comments: Vec<String> = json["comments"]
                        .as_array()
                        .map(|c| c.iter().filter_map(|c| c["id"].as_str().map(str::to_owned)).collect())
                        .unwrap_or_default();
                    out.push(FieldValue::owned_any((id, comments)).with_type("Post"));
                }
                Ok(Some(FieldValue::list(out)))
            })
        })
        .finish()
}
