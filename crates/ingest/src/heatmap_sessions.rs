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
use veil_events::decode::SessionPage;

/// Memory all held contexts may take together.
pub const DEFAULT_BUDGET_BYTES: usize = 64 << 20;

/// Puts between two sweeps of idle sessions (a sweep also runs once per
/// idle timeout, so a quiet server forgets too).
const SWEEP_EVERY: u32 = 1024;

/// Past the budget, eviction frees down to this share of it (in
/// percent), so the sort it takes is paid once per many puts.
const EVICT_TO_PERCENT: usize = 90;

type Key = (Box<str>, Box<str>);

struct Held {
    /// Out (default) while one of the session's batches is processed.
    context: SessionContext,
    /// Where the session's last batch was; stays while the context is
    /// out, so a batch decoded meanwhile is still placed.
    page: Option<SessionPage>,
    bytes: usize,
    used: Instant,
}

impl Held {
    fn cost(key: &Key, context: &SessionContext, page: Option<&SessionPage>) -> usize {
        key.0.len() + key.1.len() + context.approx_bytes() + page.map_or(0, SessionPage::approx_bytes)
    }
}

#[derive(Default)]
struct Inner {
    sessions: HashMap<Key, Held>,
    bytes: usize,
    puts: u32,
    /// When idle sessions were last swept; `None` before the first put.
    swept: Option<Instant>,
}

impl Inner {
    /// Forgets sessions idle longer than `idle`.
    fn sweep(&mut self, now: Instant, idle: Duration) {
        self.swept = Some(now);
        let mut freed = 0;
        self.sessions.retain(|_, held| {
            let keep = now.saturating_duration_since(held.used) <= idle;
            if !keep {
                freed += held.bytes;
            }
            keep
        });
        self.bytes -= freed;
    }

    /// Forgets the least recently used sessions until at most `target`
    /// bytes are held: one sort, not a scan per session evicted.
    fn evict_to(&mut self, target: usize) {
        let mut by_use: Vec<(Instant, Key)> =
            self.sessions.iter().map(|(key, held)| (held.used, key.clone())).collect();
        by_use.sort_unstable_by_key(|(used, _)| *used);
        for (_, key) in by_use {
            if self.bytes <= target {
                break;
            }
            if let Some(held) = self.sessions.remove(&key) {
                self.bytes -= held.bytes;
            }
        }
    }
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
        let Some(held) = inner.sessions.get_mut(&key) else {
            return SessionContext::default();
        };
        if now.saturating_duration_since(held.used) > self.idle_timeout {
            let freed = held.bytes;
            inner.sessions.remove(&key);
            inner.bytes -= freed;
            return SessionContext::default();
        }
        let context = std::mem::take(&mut held.context);
        let before = held.bytes;
        held.bytes = Held::cost(&key, &held.context, held.page.as_ref());
        let after = held.bytes;
        inner.bytes = inner.bytes - before + after;
        context
    }

    /// Where the session's last batch was, unless it is idle too long.
    pub fn page(&self, site: &str, session: &str, now: Instant) -> Option<SessionPage> {
        let inner = self.lock();
        let held = inner.sessions.get(&(Box::from(site), Box::from(session)))?;
        (now.saturating_duration_since(held.used) <= self.idle_timeout).then(|| held.page.clone()).flatten()
    }

    /// Keeps `context` and where the batch left the session (`page`) for
    /// the session's next batch.
    pub fn put(&self, site: &str, session: &str, context: SessionContext, page: SessionPage, now: Instant) {
        let key: Key = (site.into(), session.into());
        let bytes = Held::cost(&key, &context, Some(&page));
        let mut inner = self.lock();
        if let Some(old) = inner.sessions.insert(key, Held { context, page: Some(page), bytes, used: now }) {
            inner.bytes -= old.bytes;
        }
        inner.bytes += bytes;
        inner.puts = inner.puts.wrapping_add(1);
        let swept = *inner.swept.get_or_insert(now);
        let due = now.saturating_duration_since(swept) >= self.idle_timeout;
        if due || inner.puts.is_multiple_of(SWEEP_EVERY) || inner.bytes > self.budget_bytes {
            inner.sweep(now, self.idle_timeout);
        }
        if inner.bytes > self.budget_bytes {
            inner.evict_to(self.budget_bytes / 100 * EVICT_TO_PERCENT);
        }
    }

    /// Sessions held and their bytes, read at once (for the gauges).
    pub fn usage(&self) -> (usize, usize) {
        let inner = self.lock();
        (inner.sessions.len(), inner.bytes)
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

    fn page(url: &str) -> SessionPage {
        SessionPage { url: url.to_owned(), viewport: (1280, 720) }
    }

    #[test]
    fn contexts_come_back_until_idle_and_stay_within_the_budget() {
        let now = Instant::now();
        let cache = HeatmapSessions::new(Duration::from_secs(60), 1024);
        cache.put("demo", "a", SessionContext::default(), page("https://shop.example/"), now);
        assert_eq!(cache.len(), 1);
        let _ = cache.take("demo", "a", now);
        assert_eq!(
            cache.page("demo", "a", now),
            Some(page("https://shop.example/")),
            "the page stays while the context is out"
        );
        cache.put("demo", "a", SessionContext::default(), page("https://shop.example/b"), now);
        assert_eq!(cache.page("demo", "a", now), Some(page("https://shop.example/b")), "the latest page");
        let later = now + Duration::from_secs(61);
        assert_eq!(cache.page("demo", "a", later), None, "idle too long");
        let _ = cache.take("demo", "a", later);
        assert_eq!((cache.len(), cache.bytes()), (0, 0));
        // Past the budget the oldest go first.
        for i in 0..20u64 {
            let session = format!("s{i}");
            let at = now + Duration::from_millis(i);
            cache.put("demo", &session, SessionContext::default(), page("https://shop.example/"), at);
        }
        assert!(cache.bytes() <= 1024, "{}", cache.bytes());
        assert!(cache.len() < 20);
        assert!(cache.page("demo", "s19", now).is_some(), "the newest session is kept");
        assert!(cache.page("demo", "s0", now).is_none(), "the oldest session went first");
        let accounted: usize = cache.lock().sessions.values().map(|held| held.bytes).sum();
        assert_eq!(accounted, cache.bytes(), "the total is the sum of what is held");
        // Once an idle timeout has passed, the next put forgets the idle.
        let much_later = now + Duration::from_secs(120);
        cache.put("demo", "fresh", SessionContext::default(), page("https://shop.example/"), much_later);
        assert_eq!(cache.usage().0, 1, "idle sessions are swept");
    }
}
