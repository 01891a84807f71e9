//! Entity fetches: representations gathered from the data at a flatten
//! path, deduplicated, sent in one `_entities` request per fetch node, and
//! the results merged back into every place they came from.

use crate::error::PipelineError;
use std::collections::HashMap;

use hive_router_query_planner::{
    ast::{selection_item::SelectionItem, selection_set::SelectionSet},
    planner::plan_nodes::{BatchFetchNode, FetchNode, FetchRewrite, FlattenNodePathSegment},
};
use serde_json::{Map, Value, value::RawValue};

use super::{
    PossibleTypes, Run,
    paths::{self, Step},
    rewrites, subgraphs, used_variables,
};

/// Unique representations and, for each, the response paths it stands for.
/// Representations are serialized once, here: the bytes are both the
/// deduplication key (hashed, compared on a hash match) and the request's
/// `representations` list.
#[derive(Default)]
struct Gathered {
    /// Serialized representations, comma-separated.
    raw: Vec<u8>,
    /// Where each one is in `raw`.
    spans: Vec<std::ops::Range<usize>>,
    /// Hash of a representation's bytes → its index.
    seen: HashMap<u64, usize>,
    targets: Vec<Vec<Vec<Step>>>,
}

impl Gathered {
    fn add(&mut self, rep: &Value, at: Vec<Step>, scratch: &mut Vec<u8>) {
        scratch.clear();
        // Serializing a Value into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut *scratch, rep);
        let hash = xxhash_rust::xxh3::xxh3_64(scratch);
        if let Some(&i) = self.seen.get(&hash)
            && self.raw[self.spans[i].clone()] == scratch[..]
        {
            self.targets[i].push(at);
            return;
        }
        if !self.spans.is_empty() {
            self.raw.push(b',');
        }
        let start = self.raw.len();
        self.raw.extend_from_slice(scratch);
        self.seen.entry(hash).or_insert(self.spans.len());
        self.spans.push(start..self.raw.len());
        self.targets.push(vec![at]);
    }

    /// The representations as one JSON list.
    fn list(&self) -> Box<RawValue> {
        let mut json = String::with_capacity(self.raw.len() + 2);
        json.push('[');
        // Written by serde_json from valid strings only.
        json.push_str(std::str::from_utf8(&self.raw).unwrap_or_default());
        json.push(']');
        RawValue::from_string(json).unwrap_or_default()
    }
}

/// Adds the representations found at `path` to `g`.
fn gather(
    run: &Run<'_>,
    g: &mut Gathered,
    path: &[FlattenNodePathSegment],
    requires: &SelectionSet,
    input_rewrites: Option<&Vec<FetchRewrite>>,
) {
    let data = run.data.lock();
    let mut scratch = Vec::new();
    for (at, object) in paths::collect(&data, path) {
        let Some(mut rep) = represent(run.possible, object, requires) else { continue };
        if let Some(rw) = input_rewrites {
            rewrites::apply_all(run.possible, &mut rep, rw);
        }
        g.add(&rep, at, &mut scratch);
    }
}

/// Projects `requires` (e.g. `... on User { __typename id }`) out of an
/// object; `None` when the object is not of a required type or lacks a
/// required field (then it cannot be resolved and stays as it is). A
/// condition on an interface covers its implementations (an
/// `@interfaceObject` fetch takes `Admin`s for `... on Account`).
fn represent(possible: &PossibleTypes, object: &Value, requires: &SelectionSet) -> Option<Value> {
    let typename = object.get("__typename").and_then(Value::as_str)?;
    for item in &requires.items {
        match item {
            SelectionItem::InlineFragment(f) if possible.satisfies(typename, &f.type_condition) => {
                return select(object, &f.selections);
            }
            SelectionItem::InlineFragment(_) => {}
            SelectionItem::Field(_) => return select(object, requires),
            SelectionItem::FragmentSpread(_) => return None,
        }
    }
    None
}

fn select(value: &Value, selections: &SelectionSet) -> Option<Value> {
    match value {
        Value::Array(items) => {
            items.iter().map(|v| select(v, selections)).collect::<Option<Vec<_>>>().map(Value::Array)
        }
        Value::Object(map) => {
            let mut out = Map::new();
            for item in &selections.items {
                match item {
                    SelectionItem::Field(f) => {
                        // In a fetch's `requires`, `name` is where the value
                        // is in the data (the planner's alias for a required
                        // field with arguments, `_internal_qp_alias_0`) and
                        // `alias` the field's own name, which the
                        // representation carries (`comments`).
                        let v = map.get(&f.name)?;
                        let v = if f.selections.items.is_empty() || v.is_null() {
                            v.clone()
                        } else {
                            select(v, &f.selections)?
                        };
                        out.insert(f.alias.clone().unwrap_or_else(|| f.name.clone()), v);
                    }
                    SelectionItem::InlineFragment(frag) => {
                        let matches = map.get("__typename").and_then(Value::as_str)
                            == Some(frag.type_condition.as_str());
                        if matches && let Some(Value::Object(inner)) = select(value, &frag.selections) {
                            out.extend(inner);
                        }
                    }
                    SelectionItem::FragmentSpread(_) => return None,
                }
            }
            Some(Value::Object(out))
        }
        Value::Null => Some(Value::Null),
        other => Some(other.clone()),
    }
}

