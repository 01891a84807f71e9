//! Integration tests of the AI gateway's rules over a real database.

mod budget;
