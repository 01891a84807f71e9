//! The AI gateway: prompt templates, token budgets, settings, the request log.

pub mod budget;
pub mod prompt_template;
pub mod request_log;
pub mod setting;
