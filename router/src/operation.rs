//! The parts of a client operation the router reads, in one place.

use graphql_tools::{
    parser::query::{OperationDefinition, SelectionSet},
    static_graphql::query::VariableDefinition,
};

/// Name, variable definitions, selection set and the operation kind.
pub(crate) struct Parts<'d> {
    pub name: Option<&'d str>,
    pub variables: &'d [VariableDefinition],
    pub selection_set: &'d SelectionSet<'static, String>,
    pub is_mutation: bool,
    pub is_subscription: bool,
}

/// Splits an operation definition into its [`Parts`].
pub(crate) fn parts<'d>(op: &'d OperationDefinition<'static, String>) -> Parts<'d> {
    match op {
        OperationDefinition::SelectionSet(s) => {
            Parts { name: None, variables: &[], selection_set: s, is_mutation: false, is_subscription: false }
        }
        OperationDefinition::Query(q) => Parts {
            name: q.name.as_deref(),
            variables: &q.variable_definitions,
            selection_set: &q.selection_set,
            is_mutation: false,
            is_subscription: false,
        },
        OperationDefinition::Mutation(m) => Parts {
            name: m.name.as_deref(),
            variables: &m.variable_definitions,
            selection_set: &m.selection_set,
            is_mutation: true,
            is_subscription: false,
        },
        OperationDefinition::Subscription(s) => Parts {
            name: s.name.as_deref(),
            variables: &s.variable_definitions,
            selection_set: &s.selection_set,
            is_mutation: false,
            is_subscription: true,
        },
    }
}
