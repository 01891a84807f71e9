//! Cursor pagination arguments, validated once for every list.

use crate::error::{ApiError, ApiResult};

/// Items returned when `first` is not given.
pub const DEFAULT_PAGE: u64 = 20;
/// Most items one page may return.
pub const MAX_PAGE: u64 = 100;

/// A validated page request: `first` items after the opaque `after` cursor.
#[derive(Debug, Clone)]
pub struct Page {
    /// How many items (1..=MAX_PAGE).
    pub first: u64,
    /// Cursor of the last item already seen.
    pub after: Option<String>,
}

impl Page {
    /// Validates GraphQL arguments: `first` must be within 1..=100.
    pub fn new(first: Option<i32>, after: Option<String>) -> ApiResult<Self> {
        let first = match first {
            None => DEFAULT_PAGE,
            Some(n) if n >= 1 && n as u64 <= MAX_PAGE => n as u64,
            Some(n) => {
                return Err(ApiError::bad_input(
                    "first",
                    format!("first must be between 1 and {MAX_PAGE}, got {n}"),
                ));
            }
        };
        Ok(Self { first, after })
    }

    /// Decodes the cursor with `parse`, as BAD_USER_INPUT when malformed.
    pub fn cursor<T>(&self, parse: impl FnOnce(&str) -> Option<T>) -> ApiResult<Option<T>> {
        match &self.after {
            None => Ok(None),
            Some(c) => parse(c).map(Some).ok_or_else(|| ApiError::bad_input("after", "malformed cursor")),
        }
    }
}
