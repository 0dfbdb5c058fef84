use super::*;
use crate::tree::{FormKind, NodeInfo};

fn config() -> CacheConfig {
    CacheConfig {
        idle_timeout: Duration::from_secs(60),
        max_sessions: 3,
        max_total_nodes: 10,
        max_nodes_per_session: 8,
    }
}

fn track(handle: &SessionHandle, nodes: u64) {
    let mut state = handle.lock();
    state.table.reset_primed();
    for id in 0..nodes {
        state.table.record(Some(id), NodeInfo { flags: 0, kind: FormKind::Text }, Default::default());
    }
}

#[test]
fn same_key_same_state() {
    let cache = SessionCache::new(config());
    let t = Instant::now();
    track(&cache.get_or_create("shop", "s1", t), 2);
    assert!(cache.get_or_create("shop", "s1", t).lock().is_primed());
    assert!(!cache.get_or_create("shop", "s2", t).lock().is_primed());
    assert!(!cache.get_or_create("blog", "s1", t).lock().is_primed());
    assert_eq!(cache.len(), 3);
    assert_eq!(cache.total_nodes(), 2);
}

#[test]
fn idle_sessions_are_dropped() {
    let cache = SessionCache::new(config());
    let t = Instant::now();
    track(&cache.get_or_create("shop", "old", t), 2);
    let later = t + Duration::from_secs(61);
    track(&cache.get_or_create("shop", "new", later), 1);
    assert_eq!(cache.len(), 1);
    assert_eq!(cache.total_nodes(), 1);
    assert!(
        !cache.get_or_create("shop", "old", later).lock().is_primed(),
        "evicted state comes back unprimed"
    );
}

#[test]
fn size_bounds_drop_least_recently_used() {
    let cache = SessionCache::new(config());
    let t = Instant::now();
    for (i, name) in ["a", "b", "c", "d"].iter().enumerate() {
        cache.get_or_create("shop", name, t + Duration::from_millis(i as u64));
    }
    assert_eq!(cache.len(), 3, "max_sessions");
    assert!(!cache.get_or_create("shop", "a", t + Duration::from_millis(9)).lock().is_primed());

    let cache = SessionCache::new(config());
    track(&cache.get_or_create("shop", "x", t), 6);
    track(&cache.get_or_create("shop", "y", t + Duration::from_millis(1)), 6);
    assert_eq!(cache.total_nodes(), 12);
    // The next lookup enforces max_total_nodes by dropping `x`.
    let z = cache.get_or_create("shop", "z", t + Duration::from_millis(2));
    drop(z);
    assert_eq!(cache.total_nodes(), 6);
    assert!(cache.get_or_create("shop", "y", t + Duration::from_millis(3)).lock().is_primed());
}

#[test]
fn per_session_overflow_fails_closed() {
    let cache = SessionCache::new(config());
    let handle = cache.get_or_create("shop", "big", Instant::now());
    track(&handle, 9);
    let state = handle.lock();
    assert!(!state.is_primed());
    assert_eq!(state.overflows(), 1);
    assert_eq!(state.tracked_nodes(), 0);
}

#[test]
fn a_panic_while_masking_resets_the_state() {
    let cache = SessionCache::new(config());
    let handle = cache.get_or_create("shop", "p", Instant::now());
    track(&handle, 2);
    let result = std::thread::scope(|s| {
        s.spawn(|| {
            let _guard = handle.lock();
            panic!("masking bug");
        })
        .join()
    });
    assert!(result.is_err());
    assert!(!handle.lock().is_primed());
}

#[test]
fn removed_sessions_are_forgotten() {
    let cache = SessionCache::new(config());
    track(&cache.get_or_create("shop", "w", Instant::now()), 3);
    cache.remove("shop", "w");
    assert!(cache.is_empty());
    assert_eq!(cache.total_nodes(), 0);
}

#[test]
fn cache_is_shared_across_threads() {
    let cache = SessionCache::new(CacheConfig::default());
    std::thread::scope(|s| {
        for t in 0..4 {
            let cache = cache.clone();
            s.spawn(move || {
                for i in 0..50 {
                    let h = cache.get_or_create("shop", &format!("s{}", i % 10), Instant::now());
                    let mut state = h.lock();
                    state.table.reset_primed();
                    state.table.record(
                        Some(t),
                        NodeInfo { flags: 0, kind: FormKind::Text },
                        Default::default(),
                    );
                }
            });
        }
    });
    assert_eq!(cache.len(), 10);
}
