//! One cursor pagination for every list: `first`/`after` arguments
//! validated once ([`Page`]), a domain query that fetches one row more than
//! asked ([`Page::limit`], [`Page::split`]), and the Relay connection the
//! resolver returns ([`Paged::connection`]).
//!
//! Cursors are the rows' UUIDv7 ids, so "after" is a plain comparison on
//! the primary key in the list's order ([`Page::after_id`]).

use async_graphql::{
    OutputType,
    connection::{Connection, Edge},
};
use uuid::Uuid;

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

    /// The id cursor of a list ordered by id.
    pub fn after_id(&self) -> ApiResult<Option<Uuid>> {
        self.cursor(|c| Uuid::parse_str(c).ok())
    }

    /// Rows a domain query fetches: one more than `first`, which tells
    /// whether another page follows.
    pub fn limit(&self) -> u64 {
        self.first + 1
    }

    /// This page of rows fetched with [`Page::limit`].
    pub fn split<T>(&self, mut rows: Vec<T>) -> Paged<T> {
        let more = rows.len() as u64 > self.first;
        rows.truncate(self.first as usize);
        Paged { rows, more, after: self.after.is_some() }
    }
}

/// One page of a list, as a domain function returns it.
#[derive(Debug, Clone)]
pub struct Paged<T> {
    /// The rows, in the list's order.
    pub rows: Vec<T>,
    /// Whether rows follow the last one.
    pub more: bool,
    /// Whether this page started after a cursor.
    after: bool,
}

impl<T> Paged<T> {
    /// The connection of these rows, each turned into its cursor and node.
    pub fn connection<N: OutputType>(self, edge: impl FnMut(T) -> (String, N)) -> Connection<String, N> {
        let mut c = Connection::new(self.after, self.more);
        c.edges.extend(self.rows.into_iter().map(edge).map(|(cursor, node)| Edge::new(cursor, node)));
        c
    }

    /// Keeps only the rows `keep` accepts (the page's `more` is unchanged).
    #[must_use]
    pub fn retain(mut self, keep: impl FnMut(&T) -> bool) -> Self {
        self.rows.retain(keep);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_fetches_one_more_row_to_know_whether_another_follows() {
        let page = Page::new(Some(2), None).expect("page");
        assert_eq!(page.limit(), 3);
        let full = page.split(vec![1, 2, 3]);
        assert_eq!((full.rows.as_slice(), full.more), ([1, 2].as_slice(), true));
        let last = page.split(vec![1, 2]);
        assert!(!last.more);
        let c = last.connection(|n| (n.to_string(), n));
        assert_eq!(c.edges.iter().map(|e| e.cursor.clone()).collect::<Vec<_>>(), ["1", "2"]);
        assert!(!c.has_next_page && !c.has_previous_page);
    }

    #[test]
    fn out_of_range_sizes_and_malformed_cursors_are_bad_input() {
        for n in [0, -1, 101] {
            assert!(Page::new(Some(n), None).is_err(), "{n}");
        }
        let page = Page::new(None, Some("nope".into())).expect("page");
        assert_eq!(page.first, DEFAULT_PAGE);
        assert!(page.after_id().is_err());
    }
}
