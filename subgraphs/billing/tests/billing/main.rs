//! Tests of the billing subgraph's domain: worked examples of each charge
//! model and of money in currencies with 0, 2 and 3 decimals.

mod charges;
mod money;
