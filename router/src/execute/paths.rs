//! Walking response data along plan paths, and merging results.

use hive_router_query_planner::planner::plan_nodes::FlattenNodePathSegment;
use serde_json::Value;

/// One step of a response path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    Key(String),
    Index(usize),
}

impl Step {
    pub fn to_json(&self) -> Value {
        match self {
            Step::Key(k) => Value::String(k.clone()),
            Step::Index(i) => Value::from(*i),
        }
    }
}

/// Every object reached by `path` from `root`, with its response path.
/// Nulls and values of the wrong shape are skipped: their fields stay null.
pub(crate) fn collect<'v>(root: &'v Value, path: &[FlattenNodePathSegment]) -> Vec<(Vec<Step>, &'v Value)> {
    let mut out = Vec::new();
    walk(root, path, &mut Vec::new(), &mut out);
    out
}

fn walk<'v>(
    value: &'v Value,
    path: &[FlattenNodePathSegment],
    at: &mut Vec<Step>,
    out: &mut Vec<(Vec<Step>, &'v Value)>,
) {
    let Some((first, rest)) = path.split_first() else {
        match value {
            Value::Object(_) => out.push((at.clone(), value)),
            // A path ending on a list flattens it.
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    at.push(Step::Index(i));
                    walk(item, path, at, out);
                    at.pop();
                }
            }
            _ => {}
        }
        return;
    };
    match (first, value) {
        (FlattenNodePathSegment::Field(name), Value::Object(map)) => {
            if let Some(next) = map.get(name) {
                at.push(Step::Key(name.clone()));
                walk(next, rest, at, out);
                at.pop();
            }
        }
        (FlattenNodePathSegment::List, Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                at.push(Step::Index(i));
                walk(item, rest, at, out);
                at.pop();
            }
        }
        (FlattenNodePathSegment::TypeCondition(types), Value::Object(map)) => {
            let matches = map.get("__typename").and_then(Value::as_str).is_some_and(|t| types.contains(t));
            if matches {
                walk(value, rest, at, out);
            }
        }
        _ => {}
    }
}

/// The value at a response path, mutably.
pub(crate) fn get_mut<'v>(root: &'v mut Value, path: &[Step]) -> Option<&'v mut Value> {
    let mut cur = root;
    for step in path {
        cur = match (step, cur) {
            (Step::Key(k), Value::Object(map)) => map.get_mut(k)?,
            (Step::Index(i), Value::Array(items)) => items.get_mut(*i)?,
            _ => return None,
        };
    }
    Some(cur)
}

/// Merges `from` into `into`: objects field by field (recursively), lists
/// element by element, anything else replaced.
pub(crate) fn deep_merge(into: &mut Value, from: Value) {
    match (into, from) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                match a.get_mut(&k) {
                    Some(existing) => deep_merge(existing, v),
                    None => {
                        a.insert(k, v);
                    }
                }
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (x, y) in a.iter_mut().zip(b) {
                deep_merge(x, y);
            }
        }
        (slot, v) => {
            if !v.is_null() || slot.is_null() {
                *slot = v;
            }
        }
    }
}
