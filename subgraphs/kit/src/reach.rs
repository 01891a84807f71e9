//! Reaching the database and Redis at start-up: a few quick attempts, each
//! failure logged with the address it tried (never the user or password),
//! then an error naming that address, rather than a silent wait.

use std::time::Duration;

/// Attempts before giving up.
pub const ATTEMPTS: u32 = 5;
/// Longest wait for one attempt's TCP connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// Pause between attempts.
const PAUSE: Duration = Duration::from_secs(1);

/// `host:port` of a Postgres or Redis URL, for messages and probes: no
/// user, no password, no path. `None` for what has no host (SQLite).
pub fn endpoint(url: &str) -> Option<String> {
    let parsed = reqwest::Url::parse(url).ok()?;
    let port = parsed.port().or(match parsed.scheme() {
        "postgres" | "postgresql" => Some(5432),
        "redis" | "rediss" => Some(6379),
        _ => None,
    })?;
    let host = parsed.host_str()?.trim_start_matches('[').trim_end_matches(']').to_owned();
    Some(if host.contains(':') { format!("[{host}]:{port}") } else { format!("{host}:{port}") })
}

/// Waits until `url`'s host accepts a TCP connection: up to [`ATTEMPTS`]
/// tries, each failure logged as `what` at the address with the next try.
/// Not reachable: an error naming `what` and the address. URLs without a
/// host (SQLite) pass at once.
pub async fn probe(what: &str, url: &str) -> Result<(), String> {
    let Some(at) = endpoint(url) else { return Ok(()) };
    let mut last = String::new();
    for attempt in 1..=ATTEMPTS {
        match tokio::time::timeout(CONNECT_TIMEOUT, tokio::net::TcpStream::connect(&at)).await {
            Ok(Ok(_)) => return Ok(()),
            Ok(Err(e)) => last = e.to_string(),
            Err(_) => last = format!("no answer in {} s", CONNECT_TIMEOUT.as_secs()),
        }
        if attempt < ATTEMPTS {
            tracing::warn!(
                "{what} at {at} is not reachable ({last}); retrying in 1 s ({attempt}/{ATTEMPTS})"
            );
            tokio::time::sleep(PAUSE).await;
        }
    }
    Err(format!("{what} at {at} is not reachable after {ATTEMPTS} attempts: {last}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_endpoint_names_host_and_port_and_nothing_secret() {
        assert_eq!(
            endpoint("postgres://app:hunter2@db.internal/backbone").as_deref(),
            Some("db.internal:5432")
        );
        assert_eq!(endpoint("redis://:hunter2@127.0.0.1:6380/0").as_deref(), Some("127.0.0.1:6380"));
        assert_eq!(endpoint("postgres://u@[::1]:5433/x").as_deref(), Some("[::1]:5433"));
        assert_eq!(endpoint("sqlite://data/backbone.db?mode=rwc"), None);
        assert_eq!(endpoint("sqlite::memory:"), None);
    }
}
