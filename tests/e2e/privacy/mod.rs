//! Issue 5 end to end through the router: consent, DSAR and retention, the
//! AI gateway against an OpenAI-compatible server inside the test, memory.

mod ai;
mod consent;
mod dsar;
pub(crate) mod memory;
pub(crate) mod support;
