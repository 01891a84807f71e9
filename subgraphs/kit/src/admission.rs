//! What every subgraph checks on an operation before async-graphql
//! validates it:
//! - its cost: fields counted with every fragment spread expanded, each
//!   fragment counted once and remembered, so the check is linear in the
//!   document even when fragments spread each other many times over
//!   (async-graphql's own depth and complexity rules run after it, on
//!   documents this bound has already kept small);
//! - no string in its arguments or variables holds a NUL character, which
//!   Postgres cannot store and no field of ours accepts.

use std::{
    collections::{HashMap, HashSet},
    sync::Arc,
};

use async_graphql::{
    Name, Positioned, Request, ServerError, ServerResult, Value,
    extensions::{Extension, ExtensionContext, ExtensionFactory, NextPrepareRequest},
    parser::types::{Directive, ExecutableDocument, FragmentDefinition, Selection, SelectionSet},
};
use backbone_schema::ErrorCode;

/// Refuses, with `BAD_USER_INPUT`, operations with more than `max_fields`
/// fields once fragments are expanded (reason `MAX_FIELDS_EXCEEDED`),
/// fragment cycles (`FRAGMENT_CYCLE`) and strings holding NUL
/// (`NUL_CHARACTER`).
pub struct Admission {
    /// Most fields accepted.
    pub max_fields: usize,
}

impl ExtensionFactory for Admission {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Admission { max_fields: self.max_fields })
    }
}

#[async_trait::async_trait]
impl Extension for Admission {
    /// Runs before async-graphql's own checks, whose recursion-depth walk
    /// follows every fragment spread without remembering fragments (a
    /// fragment bomb takes it 2^n steps). The document parsed here is the
    /// one async-graphql goes on with: it is parsed once.
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        mut request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        let doc = request.parsed_query()?;
        let fields = fields_expanded(doc).ok_or_else(|| {
            refusal(
                "fragments must not spread themselves, directly or through others".into(),
                "FRAGMENT_CYCLE",
            )
        })?;
        if fields > self.max_fields as u64 {
            let message = format!(
                "fields (fragments expanded) limit of {} exceeded (the operation has {fields})",
                self.max_fields
            );
            return Err(refusal(message, "MAX_FIELDS_EXCEEDED"));
        }
        if literals_hold_nul(doc) || request.variables.values().any(holds_nul) {
            return Err(refusal("strings must not contain NUL (U+0000) characters".into(), "NUL_CHARACTER"));
        }
        next.run(ctx, request).await
    }
}

fn refusal(message: String, reason: &str) -> ServerError {
    let mut error = ServerError::new(message, None);
    let extensions = error.extensions.get_or_insert_with(Default::default);
    extensions.set("code", ErrorCode::BadUserInput.as_str());
    extensions.set("reason", reason);
    error
}

fn holds_nul(value: &Value) -> bool {
    match value {
        Value::String(s) => s.contains('\0'),
        Value::List(items) => items.iter().any(holds_nul),
        Value::Object(fields) => fields.iter().any(|(k, v)| k.contains('\0') || holds_nul(v)),
        _ => false,
    }
}

/// Whether a string literal anywhere in the document (arguments,
/// directives, variable defaults) holds NUL.
fn literals_hold_nul(doc: &ExecutableDocument) -> bool {
    fn literal(value: &async_graphql_value::Value) -> bool {
        use async_graphql_value::Value as V;
        match value {
            V::String(s) => s.contains('\0'),
            V::List(items) => items.iter().any(literal),
            V::Object(fields) => fields.values().any(literal),
            _ => false,
        }
    }
    fn directives(list: &[Positioned<Directive>]) -> bool {
        list.iter().any(|d| d.node.arguments.iter().any(|(_, v)| literal(&v.node)))
    }
    fn selections(set: &SelectionSet) -> bool {
        set.items.iter().any(|item| match &item.node {
            Selection::Field(f) => {
                f.node.arguments.iter().any(|(_, v)| literal(&v.node))
                    || directives(&f.node.directives)
                    || selections(&f.node.selection_set.node)
            }
            Selection::InlineFragment(f) => {
                directives(&f.node.directives) || selections(&f.node.selection_set.node)
            }
            Selection::FragmentSpread(s) => directives(&s.node.directives),
        })
    }
    doc.operations.iter().any(|(_, op)| {
        op.node
            .variable_definitions
            .iter()
            .any(|v| v.node.default_value.as_ref().is_some_and(|d| holds_nul(&d.node)))
            || directives(&op.node.directives)
            || selections(&op.node.selection_set.node)
    }) || doc.fragments.values().any(|f: &Positioned<FragmentDefinition>| {
        directives(&f.node.directives) || selections(&f.node.selection_set.node)
    })
}

/// The most fields any one operation of `doc` selects once expanded
/// (saturating); `None` when fragments spread each other in a cycle.
fn fields_expanded(doc: &ExecutableDocument) -> Option<u64> {
    let mut walk =
        Walk { fragments: &doc.fragments, memo: HashMap::new(), open: HashSet::new(), cycle: false };
    let most = doc.operations.iter().map(|(_, op)| walk.set(&op.node.selection_set.node)).max().unwrap_or(0);
    (!walk.cycle).then_some(most)
}

struct Walk<'d> {
    fragments: &'d HashMap<Name, Positioned<FragmentDefinition>>,
    memo: HashMap<&'d str, u64>,
    /// Fragments being expanded on the current path.
    open: HashSet<&'d str>,
    /// A fragment was reached again while being expanded.
    cycle: bool,
}

impl<'d> Walk<'d> {
    fn set(&mut self, set: &'d SelectionSet) -> u64 {
        set.items.iter().fold(0u64, |sum, item| {
            sum.saturating_add(match &item.node {
                Selection::Field(f) => self.set(&f.node.selection_set.node).saturating_add(1),
                Selection::InlineFragment(f) => self.set(&f.node.selection_set.node),
                Selection::FragmentSpread(s) => self.fragment(s.node.fragment_name.node.as_str()),
            })
        })
    }

    fn fragment(&mut self, name: &'d str) -> u64 {
        if let Some(fields) = self.memo.get(name) {
            return *fields;
        }
        let Some(fragment) = self.fragments.get(name) else { return 0 };
        if !self.open.insert(name) {
            self.cycle = true;
            return 0;
        }
        let fields = self.set(&fragment.node.selection_set.node);
        self.open.remove(name);
        self.memo.insert(name, fields);
        fields
    }
}
