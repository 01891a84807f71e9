//! Input and output rewrites the planner attaches to fetches: setting a
//! value (e.g. `__typename` of an interface object) or renaming a key (an
//! alias the planner introduced).

use hive_router_query_planner::planner::plan_nodes::{FetchNodePathSegment, FetchRewrite};
use serde_json::Value;

use super::PossibleTypes;

/// Applies every rewrite to `value`. A `__typename` condition on an
/// interface covers its implementations (an `Admin` is sent to an
/// `@interfaceObject` subgraph as `Account`).
pub(crate) fn apply_all(possible: &PossibleTypes, value: &mut Value, rewrites: &[FetchRewrite]) {
    for r in rewrites {
        match r {
            FetchRewrite::ValueSetter(s) => apply(possible, value, &s.path, &Action::Set(&s.set_value_to)),
            FetchRewrite::KeyRenamer(k) => apply(possible, value, &k.path, &Action::Rename(&k.rename_key_to)),
        }
    }
}

enum Action<'a> {
    Set(&'a str),
    Rename(&'a str),
}

fn apply(possible: &PossibleTypes, value: &mut Value, path: &[FetchNodePathSegment], action: &Action<'_>) {
    if let Value::Array(items) = value {
        for item in items {
            apply(possible, item, path, action);
        }
        return;
    }
    let Some((first, rest)) = path.split_first() else { return };
    let Value::Object(map) = value else { return };
    match first {
        FetchNodePathSegment::TypenameEquals(types) => {
            let typename = map.get("__typename").and_then(Value::as_str);
            if typename.is_some_and(|t| types.iter().any(|on| possible.satisfies(t, on))) {
                apply(possible, value, rest, action);
            }
        }
        FetchNodePathSegment::Key(key) if rest.is_empty() => match action {
            Action::Set(v) => {
                map.insert(key.clone(), Value::String((*v).to_owned()));
            }
            Action::Rename(to) => {
                if let Some(v) = map.remove(key) {
                    map.insert((*to).to_owned(), v);
                }
            }
        },
        FetchNodePathSegment::Key(key) => {
            if let Some(next) = map.get_mut(key) {
                apply(possible, next, rest, action);
            }
        }
    }
}
