//! identity: owns the interface `Account` and its implementations `Admin`
//! and `Regular`; billing adds `balance` to every account through an
//! `@interfaceObject` (issue 14, item 2). Served by a dynamic async-graphql
//! schema; the SDL composed is [`SDL`], with the federation directives.

use async_graphql::{
    Value,
    dynamic::{
        Field, FieldFuture, FieldValue, Interface, InterfaceField, Object, ResolverContext, Schema,
        SchemaError, TypeRef,
    },
};

/// The SDL this subgraph exports.
pub const SDL: &str = r#"extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key"])
"Someone who signs in."
interface Account @key(fields: "id") {
  id: ID!
  name: String!
}
"An account that administers the others."
type Admin implements Account @key(fields: "id") {
  id: ID!
  name: String!
  level: Int!
}
"An everyday account."
type Regular implements Account @key(fields: "id") {
  id: ID!
  name: String!
}
type Query {
  "Every account."
  accounts: [Account!]!
}
"#;

/// The accounts: (id, name, admin level if an admin).
const ACCOUNTS: [(&str, &str, Option<i32>); 3] =
    [("1", "Root", Some(3)), ("2", "Rita", None), ("3", "Sam", None)];

#[derive(Clone, Copy)]
struct Account(usize);

fn typed(i: usize) -> FieldValue<'static> {
    let kind = if ACCOUNTS[i].2.is_some() { "Admin" } else { "Regular" };
    FieldValue::owned_any(Account(i)).with_type(kind)
}

fn of<'a>(ctx: &ResolverContext<'a>) -> Result<Account, async_graphql::Error> {
    ctx.parent_value.try_downcast_ref::<Account>().copied()
}

fn field(name: &str, ty: TypeRef, get: fn(Account) -> Value) -> Field {
    Field::new(name, ty, move |ctx| {
        FieldFuture::new(async move { Ok(Some(FieldValue::value(get(of(&ctx)?)))) })
    })
}

/// The schema.
pub fn schema() -> Result<Schema, SchemaError> {
    let id = |a: Account| Value::String(ACCOUNTS[a.0].0.into());
    let name = |a: Account| Value::String(ACCOUNTS[a.0].1.into());
    let account = Interface::new("Account")
        .field(InterfaceField::new("id", TypeRef::named_nn(TypeRef::ID)))
        .field(InterfaceField::new("name", TypeRef::named_nn(TypeRef::STRING)));
    let admin = Object::new("Admin")
        .implement("Account")
        .key("id")
        .field(field("id", TypeRef::named_nn(TypeRef::ID), id))
        .field(field("name", TypeRef::named_nn(TypeRef::STRING), name))
        .field(field("level", TypeRef::named_nn(TypeRef::INT), |a| {
            Value::from(ACCOUNTS[a.0].2.unwrap_or(0))
        }));
    let regular = Object::new("Regular")
        .implement("Account")
        .key("id")
        .field(field("id", TypeRef::named_nn(TypeRef::ID), id))
        .field(field("name", TypeRef::named_nn(TypeRef::STRING), name));
    let query =
        Object::new("Query").field(Field::new("accounts", TypeRef::named_nn_list_nn("Account"), |_| {
            FieldFuture::new(async { Ok(Some(FieldValue::list((0..ACCOUNTS.len()).map(typed)))) })
        }));
    Schema::build("Query", None, None)
        .register(account)
        .register(admin)
        .register(regular)
        .register(query)
        .enable_federation()
        .entity_resolver(|ctx| {
            FieldFuture::new(async move {
                let reps = ctx.args.try_get("representations")?.list()?;
                let mut out = Vec::new();
                for rep in reps.iter() {
                    let rep = rep.object()?;
                    let id = rep.try_get("id")?.string()?.to_owned();
                    out.push(match ACCOUNTS.iter().position(|a| a.0 == id) {
                        Some(i) => typed(i),
                        None => FieldValue::NULL,
                    });
                }
                Ok(Some(FieldValue::list(out)))
            })
        })
        .finish()
}
