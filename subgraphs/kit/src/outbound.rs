//! Calls to URLs a tenant can set (webhooks, provider URLs): they must never
//! reach inside the network (docs/design.md §4a).
//!
//! A URL is checked when it is set and again before every call
//! ([`Outbound::check`]): http(s) only, and its host — an IP literal or every
//! address its name resolves to — must be public. The client for such calls
//! ([`Outbound::client`]) resolves names through the same rule on every new
//! connection, so a name re-pointed at an internal address after the check
//! (DNS rebinding) is refused when it connects, and it follows no redirects.
//! On-premises installs list the internal hosts they trust in
//! `outbound.allow_internal`.

use std::{
    net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr},
    sync::Arc,
    time::Duration,
};

use reqwest::{
    Url,
    dns::{Addrs, Name, Resolve, Resolving},
};
use serde::Deserialize;

/// Which internal destinations tenant-set URLs may reach anyway.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OutboundConfig {
    /// Hosts trusted although they are internal: `name`, `ip`, `name:port`
    /// or `ip:port` (IPv6 in brackets). Empty by default: nothing internal.
    pub allow_internal: Vec<String>,
}

/// Why a URL may not be called.
#[derive(Debug, thiserror::Error)]
pub enum OutboundError {
    /// Not an absolute http(s) URL with a host.
    #[error("must be an http(s) URL")]
    NotHttp,
    /// The host is, or resolves to, a loopback, private, link-local,
    /// metadata or otherwise non-public address.
    #[error("{0} is an internal address")]
    Internal(String),
    /// The name does not resolve.
    #[error("{0} does not resolve")]
    Unresolved(String),
}

/// The check and the client for tenant-set URLs.
#[derive(Clone)]
pub struct Outbound {
    allow: Arc<[String]>,
    client: reqwest::Client,
}

impl Outbound {
    /// A guard allowing what `config` allows, whose client gives up after
    /// `timeout`.
    pub fn new(config: &OutboundConfig, timeout: Duration) -> Self {
        let allow: Arc<[String]> = config.allow_internal.iter().map(|h| h.to_ascii_lowercase()).collect();
        let client = crate::auth::http_client_builder()
            .dns_resolver(Arc::new(PublicOnly { allow: allow.clone() }))
            .redirect(reqwest::redirect::Policy::none())
            .timeout(timeout)
            .build()
            .unwrap_or_default();
        Self { allow, client }
    }

    /// Checks `url` as described in the module docs; returns it parsed.
    pub async fn check(&self, url: &str) -> Result<Url, OutboundError> {
        let parsed = Url::parse(url).map_err(|_| OutboundError::NotHttp)?;
        let (Some(host), Some(port)) = (parsed.host_str(), parsed.port_or_known_default()) else {
            return Err(OutboundError::NotHttp);
        };
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(OutboundError::NotHttp);
        }
        let host = host.trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase();
        if allowed(&self.allow, &host, Some(port)) {
            return Ok(parsed);
        }
        match host.parse::<IpAddr>() {
            Ok(ip) if is_internal(ip) => Err(OutboundError::Internal(host)),
            Ok(_) => Ok(parsed),
            Err(_) => {
                public_addrs(&host, port).await?;
                Ok(parsed)
            }
        }
    }

    /// The client for calls to checked URLs.
    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }
}

/// Whether `host` (and `port`, when known) is on the allow list.
fn allowed(allow: &[String], host: &str, port: Option<u16>) -> bool {
    allow.iter().any(|entry| {
        let entry = entry.as_str();
        if entry == host || entry.trim_start_matches('[').trim_end_matches(']') == host {
            return true;
        }
        match (entry.rsplit_once(':'), port) {
            (Some((h, p)), Some(port)) => {
                h.trim_start_matches('[').trim_end_matches(']') == host && p.parse() == Ok(port)
            }
            // The resolver knows no port: a `name:port` entry trusts the name.
            (Some((h, _)), None) => h == host,
            _ => false,
        }
    })
}

/// Every address `host` resolves to, all public; an error otherwise.
async fn public_addrs(host: &str, port: u16) -> Result<Vec<SocketAddr>, OutboundError> {
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
        .await
        .map_err(|_| OutboundError::Unresolved(host.to_owned()))?
        .collect();
    if addrs.is_empty() {
        return Err(OutboundError::Unresolved(host.to_owned()));
    }
    if let Some(inside) = addrs.iter().find(|a| is_internal(a.ip())) {
        return Err(OutboundError::Internal(format!("{host} ({})", inside.ip())));
    }
    Ok(addrs)
}

/// Resolves names for the outbound client, refusing internal addresses
/// unless the name is allowed.
struct PublicOnly {
    allow: Arc<[String]>,
}

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_ascii_lowercase();
        let trusted = allowed(&self.allow, &host, None);
        Box::pin(async move {
            let addrs = if trusted {
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect()
            } else {
                public_addrs(&host, 0).await?
            };
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

/// Whether `ip` is anything but a public unicast address: loopback,
/// private, carrier-grade NAT, link-local (cloud metadata lives there),
/// unspecified, broadcast, multicast, documentation, benchmarking,
/// reserved, unique-local IPv6, and IPv4 addresses wrapped in IPv6
/// (mapped, compatible, NAT64) judged as the IPv4 they carry.
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => internal_v4(v4),
        IpAddr::V6(v6) => internal_v6(v6),
    }
}

fn internal_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // carrier-grade NAT
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (18..20).contains(&b)) // benchmarking
        || a >= 240 // reserved
}

fn internal_v6(ip: Ipv6Addr) -> bool {
    if ip.is_loopback() || ip.is_unspecified() {
        return true;
    }
    let s = ip.segments();
    // IPv4-mapped (::ffff:a.b.c.d), NAT64 (64:ff9b::/96) and the deprecated
    // IPv4-compatible form (::a.b.c.d) carry an IPv4 address in their last
    // 32 bits.
    let carries_v4 = ip.to_ipv4_mapped().is_some()
        || (s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0; 4])
        || s[..6] == [0; 6];
    if carries_v4 {
        let [.., a, b, c, d] = ip.octets();
        return internal_v4(Ipv4Addr::new(a, b, c, d));
    }
    ip.is_multicast()
        || (s[0] & 0xfe00) == 0xfc00 // unique local
        || (s[0] & 0xffc0) == 0xfe80 // link-local
        || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_addresses_are_recognised() {
        for inside in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "::1",
            "::",
            "fd00:ec2::254",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a9fe:a9fe",
            "::127.0.0.1",
        ] {
            assert!(is_internal(inside.parse().expect("ip")), "{inside}");
        }
        for outside in ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111", "::ffff:1.1.1.1"] {
            assert!(!is_internal(outside.parse().expect("ip")), "{outside}");
        }
    }

    #[test]
    fn allow_entries_match_host_and_port() {
        let allow: Vec<String> = vec!["127.0.0.1:8080".into(), "hooks.internal".into(), "[::1]:9".into()];
        assert!(allowed(&allow, "127.0.0.1", Some(8080)));
        assert!(!allowed(&allow, "127.0.0.1", Some(8081)));
        assert!(allowed(&allow, "hooks.internal", Some(443)));
        assert!(allowed(&allow, "::1", Some(9)));
        assert!(!allowed(&allow, "::1", Some(10)));
        assert!(!allowed(&allow, "localhost", Some(8080)));
    }
}
