//! Integration tests of the edge: token verification against a real JWKS
//! server.

mod jwks;
