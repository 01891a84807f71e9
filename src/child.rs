//! `backbone` processes started by benchmarks and tests on port 0, which
//! learn where each one listens from the line it prints on stdout once
//! it serves (`listening on http://…` for `backbone router` and
//! `backbone subgraph`, `  graphql     http://…` for dev mode). Nothing
//! picks a port for a child, so two runs on one machine never collide.

use std::{
    io::{BufRead, BufReader},
    process::{Child, Command, Stdio},
    sync::mpsc,
    time::Duration,
};

use anyhow::{Context, bail};

/// What `backbone router` and `backbone subgraph` print once they serve.
pub const LISTENING: &str = "listening on ";
/// What a process serving metrics prints (`http.metrics_port`).
pub const METRICS: &str = "metrics on ";
/// What dev mode prints for the router's GraphQL endpoint.
pub const DEV_GRAPHQL: &str = "  graphql     ";

/// A started process and the address it printed.
pub struct Started {
    /// The process; its stdout is drained in the background.
    pub process: Child,
    /// `http://host:port`, without a path.
    pub base: String,
}

impl Started {
    /// Kills the process and reaps it.
    pub fn stop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// Spawns `cmd` with stdout piped and waits up to `within` for a line
/// starting with `prefix` followed by a URL. Fails, after killing it, when
/// the process exits first or prints no such line in time.
pub fn spawn(cmd: &mut Command, prefix: &str, within: Duration) -> anyhow::Result<Started> {
    let mut process = cmd.stdout(Stdio::piped()).spawn().context("start process")?;
    let stdout = process.stdout.take().context("piped stdout")?;
    let (tx, rx) = mpsc::channel();
    let wanted = prefix.to_owned();
    // Reads every line for the process's whole life: a full pipe would
    // block the child's next print.
    std::thread::spawn(move || {
        let mut tx = Some(tx);
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(rest) = line.strip_prefix(wanted.as_str())
                && let Some(sender) = tx.take()
            {
                let _ = sender.send(base_of(rest));
            }
        }
    });
    match rx.recv_timeout(within) {
        Ok(Some(base)) => Ok(Started { process, base }),
        Ok(None) | Err(_) => {
            let exited = process.try_wait().ok().flatten();
            let _ = process.kill();
            let _ = process.wait();
            match exited {
                Some(status) => bail!("the process exited ({status}) before it listened"),
                None => bail!("the process printed no {prefix:?} line within {within:?}"),
            }
        }
    }
}

/// `http://host:port` from a line's rest (`http://host:port/graphql`).
fn base_of(rest: &str) -> Option<String> {
    let url = rest.split_whitespace().next()?;
    let after = url.strip_prefix("http://")?;
    let authority = after.split('/').next()?;
    Some(format!("http://{authority}"))
}

#[cfg(test)]
mod tests {
    use super::base_of;

    #[test]
    fn the_base_is_the_urls_scheme_and_authority() {
        assert_eq!(base_of("http://127.0.0.1:4000/graphql").as_deref(), Some("http://127.0.0.1:4000"));
        assert_eq!(base_of(" http://[::1]:9 ").as_deref(), Some("http://[::1]:9"));
        assert_eq!(base_of("https://x"), None);
    }
}