/// Merges `_entities` results (and their errors) back to their targets.
fn merge_back(
    run: &Run<'_>,
    service: &str,
    g: &Gathered,
    entities: Value,
    errors: Vec<Value>,
    output_rewrites: Option<&Vec<FetchRewrite>>,
) {
    let Value::Array(results) = entities else {
        if errors.is_empty() {
            let unavailable = PipelineError::SubgraphUnavailable {
                service: service.to_owned(),
                reason: "it returned no _entities list".into(),
            };
            run.errors.lock().extend(unavailable.graphql());
        }
        push_errors(run, service, g, errors);
        return;
    };
    {
        let mut data = run.data.lock();
        for (i, mut entity) in results.into_iter().enumerate() {
            let Some(targets) = g.targets.get(i) else { break };
            if let Some(rw) = output_rewrites {
                rewrites::apply_all(run.possible, &mut entity, rw);
            }
            // Every target but the last gets a copy; the last takes it.
            if let Some((last, rest)) = targets.split_last() {
                for at in rest {
                    if let Some(slot) = paths::get_mut(&mut data, at) {
                        paths::deep_merge(slot, entity.clone());
                    }
                }
                if let Some(slot) = paths::get_mut(&mut data, last) {
                    paths::deep_merge(slot, entity);
                }
            }
        }
    }
    push_errors(run, service, g, errors);
}

/// Re-paths `["_entities", i, …rest]` to every client path entity `i` came
/// from.
fn push_errors(run: &Run<'_>, service: &str, g: &Gathered, errors: Vec<Value>) {
    let mut out = run.errors.lock();
    for mut e in errors {
        subgraphs::tag_service(&mut e, service);
        let path = e.get("path").and_then(Value::as_array).cloned();
        let index = path.as_ref().and_then(|p| match (p.first(), p.get(1)) {
            (Some(Value::String(root)), Some(Value::Number(n)))
                if root == "_entities" || root.starts_with('_') =>
            {
                n.as_u64().map(|n| n as usize)
            }
            _ => None,
        });
        match (index, path) {
            (Some(i), Some(p)) if i < g.targets.len() => {
                for at in &g.targets[i] {
                    let mut e = e.clone();
                    let mut new_path: Vec<Value> = at.iter().map(Step::to_json).collect();
                    new_path.extend(p.iter().skip(2).cloned());
                    e["path"] = Value::Array(new_path);
                    out.push(e);
                }
            }
            // No usable path (async-graphql subgraphs send none for errors
            // inside `_entities`): with a single entity the error belongs
            // to it; otherwise it stays unpathed.
            _ => {
                if let Value::Object(map) = &mut e {
                    map.remove("path");
                    if let [only] = g.targets.as_slice()
                        && let [at] = only.as_slice()
                    {
                        map.insert("path".into(), Value::Array(at.iter().map(Step::to_json).collect()));
                    }
                }
                out.push(e);
            }
        }
    }
}

/// One flatten + fetch.
pub(crate) async fn fetch(run: &Run<'_>, path: &[FlattenNodePathSegment], fetch: &FetchNode) {
    let Some(requires) = &fetch.requires else {
        return super::root_fetch(run, fetch).await;
    };
    let mut g = Gathered::default();
    gather(run, &mut g, path, requires, fetch.input_rewrites.as_ref());
    if g.spans.is_empty() {
        return;
    }
    let mut vars = used_variables(run, fetch.variable_usages.as_ref());
    vars.raw.push(("representations".into(), g.list()));
    let Some(mut response) =
        run.client.send(run, &fetch.service_name, &fetch.operation.document_str, vars, true).await
    else {
        return;
    };
    let entities = response.data.get_mut("_entities").map(Value::take).unwrap_or(Value::Null);
    merge_back(run, &fetch.service_name, &g, entities, response.errors, fetch.output_rewrites.as_ref());
}

/// Several entity fetches to one subgraph in one request, each under its
/// own alias and representations variable.
pub(crate) async fn batch(run: &Run<'_>, node: &BatchFetchNode) {
    let mut gathered = Vec::new();
    let mut vars = used_variables(run, node.variable_usages.as_ref());
    for alias in &node.entity_batch.aliases {
        // Representations are unique per alias across its paths.
        let mut g = Gathered::default();
        for path in &alias.merge_paths {
            gather(run, &mut g, path.as_slice(), &alias.requires, alias.input_rewrites.as_ref());
        }
        vars.raw.push((alias.representations_variable_name.clone(), g.list()));
        gathered.push(g);
    }
    if gathered.iter().all(|g| g.spans.is_empty()) {
        return;
    }
    let Some(mut response) =
        run.client.send(run, &node.service_name, &node.operation.document_str, vars, true).await
    else {
        return;
    };
    let mut errors_by_alias: Vec<Vec<Value>> = vec![Vec::new(); gathered.len()];
    for e in response.errors.drain(..) {
        let alias = e.get("path").and_then(|p| p.get(0)).and_then(Value::as_str).map(str::to_owned);
        let i = alias.and_then(|a| node.entity_batch.aliases.iter().position(|x| x.alias == a)).unwrap_or(0);
        errors_by_alias[i].push(e);
    }
    for ((alias, g), errors) in node.entity_batch.aliases.iter().zip(&gathered).zip(errors_by_alias) {
        let entities = response.data.get_mut(&alias.alias).map(Value::take).unwrap_or(Value::Null);
        merge_back(run, &node.service_name, g, entities, errors, alias.output_rewrites.as_ref());
    }
}
