//! Throttling of failed console logins and wrong bearer keys per client
//! address (issue 17): an API key is a password, and without a limit an
//! attacker could try keys as fast as the server answers. After
//! [`MAX_FAILURES`] failures within [`WINDOW`] from one address, every
//! further attempt from it — right or wrong — is answered 429 until the
//! window of its first failure ends: an attacker must not learn that a
//! guess was right while throttled.
//!
//! Memory and cost stay flat whatever the number of addresses: at most
//! [`MAX_ADDRESSES`] are tracked, kept in the order their window opened, so
//! expiring and evicting take the oldest first without a sweep. The
//! address is used in memory only, never stored or logged.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use prometheus::IntCounterVec;

/// Failures allowed per address within [`WINDOW`].
pub const MAX_FAILURES: u32 = 10;
/// The window failures are counted in.
pub const WINDOW: Duration = Duration::from_secs(60);
/// Addresses tracked at most; the oldest window is forgotten first.
pub const MAX_ADDRESSES: usize = 50_000;

/// What a failure or a throttled attempt was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// `POST /console/login` with a key nobody holds.
    Login,
    /// `Authorization: Bearer` with a key nobody holds.
    Bearer,
}

impl Attempt {
    fn label(self) -> &'static str {
        match self {
            Attempt::Login => "login",
            Attempt::Bearer => "bearer",
        }
    }
}

#[derive(Debug, Default)]
struct Windows {
    /// Address → (window start, failures in it).
    counts: HashMap<IpAddr, (Instant, u32)>,
    /// Windows in the order they opened (an entry whose start no longer
    /// matches `counts` is stale and skipped).
    order: VecDeque<(Instant, IpAddr)>,
}

/// The throttle shared by every worker.
#[derive(Debug)]
pub struct AuthThrottle {
    windows: Mutex<Windows>,
    failures: IntCounterVec,
    throttled: IntCounterVec,
}

impl AuthThrottle {
    /// A throttle counting into `failures` (`veil_console_auth_failures_total`)
    /// and `throttled` (`veil_console_auth_throttled_total`), both by `kind`.
    pub fn new(failures: IntCounterVec, throttled: IntCounterVec) -> AuthThrottle {
        AuthThrottle { windows: Mutex::default(), failures, throttled }
    }

    /// `Err(wait)` when `client` is throttled; counts the refusal.
    pub fn check(&self, client: Option<IpAddr>, attempt: Attempt, now: Instant) -> Result<(), Duration> {
        let Some(client) = client else { return Ok(()) };
        let windows = self.windows.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        match windows.counts.get(&client) {
            Some(&(start, count)) if count >= MAX_FAILURES && now < start + WINDOW => {
                self.throttled.with_label_values(&[attempt.label()]).inc();
                Err(start + WINDOW - now)
            }
            _ => Ok(()),
        }
    }

    /// Records a failed attempt from `client`.
    pub fn fail(&self, client: Option<IpAddr>, attempt: Attempt, now: Instant) {
        self.failures.with_label_values(&[attempt.label()]).inc();
        let Some(client) = client else { return };
        let mut windows = self.windows.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let Windows { counts, order } = &mut *windows;
        // Expire closed windows, oldest first; amortised O(1) per call.
        while let Some(&(start, address)) = order.front() {
            let full = counts.len() >= MAX_ADDRESSES;
            if now < start + WINDOW && !full {
                break;
            }
            order.pop_front();
            if counts.get(&address).is_some_and(|(current, _)| *current == start) {
                counts.remove(&address);
            }
        }
        match counts.get_mut(&client) {
            Some((start, count)) if now < *start + WINDOW => *count += 1,
            _ => {
                counts.insert(client, (now, 1));
                order.push_back((now, client));
            }
        }
    }

    /// Addresses tracked now.
    #[cfg(test)]
    fn tracked(&self) -> usize {
        self.windows.lock().map(|w| w.counts.len()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;

    use prometheus::Opts;

    use super::*;

    fn throttle() -> AuthThrottle {
        let counter = |name: &str| IntCounterVec::new(Opts::new(name, "test"), &["kind"]).expect("metric");
        AuthThrottle::new(counter("failures"), counter("throttled"))
    }

    fn ip(n: u32) -> Option<IpAddr> {
        Some(IpAddr::V4(Ipv4Addr::from(n)))
    }

    #[test]
    fn the_eleventh_attempt_within_a_minute_is_refused_until_the_window_ends() {
        let throttle = throttle();
        let start = Instant::now();
        for i in 0..MAX_FAILURES {
            let at = start + Duration::from_secs(u64::from(i));
            assert_eq!(throttle.check(ip(1), Attempt::Login, at), Ok(()), "attempt {}", i + 1);
            throttle.fail(ip(1), Attempt::Login, at);
        }
        let at = start + Duration::from_secs(20);
        assert_eq!(throttle.check(ip(1), Attempt::Login, at), Err(Duration::from_secs(40)));
        assert_eq!(throttle.check(ip(2), Attempt::Login, at), Ok(()), "another address is not throttled");
        assert_eq!(throttle.check(ip(1), Attempt::Bearer, start + WINDOW), Ok(()), "the window ended");
        assert_eq!(throttle.failures.with_label_values(&["login"]).get(), 10);
        assert_eq!(throttle.throttled.with_label_values(&["login"]).get(), 1);
    }

    #[test]
    fn memory_stays_bounded_with_many_addresses() {
        let throttle = throttle();
        let now = Instant::now();
        for n in 0..(MAX_ADDRESSES as u32 + 10_000) {
            throttle.fail(ip(n), Attempt::Bearer, now);
        }
        assert!(throttle.tracked() <= MAX_ADDRESSES, "{} tracked", throttle.tracked());
        // Windows that closed are forgotten as new failures arrive.
        throttle.fail(ip(u32::MAX), Attempt::Bearer, now + WINDOW);
        assert_eq!(throttle.tracked(), 1);
    }
}
