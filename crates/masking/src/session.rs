//! Per-session state and the bounded cache that keeps it between batches.
//!
//! A session's batches arrive one after another, often on the same
//! server, and a later batch refers to nodes an earlier one described (the
//! FullSnapshot with the password field is in batch 0, the Input events
//! typed into it in batch 3). [`SessionState`] carries that knowledge from
//! batch to batch; [`SessionCache`] keeps the states of live sessions.
//!
//! Bounds (all in [`CacheConfig`]): a session idle for longer than
//! `idle_timeout` is dropped; when more than `max_sessions` sessions or
//! more than `max_total_nodes` tracked nodes are held, the least recently
//! used sessions are dropped; one session tracking more than
//! `max_nodes_per_session` nodes forgets its nodes. Dropping state always
//! fails closed: the session continues *unprimed* until its next
//! FullSnapshot, which means every Input event is masked (as always),
//! every `value` attribute set by a mutation is masked, and text added or
//! changed by mutations is masked wholesale (rule `unknown_node`) — the
//! replay gets coarser, the data never leaks.
//!
//! Locking: the cache's own mutex is held only to find, create or evict an
//! entry, never while a batch is masked. Each session has its own mutex,
//! which the caller holds for the whole masking of one batch, so batches of
//! one session are masked one at a time (in arrival order) and different
//! sessions in parallel.

use std::collections::HashMap;
use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use crate::tree::NodeTable;

/// Default for [`CacheConfig::max_nodes_per_session`].
pub const DEFAULT_MAX_NODES_PER_SESSION: usize = 50_000;

/// What masking remembers about one session between batches.
#[derive(Debug)]
pub struct SessionState {
    pub(crate) table: NodeTable,
}

impl Default for SessionState {
    fn default() -> Self {
        SessionState::new()
    }
}

impl SessionState {
    /// A fresh, unprimed state with the default node limit.
    pub fn new() -> Self {
        SessionState::with_max_nodes(DEFAULT_MAX_NODES_PER_SESSION)
    }

    /// A fresh state that tracks at most `max_nodes` nodes.
    pub fn with_max_nodes(max_nodes: usize) -> Self {
        SessionState { table: NodeTable::new(max_nodes) }
    }

    /// Whether this state has seen the session's current FullSnapshot.
    pub fn is_primed(&self) -> bool {
        self.table.is_primed()
    }

    /// Nodes tracked (the unit of the cache's size bounds).
    pub fn tracked_nodes(&self) -> usize {
        self.table.len()
    }

    /// How often this state overflowed its node limit and fell back to
    /// unprimed.
    pub fn overflows(&self) -> u64 {
        self.table.overflows()
    }
}

/// Bounds of a [`SessionCache`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheConfig {
    /// A session not seen for this long is dropped.
    pub idle_timeout: Duration,
    /// Most sessions held.
    pub max_sessions: usize,
    /// Most tracked nodes over all sessions.
    pub max_total_nodes: usize,
    /// Most tracked nodes of one session.
    pub max_nodes_per_session: usize,
}

impl Default for CacheConfig {
    /// 30 minutes idle (rrweb sessions end after 30 minutes without
    /// activity), 100 000 sessions, 20 million nodes (a few hundred MB at
    /// worst), 50 000 nodes per session.
    fn default() -> Self {
        CacheConfig {
            idle_timeout: Duration::from_secs(30 * 60),
            max_sessions: 100_000,
            max_total_nodes: 20_000_000,
            max_nodes_per_session: DEFAULT_MAX_NODES_PER_SESSION,
        }
    }
}

struct Slot {
    state: Mutex<SessionState>,
}

struct Entry {
    slot: Arc<Slot>,
    last_used: Instant,
    nodes: usize,
}

struct Inner {
    sessions: HashMap<Box<str>, HashMap<Box<str>, Entry>>,
    count: usize,
    total_nodes: usize,
    last_sweep: Option<Instant>,
}

struct Shared {
    config: CacheConfig,
    inner: Mutex<Inner>,
}

/// Session states keyed by (site, session), shared across threads.
#[derive(Clone)]
pub struct SessionCache {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for SessionCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionCache").field("config", &self.shared.config).finish_non_exhaustive()
    }
}

/// A session's state, held while one batch is masked. See
/// [`SessionHandle::lock`].
pub struct SessionHandle {
    slot: Arc<Slot>,
    shared: Arc<Shared>,
    site: Box<str>,
    session: Box<str>,
}

/// Exclusive access to a session's state; tells the cache the state's new
/// size when dropped.
pub struct SessionGuard<'h> {
    guard: Option<MutexGuard<'h, SessionState>>,
    handle: &'h SessionHandle,
}

impl SessionCache {
    /// An empty cache.
    pub fn new(config: CacheConfig) -> Self {
        let inner = Inner { sessions: HashMap::new(), count: 0, total_nodes: 0, last_sweep: None };
        SessionCache { shared: Arc::new(Shared { config, inner: Mutex::new(inner) }) }
    }

