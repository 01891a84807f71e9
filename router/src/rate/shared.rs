//! Rate buckets kept in Redis, so every router replica draws on the same
//! ones. Each bucket is a GCRA cell (the algorithm `governor` runs in
//! process): one key holding the theoretical arrival time, updated by a
//! Lua script that reads Redis' own clock, so replicas' clocks never
//! matter. Several buckets are checked and charged in one round trip, all
//! or none.

use std::time::Duration;

use redis::{
    Client, Script,
    aio::{ConnectionManager, ConnectionManagerConfig},
};

/// Checks every bucket in `KEYS` (each with its emission interval and burst
/// tolerance in microseconds in `ARGV`); when all have room and `ARGV[1]` is
/// `charge`, charges each. Returns 0, or the microseconds until the fullest
/// bucket has room.
const GCRA: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local charge = ARGV[1] == 'charge'
local wait = 0
local tats = {}
for i, key in ipairs(KEYS) do
  local interval = tonumber(ARGV[2 * i])
  local tolerance = tonumber(ARGV[2 * i + 1])
  local tat = tonumber(redis.call('GET', key) or '0')
  if tat < now then tat = now end
  tats[i] = tat
  if tat - tolerance > now and tat - tolerance - now > wait then
    wait = tat - tolerance - now
  end
end
if wait > 0 or not charge then
  return math.ceil(wait)
end
for i, key in ipairs(KEYS) do
  local interval = tonumber(ARGV[2 * i])
  local next_tat = tats[i] + interval
  redis.call('SET', key, string.format('%d', next_tat), 'PX', math.ceil((next_tat - now) / 1000) + 1)
end
return 0
";

/// The longest a check may take before the router uses its own buckets.
const TIMEOUT: Duration = Duration::from_millis(50);

/// One bucket to check: its Redis key and quota.
pub struct Cell {
    /// The full key, prefix included.
    pub key: String,
    /// Time between two requests at the steady rate.
    pub interval: Duration,
    /// Requests allowed at once (the rate over its period).
    pub burst: u32,
}

/// Whether to take a request from the buckets or only look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Take one request from each bucket if all have room.
    Charge,
    /// Only say whether all have room.
    Peek,
}

/// A connection to the Redis that holds the buckets.
#[derive(Clone)]
pub struct SharedBuckets {
    conn: ConnectionManager,
    script: std::sync::Arc<Script>,
    /// Prepended to every key.
    pub prefix: String,
}

impl SharedBuckets {
    /// Connects to `url`. Calls time out after 50 ms, so a slow Redis
    /// costs a request little before the router falls back to its own
    /// buckets.
    pub async fn connect(url: &str, prefix: &str) -> redis::RedisResult<Self> {
        let client = Client::open(url)?;
        let config = ConnectionManagerConfig::new()
            .set_response_timeout(TIMEOUT)
            .set_connection_timeout(Duration::from_millis(500))
            .set_number_of_retries(1);
        let conn = ConnectionManager::new_with_config(client, config).await?;
        Ok(Self { conn, script: std::sync::Arc::new(Script::new(GCRA)), prefix: prefix.to_owned() })
    }

    /// `Ok(None)` when every cell has room (and, charging, each was
    /// charged), `Ok(Some(wait))` when one has not.
    pub async fn check(&self, mode: Mode, cells: &[Cell]) -> redis::RedisResult<Option<Duration>> {
        if cells.is_empty() {
            return Ok(None);
        }
        let mut call = self.script.prepare_invoke();
        call.arg(if mode == Mode::Charge { "charge" } else { "peek" });
        for cell in cells {
            let interval = cell.interval.as_micros() as u64;
            call.key(&cell.key).arg(interval).arg(interval * u64::from(cell.burst.saturating_sub(1)));
        }
        let mut conn = self.conn.clone();
        // The connection manager's own timeout does not cover reconnecting.
        let wait: u64 =
            tokio::time::timeout(TIMEOUT, call.invoke_async(&mut conn)).await.map_err(|_| {
                redis::RedisError::from((redis::ErrorKind::IoError, "rate limit check timed out"))
            })??;
        Ok((wait > 0).then(|| Duration::from_micros(wait)))
    }
}
