//! A REST request's variables: path parameters, the query string (a key
//! given several times is a list: `?status=open&status=assigned`) and the
//! body. Text is read as the variable's declared type (numbers, booleans,
//! enum values in any case); everything is then checked by the pipeline
//! exactly as a GraphQL request's variables are.

use base64::Engine;
use graphql_tools::static_graphql::query::Type;
use serde_json::{Map, Value};

use super::table::{Route, base_name};
use crate::{error::PipelineError, variables::InputTypes};

/// What came with the request besides its path.
pub struct Sent<'a> {
    /// Path parameters by name.
    pub path: Vec<(String, String)>,
    /// The raw query string.
    pub query: Option<&'a str>,
    /// The body, and whether it was declared JSON.
    pub body: &'a [u8],
    /// The body's `Content-Type` is JSON (or absent).
    pub json: bool,
}

/// The variables of `route`'s operation from what was sent.
pub fn variables(
    route: &Route,
    inputs: &InputTypes,
    sent: Sent<'_>,
) -> Result<Map<String, Value>, PipelineError> {
    let mut out = Map::new();
    for (name, raw) in &sent.path {
        let ty = route
            .operation
            .variable(name)
            .map(|v| v.var_type.clone())
            .unwrap_or(Type::NamedType("String".into()));
        out.insert(name.clone(), from_text(name, &ty, vec![raw.clone()], inputs)?);
    }
    let mut given: Vec<(String, Vec<String>)> = Vec::new();
    for (key, value) in form_urlencoded::parse(sent.query.unwrap_or("").as_bytes()) {
        match given.iter_mut().find(|(k, _)| *k == key) {
            Some((_, values)) => values.push(value.into_owned()),
            None => given.push((key.into_owned(), vec![value.into_owned()])),
        }
    }
    for (name, values) in given {
        let Some(def) = route.query_variables().find(|v| v.name == name) else {
            return Err(PipelineError::BadRequest(format!("unknown query parameter {name:?}")));
        };
        out.insert(name.clone(), from_text(&name, &def.var_type, values, inputs)?);
    }
    if route.takes_body() {
        body(route, &sent, &mut out)?;
    }
    Ok(out)
}

fn body(route: &Route, sent: &Sent<'_>, out: &mut Map<String, Value>) -> Result<(), PipelineError> {
    if sent.body.iter().all(u8::is_ascii_whitespace) {
        return Ok(());
    }
    if !sent.json {
        let Some(name) = &route.raw_body else {
            return Err(PipelineError::BadRequest(
                "the body must be JSON (Content-Type: application/json)".into(),
            ));
        };
        let encoded = base64::engine::general_purpose::STANDARD.encode(sent.body);
        out.insert(name.clone(), Value::String(encoded));
        return Ok(());
    }
    let value: Value = serde_json::from_slice(sent.body)
        .map_err(|e| PipelineError::BadRequest(format!("the body is not JSON: {e}")))?;
    if let Some(name) = &route.body {
        out.insert(name.clone(), value);
        return Ok(());
    }
    let Value::Object(fields) = value else {
        return Err(PipelineError::BadRequest("the body must be a JSON object".into()));
    };
    for (name, value) in fields {
        if route.operation.variable(&name).is_none() {
            return Err(PipelineError::BadRequest(format!("unknown body field {name:?}")));
        }
        if out.contains_key(&name) {
            return Err(PipelineError::BadRequest(format!("{name:?} is given twice")));
        }
        out.insert(name, value);
    }
    Ok(())
}

/// Values given as text, read as `ty`.
fn from_text(
    name: &str,
    ty: &Type,
    values: Vec<String>,
    inputs: &InputTypes,
) -> Result<Value, PipelineError> {
    let invalid = |reason: String| PipelineError::Variable { name: name.to_owned(), reason };
    match ty {
        Type::NonNullType(inner) => from_text(name, inner, values, inputs),
        Type::ListType(item) => values
            .into_iter()
            .map(|v| from_text(name, item, vec![v], inputs))
            .collect::<Result<_, _>>()
            .map(Value::Array),
        Type::NamedType(_) => {
            let [value] =
                <[String; 1]>::try_from(values).map_err(|_| invalid("is given more than once".into()))?;
            scalar(base_name(ty), value, inputs).map_err(invalid)
        }
    }
}

fn scalar(type_name: &str, text: String, inputs: &InputTypes) -> Result<Value, String> {
    Ok(match type_name {
        "Int" => text.parse::<i32>().map(Value::from).map_err(|_| format!("{text:?} is not an Int"))?,
        "Float" => text
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .ok_or_else(|| format!("{text:?} is not a Float"))?,
        "Boolean" => match text.as_str() {
            "true" | "1" => Value::Bool(true),
            "false" | "0" => Value::Bool(false),
            _ => return Err(format!("{text:?} is not a Boolean (true or false)")),
        },
        _ => match inputs.enum_values(type_name) {
            Some(mut values) => match values.find(|v| v.eq_ignore_ascii_case(&text)) {
                Some(v) => Value::String(v.to_owned()),
                None => return Err(format!("{text:?} is not a {type_name}")),
            },
            None if inputs.is_input_object(type_name) => {
                return Err(format!("{type_name} is an input object: send it in a JSON body"));
            }
            None => Value::String(text),
        },
    })
}
