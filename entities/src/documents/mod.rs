//! Documents: templates, documents and their immutable versions, the
//! signers of each document and its timeline.

pub mod document;
pub mod event;
pub mod signer;
pub mod template;
pub mod version;
