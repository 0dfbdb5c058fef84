//! Heatmap state of sessions between their batches
//! ([`veil_aggregation::carry`]): a stock rrweb recorder's clicks are
//! placed by the scroll position and named by the snapshot of earlier
//! batches. Bounded twice: a session idle for the idle timeout is
//! forgotten, and past the byte budget the least recently used go first
//! (their next clicks are then placed as if the page were at the top, as
//! before this state existed: nothing is lost but precision).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use veil_aggregation::SessionContext;

/// Memory all held contexts may take together.
pub const DEFAULT_BUDGET_BYTES: usize = 64 << 20;

/// Puts between two sweeps of idle sessions.
const SWEEP_EVERY: u32 = 1024;

type Key = (Box<str>, Box<str>);

struct Held {
    context: SessionContext,
    bytes: usize,
    used: Instant,
}

#[derive(Default)]
struct Inner {
    sessions: HashMap<Key, Held>,
    bytes: usize,
    puts: u32,
}

/// The contexts of recent sessions, by site and session id.
pub struct HeatmapSessions {
    inner: Mutex<Inner>,
    idle_timeout: Duration,
    budget_bytes: usize,
}

impl HeatmapSessions {
    /// An empty cache.
    pub fn new(idle_timeout: Duration, budget_bytes: usize) -> HeatmapSessions {
        HeatmapSessions { inner: Mutex::new(Inner::default()), idle_timeout, budget_bytes }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic elsewhere leaves the map consistent (every change is one
        // insert or remove): go on with it.
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Takes the session's context out (a new one for a session not held
    /// or idle too long); give it back with [`HeatmapSessions::put`].
    /// Two batches of one session processed at once: the second starts
    /// from a new context, and the later `put` wins.
    pub fn take(&self, site: &str, session: &str, now: Instant) -> SessionContext {
        let mut inner = self.lock();
        let key: Key = (site.into(), session.into());
        match inner.sessions.remove(&key) {
            Some(held) => {
                inner.bytes -= held.bytes;
                if now.saturating_duration_since(held.used) > self.idle_timeout {
                    SessionContext::default()
                } else {
                    held.context
                }
            }
            None => SessionContext::default(),
        }
    }

    /// Keeps `context` for the session's next batch.
    pub fn put(&self, site: &str, session: &str, context: SessionContext, now: Instant) {
        let bytes = context.approx_bytes() + site.len() + session.len();
        let mut inner = self.lock();
        let key: Key = (site.into(), session.into());
        if let Some(old) = inner.sessions.insert(key, Held { context, bytes, used: now }) {
            inner.bytes -= old.bytes;
        }
        inner.bytes += bytes;
        inner.puts = inner.puts.wrapping_add(1);
        if inner.puts.is_multiple_of(SWEEP_EVERY) || inner.bytes > self.budget_bytes {
            let idle = self.idle_timeout;
            let mut freed = 0;
            inner.sessions.retain(|_, held| {
                let keep = now.saturating_duration_since(held.used) <= idle;
                if !keep {
                    freed += held.bytes;
                }
                keep
            });
            inner.bytes -= freed;
        }
        while inner.bytes > self.budget_bytes {
            let Some(oldest) =
                inner.sessions.iter().min_by_key(|(_, held)| held.used).map(|(k, _)| k.clone())
            else {
                break;
            };
            if let Some(held) = inner.sessions.remove(&oldest) {
                inner.bytes -= held.bytes;
            }
        }
    }

    /// Sessions held.
    pub fn len(&self) -> usize {
        self.lock().sessions.len()
    }

    /// Whether no session is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes held, as accounted against the budget.
    pub fn bytes(&self) -> usize {
        self.lock().bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contexts_come_back_until_idle_and_stay_within_the_budget() {
        let now = Instant::now();
        let cache = HeatmapSessions::new(Duration::from_secs(60), 512);
        cache.put("demo", "a", SessionContext::default(), now);
        assert_eq!(cache.len(), 1);
        let _ = cache.take("demo", "a", now);
        assert!(cache.is_empty(), "taken out while its batch is processed");
        cache.put("demo", "a", SessionContext::default(), now);
        let later = now + Duration::from_secs(61);
        let _ = cache.take("demo", "a", later);
        assert_eq!(cache.bytes(), 0);
        // Past the budget the oldest go first.
        for (i, session) in ["s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9"].iter().enumerate() {
            cache.put("demo", session, SessionContext::default(), now + Duration::from_millis(i as u64));
        }
        assert!(cache.bytes() <= 512, "{}", cache.bytes());
        assert!(cache.len() < 10);
        let newest = cache.lock().sessions.contains_key(&(Box::from("demo"), Box::from("s9")));
        assert!(newest, "the newest session is kept");
        let oldest = cache.lock().sessions.contains_key(&(Box::from("demo"), Box::from("s0")));
        assert!(!oldest, "the oldest session went first");
    }
}
