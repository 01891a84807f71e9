//! billing: adds `balance` to every `Account` without knowing its
//! implementations, through `@interfaceObject` (issue 14, item 2). The
//! router must send it `{"__typename": "Account", "id": …}` whatever the
//! concrete type; [`Traffic`] keeps the typenames it received.

use std::sync::{Arc, Mutex};

use async_graphql::{
    Value,
    dynamic::{Field, FieldFuture, FieldValue, Object, Schema, SchemaError, TypeRef},
};

/// The SDL this subgraph exports.
pub const SDL: &str = r#"extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key", "@interfaceObject", "@external", "@requires"])
type Account @key(fields: "id") @interfaceObject {
  id: ID!
  "Cents owed."
  balance: Int!
  name: String! @external
  "How the bill greets the account holder (needs their name from identity)."
  greeting: String! @requires(fields: "name")
}
type Query {
  _billing: Int
}
"#;

/// The `__typename`s of the representations received, in order.
#[derive(Default, Debug)]
pub struct Traffic(pub Mutex<Vec<String>>);

/// The schema, recording into `traffic`.
pub fn schema(traffic: Arc<Traffic>) -> Result<Schema, SchemaError> {
    let account = Object::new("Account")
        .key("id")
        .field(Field::new("id", TypeRef::named_nn(TypeRef::ID), |ctx| {
            FieldFuture::new(async move {
                let (id, _) = ctx.parent_value.try_downcast_ref::<(String, Option<String>)>()?;
                Ok(Some(FieldValue::value(Value::String(id.clone()))))
            })
        }))
        .field(Field::new("balance", TypeRef::named_nn(TypeRef::INT), |ctx| {
            FieldFuture::new(async move {
                let (id, _) = ctx.parent_value.try_downcast_ref::<(String, Option<String>)>()?;
                Ok(Some(FieldValue::value(Value::from(id.parse::<i32>().unwrap_or(0) * 100))))
            })
        }))
        .field(Field::new("greeting", TypeRef::named_nn(TypeRef::STRING), |ctx| {
            FieldFuture::new(async move {
                let (_, name) = ctx.parent_value.try_downcast_ref::<(String, Option<String>)>()?;
                let name = name.as_deref().ok_or("name was not sent")?;
                Ok(Some(FieldValue::value(Value::String(format!("Dear {name}")))))
            })
        }));
    let query = Object::new("Query").field(Field::new("_billing", TypeRef::named(TypeRef::INT), |_| {
        FieldFuture::new(async { Ok(None::<FieldValue>) })
    }));
    Schema::build("Query", None, None)
        .register(account)
        .register(query)
        .enable_federation()
        .entity_resolver(move |ctx| {
            let traffic = traffic.clone();
            FieldFuture::new(async move {
                let reps = ctx.args.try_get("representations")?.list()?;
                let mut out = Vec::new();
                for rep in reps.iter() {
                    let rep = rep.object()?;
                    let typename = rep.try_get("__typename")?.string()?.to_owned();
                    traffic.0.lock().map_err(|_| "poisoned")?.push(typename);
                    let id = rep.try_get("id")?.string()?.to_owned();
                    let name = rep.get("name").and_then(|n| n.string().ok()).map(str::to_owned);
                    out.push(FieldValue::owned_any((id, name)).with_type("Account"));
                }
                Ok(Some(FieldValue::list(out)))
            })
        })
        .finish()
}
