//! Integration tests of the notifications subgraph: events handed to its
//! consumer, the inbox read over HTTP, deliveries to real local endpoints
//! (an HTTP receiver and an SMTP server inside the test).

mod delivery;
mod inbox;
mod support;
