//! Per-client rate limiting (SPEC §4: 429 with `Retry-After`). The client
//! address is used in memory only, never stored or logged; buckets of idle
//! clients are forgotten.
//!
//! The cost of a check does not grow with the number of clients: buckets
//! live in [`SHARDS`] maps behind their own locks, and each shard keeps its
//! clients in a queue in the order they were last seen idle-checked; every
//! check looks at no more than [`EXAMINED_PER_CHECK`] entries at the queue's
//! front, forgetting those that are idle (their bucket would be full
//! again) and moving the others to the back. A shard at [`MAX_BUCKETS`] /
//! [`SHARDS`] forgets its oldest entry even if it is not idle, so memory is
//! bounded under a flood of addresses (such a client gets a full bucket).

use std::collections::hash_map::RandomState;
use std::collections::{HashMap, VecDeque};
use std::hash::BuildHasher;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Independent maps, so concurrent checks rarely wait for each other.
pub const SHARDS: usize = 16;
/// Buckets kept at most, over all shards.
pub const MAX_BUCKETS: usize = 200_000;
/// Queue entries one check examines for eviction.
pub const EXAMINED_PER_CHECK: usize = 2;

/// A token bucket per client address.
#[derive(Debug)]
pub struct RateLimiter {
    per_second: f64,
    burst: f64,
    /// How long an untouched bucket takes to be full again: after that it
    /// holds nothing worth remembering.
    idle_after: Duration,
    hasher: RandomState,
    shards: Vec<Mutex<Shard>>,
}

#[derive(Debug, Default)]
struct Shard {
    buckets: HashMap<IpAddr, Bucket>,
    /// Every client of `buckets` once, oldest first.
    queue: VecDeque<IpAddr>,
    /// Entries examined for eviction since creation (tests check the
    /// per-check bound with it).
    examined: u64,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

impl RateLimiter {
    /// `per_second` requests sustained, `burst` at once; `per_second == 0`
    /// disables limiting.
    pub fn new(per_second: u32, burst: u32) -> RateLimiter {
        let per_second = f64::from(per_second);
        let burst = f64::from(burst.max(1));
        let idle_after =
            if per_second > 0.0 { Duration::from_secs_f64(burst / per_second) } else { Duration::ZERO };
        RateLimiter {
            per_second,
            burst,
            idle_after,
            hasher: RandomState::new(),
            shards: (0..SHARDS).map(|_| Mutex::new(Shard::default())).collect(),
        }
    }

    /// Takes one token for `client`, or says how long to wait for one.
    pub fn check(&self, client: IpAddr, now: Instant) -> Result<(), Duration> {
        if self.per_second <= 0.0 {
            return Ok(());
        }
        let index = (self.hasher.hash_one(client) as usize) % SHARDS;
        let Some(shard) = self.shards.get(index) else { return Ok(()) };
        let mut shard = shard.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        self.evict(&mut shard, now);
        let Shard { buckets, queue, .. } = &mut *shard;
        let bucket = buckets.entry(client).or_insert_with(|| {
            queue.push_back(client);
            Bucket { tokens: self.burst, updated: now }
        });
        let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * self.per_second).min(self.burst);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) / self.per_second))
        }
    }

    /// Looks at a bounded number of the oldest entries: forgets the idle
    /// ones (and, at the cap, the oldest), re-queues the others.
    fn evict(&self, shard: &mut Shard, now: Instant) {
        let cap = MAX_BUCKETS / SHARDS;
        for _ in 0..EXAMINED_PER_CHECK {
            let Some(client) = shard.queue.pop_front() else { break };
            shard.examined += 1;
            let idle = shard
                .buckets
                .get(&client)
                .is_none_or(|bucket| now.saturating_duration_since(bucket.updated) >= self.idle_after);
            if idle || shard.buckets.len() >= cap {
                shard.buckets.remove(&client);
            } else {
                shard.queue.push_back(client);
            }
        }
    }

    /// Buckets held and queue entries examined so far, over all shards.
    pub fn stats(&self) -> (usize, u64) {
        self.shards.iter().fold((0, 0), |(buckets, examined), shard| {
            let shard = shard.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            (buckets + shard.buckets.len(), examined + shard.examined)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_then_refill() {
        let limiter = RateLimiter::new(2, 3);
        let client: IpAddr = [10, 0, 0, 1].into();
        let other: IpAddr = [10, 0, 0, 2].into();
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(limiter.check(client, t0).is_ok());
        }
        let wait = limiter.check(client, t0).expect_err("burst used up");
        assert!(wait > Duration::ZERO && wait <= Duration::from_millis(500), "{wait:?}");
        assert!(limiter.check(other, t0).is_ok(), "clients are limited separately");
        assert!(limiter.check(client, t0 + Duration::from_millis(500)).is_ok(), "refilled");
        assert!(limiter.check(client, t0 + Duration::from_millis(500)).is_err());
    }

    #[test]
    fn zero_disables() {
        let limiter = RateLimiter::new(0, 0);
        let client: IpAddr = [10, 0, 0, 1].into();
        for _ in 0..10_000 {
            assert!(limiter.check(client, Instant::now()).is_ok());
        }
    }

    #[test]
    fn work_per_check_and_memory_stay_flat_with_many_clients() {
        let limiter = RateLimiter::new(50, 200);
        let now = Instant::now();
        let clients = 300_000u32;
        for n in 0..clients {
            assert!(limiter.check(IpAddr::from(n.to_be_bytes()), now).is_ok());
        }
        let (buckets, examined) = limiter.stats();
        assert!(buckets <= MAX_BUCKETS, "{buckets} buckets");
        assert!(examined <= u64::from(clients) * EXAMINED_PER_CHECK as u64, "{examined} examined");
        // A limited client stays limited while the flood goes on.
        let hot: IpAddr = [192, 0, 2, 1].into();
        let later = now + Duration::from_millis(1);
        let refused = (0..300).filter(|_| limiter.check(hot, later).is_err()).count();
        assert!(refused >= 99, "{refused} refused");
    }

    #[test]
    fn idle_clients_are_forgotten_as_others_arrive() {
        let limiter = RateLimiter::new(10, 10); // full again after 1 s
        let now = Instant::now();
        for n in 0..1_000u32 {
            let _ = limiter.check(IpAddr::from(n.to_be_bytes()), now);
        }
        let later = now + Duration::from_secs(2);
        for n in 0..1_000u32 {
            let _ = limiter.check(IpAddr::from((n + 10_000).to_be_bytes()), later);
        }
        assert!(limiter.stats().0 < 1_500, "{} buckets", limiter.stats().0);
    }
}
