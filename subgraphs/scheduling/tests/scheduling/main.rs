//! Integration tests of the scheduling subgraph, served on a random port
//! and spoken to over HTTP and WebSocket.

mod booking;
mod daylight_saving;
mod erasure;
mod isolation;
mod lifecycle;
mod permissions;
mod recurrence;
mod subscriptions;
mod support;
mod waitlist;
