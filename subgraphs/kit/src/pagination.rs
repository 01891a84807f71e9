//! One cursor pagination for every list: `first`/`after` arguments
//! validated once ([`Page`]), a domain query that fetches one row more than
//! asked ([`Page::limit`], [`Page::split`]), and the Relay connection the
//! resolver returns ([`Paged::connection`]).
//!
//! A list ordered by id (UUIDv7: creation order) uses the rows' ids as
//! cursors, so "after" is a plain comparison on the primary key
//! ([`Page::after_id`]). A list in another order (by name, by rank) uses
//! positions: the cursor is how many rows precede the next page
//! ([`Page::after_position`], [`Paged::connection_at`]), which a domain
//! query turns into an offset, or a list computed in memory into a slice
//! ([`Page::slice`]).

use async_graphql::{
    OutputType,
    connection::{Connection, Edge},
};
use sea_orm::{ConnectionTrait, EntityTrait, QuerySelect, Select};
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

    /// The position cursor: rows before the page (0 without `after`).
    pub fn after_position(&self) -> ApiResult<u64> {
        Ok(self.cursor(|c| c.parse::<u64>().ok())?.unwrap_or(0))
    }

    /// This page of a list computed in memory, for
    /// [`Paged::connection_at`].
    pub fn slice<T>(&self, all: Vec<T>) -> ApiResult<Paged<T>> {
        let start = self.after_position()?;
        let rows = all.into_iter().skip(start as usize).take(self.limit() as usize).collect();
        Ok(Paged { start, ..self.split(rows) })
    }

    /// This page of rows a domain query fetched itself from position
    /// `start` (with [`Page::limit`] rows at most), for
    /// [`Paged::connection_at`].
    pub fn split_from<T>(&self, start: u64, rows: Vec<T>) -> Paged<T> {
        Paged { start, ..self.split(rows) }
    }

    /// This page of `query` (a list in some order other than id), for
    /// [`Paged::connection_at`].
    pub async fn fetch_at<E: EntityTrait>(
        &self,
        db: &impl ConnectionTrait,
        query: Select<E>,
    ) -> ApiResult<Paged<E::Model>> {
        let start = self.after_position()?;
        let rows = query.offset(start).limit(self.limit()).all(db).await?;
        Ok(Paged { start, ..self.split(rows) })
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
        Paged { rows, more, after: self.after.is_some(), start: 0 }
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
    /// Rows before this page, for position cursors.
    start: u64,
}

impl<T> Paged<T> {
    /// The connection of these rows, each turned into its cursor and node.
    pub fn connection<N: OutputType>(self, edge: impl FnMut(T) -> (String, N)) -> Connection<String, N> {
        let mut c = Connection::new(self.after, self.more);
        c.edges.extend(self.rows.into_iter().map(edge).map(|(cursor, node)| Edge::new(cursor, node)));
        c
    }

    /// The connection of these rows of a list not ordered by id: each
    /// cursor is its row's position.
    pub fn connection_at<N: OutputType>(self, mut node: impl FnMut(T) -> N) -> Connection<String, N> {
        let start = self.start;
        let mut c = Connection::new(start > 0, self.more);
        let edges =
            self.rows.into_iter().zip(start + 1..).map(|(row, at)| Edge::new(at.to_string(), node(row)));
        c.edges.extend(edges);
        c
    }

    /// The same page with each row converted.
    pub fn map<U>(self, convert: impl FnMut(T) -> U) -> Paged<U> {
        Paged {
            rows: self.rows.into_iter().map(convert).collect(),
            more: self.more,
            after: self.after,
            start: self.start,
        }
    }

    /// The same page with each row converted, or the first conversion
    /// error.
    pub fn try_map<U, E>(self, convert: impl FnMut(T) -> Result<U, E>) -> Result<Paged<U>, E> {
        let rows = self.rows.into_iter().map(convert).collect::<Result<_, _>>()?;
        Ok(Paged { rows, more: self.more, after: self.after, start: self.start })
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
    fn a_position_cursor_continues_where_the_last_page_ended() {
        let all: Vec<u32> = (1..=5).collect();
        let first = Page::new(Some(2), None).expect("page");
        let c = first.slice(all.clone()).expect("slice").connection_at(|n| n);
        assert_eq!(c.edges.iter().map(|e| e.node).collect::<Vec<_>>(), [1, 2]);
        let after = c.edges.last().map(|e| e.cursor.clone());
        let c = Page::new(Some(2), after).expect("page").slice(all).expect("slice").connection_at(|n| n);
        assert_eq!(c.edges.iter().map(|e| e.node).collect::<Vec<_>>(), [3, 4]);
        assert!(c.has_previous_page && c.has_next_page);
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
