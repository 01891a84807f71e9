//! Who is calling, by address: `X-Forwarded-For` is believed only from a
//! trusted proxy.
//!
//! [`rewrite_forwarded_for`] runs first on every request to the router and
//! to a subgraph's GraphQL endpoint. It replaces whatever `X-Forwarded-For`
//! the request carried with exactly one address: the peer's own, or, when
//! the peer is a trusted proxy, the nearest hop of its header that is not a
//! trusted proxy itself. Everything after it (consent evidence, per-IP rate
//! limits, the header the router forwards) reads that one address.

use std::{
    net::{IpAddr, SocketAddr},
    sync::Arc,
};

use axum::{
    extract::{ConnectInfo, Request, State},
    http::HeaderValue,
    middleware::Next,
    response::Response,
};
use ipnet::IpNet;

/// The header, lower-case.
pub const FORWARDED_FOR: &str = "x-forwarded-for";

/// Proxies whose `X-Forwarded-For` is believed.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Arc<[IpNet]>);

impl TrustedProxies {
    /// Parses addresses and CIDR ranges (`10.0.0.0/8`, `::1`).
    pub fn parse(list: &[String]) -> Result<Self, String> {
        list.iter()
            .map(|entry| {
                entry
                    .parse::<IpNet>()
                    .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| format!("`{entry}` is not an IP address or CIDR range"))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(|nets| Self(nets.into()))
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client's address as described in the module docs; `None` when
    /// the peer is unknown.
    pub fn client(&self, peer: Option<IpAddr>, forwarded_for: Option<&str>) -> Option<IpAddr> {
        let peer = peer?.to_canonical();
        if !self.trusts(peer) {
            return Some(peer);
        }
        let hops: Vec<IpAddr> = forwarded_for
            .unwrap_or_default()
            .split(',')
            .filter_map(|hop| hop.trim().parse::<IpAddr>().ok().map(|ip| ip.to_canonical()))
            .collect();
        Some(hops.iter().rev().find(|ip| !self.trusts(**ip)).or(hops.first()).copied().unwrap_or(peer))
    }
}

/// Middleware: sets `X-Forwarded-For` to the client's address alone (see
/// the module docs), or removes it when the peer is unknown. Needs the
/// server's connect info ([`crate::serve::serve`] provides it).
pub async fn rewrite_forwarded_for(
    State(trusted): State<TrustedProxies>,
    mut request: Request,
    next: Next,
) -> Response {
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let given = request.headers().get(FORWARDED_FOR).and_then(|v| v.to_str().ok());
    let client = trusted.client(peer, given);
    let headers = request.headers_mut();
    headers.remove(FORWARDED_FOR);
    if let Some(value) = client.and_then(|ip| HeaderValue::from_str(&ip.to_string()).ok()) {
        headers.insert(FORWARDED_FOR, value);
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_trusted_proxies_are_believed() {
        let trusted = TrustedProxies::parse(&["10.0.0.0/8".into(), "::1".into()]).expect("parse");
        let ip = |s: &str| s.parse::<IpAddr>().ok();
        // A client speaking for itself is its own address.
        assert_eq!(trusted.client(ip("203.0.113.9"), Some("1.2.3.4")), ip("203.0.113.9"));
        // Through a trusted proxy: the nearest untrusted hop.
        assert_eq!(
            trusted.client(ip("10.1.1.1"), Some("1.2.3.4, 198.51.100.7, 10.2.2.2")),
            ip("198.51.100.7")
        );
        assert_eq!(trusted.client(ip("::1"), Some("garbage")), ip("::1"));
        assert_eq!(trusted.client(ip("::ffff:10.1.1.1"), Some("198.51.100.7")), ip("198.51.100.7"));
        assert_eq!(trusted.client(None, Some("1.2.3.4")), None);
        assert!(TrustedProxies::parse(&["not an ip".into()]).is_err());
    }
}
