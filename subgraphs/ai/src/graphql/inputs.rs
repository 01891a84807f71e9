//! What clients send besides scalars: the values of a template's variables.

use async_graphql::InputObject;

/// A variable's value in a call.
#[derive(InputObject)]
pub struct VariableValue {
    /// The declared variable it fills (`{{name}}` in the template).
    pub name: String,
    /// The text the variable is filled with (masked for personal data before the provider sees it).
    pub value: String,
}