    /// The state of `(site, session)`, created unprimed if absent. `now` is
    /// passed in so tests control time; eviction happens here.
    pub fn get_or_create(&self, site: &str, session: &str, now: Instant) -> SessionHandle {
        let config = &self.shared.config;
        let mut inner = lock(&self.shared.inner);
        let sweep_every = (config.idle_timeout / 4).max(Duration::from_millis(1));
        if inner.last_sweep.is_none_or(|t| now.saturating_duration_since(t) >= sweep_every) {
            inner.last_sweep = Some(now);
            inner.evict_idle(now, config.idle_timeout);
        }
        let existing = inner.sessions.get_mut(site).and_then(|s| s.get_mut(session)).map(|entry| {
            entry.last_used = now;
            Arc::clone(&entry.slot)
        });
        let slot = match existing {
            Some(slot) => slot,
            None => {
                while inner.count >= config.max_sessions.max(1) && inner.evict_lru() {}
                let slot = Arc::new(Slot {
                    state: Mutex::new(SessionState::with_max_nodes(config.max_nodes_per_session)),
                });
                let entry = Entry { slot: Arc::clone(&slot), last_used: now, nodes: 0 };
                inner.sessions.entry(site.into()).or_default().insert(session.into(), entry);
                inner.count += 1;
                slot
            }
        };
        while inner.total_nodes > config.max_total_nodes && inner.evict_lru() {}
        SessionHandle { slot, shared: Arc::clone(&self.shared), site: site.into(), session: session.into() }
    }

    /// Drops a session's state (e.g. when its consent is withdrawn).
    pub fn remove(&self, site: &str, session: &str) {
        let mut inner = lock(&self.shared.inner);
        inner.remove(site, session);
    }

    /// Sessions held.
    pub fn len(&self) -> usize {
        lock(&self.shared.inner).count
    }

    /// Whether no session is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Tracked nodes over all sessions, as of the last released guard.
    pub fn total_nodes(&self) -> usize {
        lock(&self.shared.inner).total_nodes
    }
}

impl Inner {
    fn remove(&mut self, site: &str, session: &str) -> bool {
        let Some(sessions) = self.sessions.get_mut(site) else { return false };
        let Some(entry) = sessions.remove(session) else { return false };
        if sessions.is_empty() {
            self.sessions.remove(site);
        }
        self.count -= 1;
        self.total_nodes -= entry.nodes;
        true
    }

    fn evict_idle(&mut self, now: Instant, idle: Duration) {
        let mut freed_nodes = 0;
        let mut freed = 0;
        for sessions in self.sessions.values_mut() {
            sessions.retain(|_, e| {
                let keep = now.saturating_duration_since(e.last_used) <= idle;
                if !keep {
                    freed_nodes += e.nodes;
                    freed += 1;
                }
                keep
            });
        }
        self.sessions.retain(|_, s| !s.is_empty());
        self.count -= freed;
        self.total_nodes -= freed_nodes;
    }

    /// Drops the least recently used session; false when there is none.
    fn evict_lru(&mut self) -> bool {
        let oldest = self
            .sessions
            .iter()
            .flat_map(|(site, s)| s.iter().map(move |(id, e)| (e.last_used, site, id)))
            .min_by_key(|(t, _, _)| *t)
            .map(|(_, site, id)| (site.clone(), id.clone()));
        match oldest {
            Some((site, id)) => self.remove(&site, &id),
            None => false,
        }
    }
}

impl SessionHandle {
    /// Locks the session's state for masking one batch. A state left
    /// behind by a panic is replaced by a fresh, unprimed one (fail
    /// closed).
    pub fn lock(&self) -> SessionGuard<'_> {
        let guard = self.slot.state.lock().unwrap_or_else(|poisoned: PoisonError<_>| {
            let mut guard = poisoned.into_inner();
            *guard = SessionState::with_max_nodes(self.shared.config.max_nodes_per_session);
            self.slot.state.clear_poison();
            guard
        });
        SessionGuard { guard: Some(guard), handle: self }
    }
}

impl Deref for SessionGuard<'_> {
    type Target = SessionState;
    fn deref(&self) -> &SessionState {
        // The guard is only taken out in `drop`.
        self.guard.as_deref().unwrap_or_else(|| unreachable!())
    }
}

impl DerefMut for SessionGuard<'_> {
    fn deref_mut(&mut self) -> &mut SessionState {
        self.guard.as_deref_mut().unwrap_or_else(|| unreachable!())
    }
}

impl Drop for SessionGuard<'_> {
    fn drop(&mut self) {
        let nodes = self.guard.as_ref().map_or(0, |g| g.tracked_nodes());
        // Release the session before taking the cache lock.
        drop(self.guard.take());
        let h = self.handle;
        let mut inner = lock(&h.shared.inner);
        let Inner { sessions, total_nodes, .. } = &mut *inner;
        if let Some(entry) = sessions.get_mut(&h.site).and_then(|s| s.get_mut(&h.session))
            && Arc::ptr_eq(&entry.slot, &h.slot)
        {
            *total_nodes = *total_nodes - entry.nodes + nodes;
            entry.nodes = nodes;
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // The cache's bookkeeping stays consistent across a panic elsewhere.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
#[path = "session_tests.rs"]
mod tests;
