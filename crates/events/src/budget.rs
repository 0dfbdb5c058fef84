//! Memory accounting for decoding untrusted bodies.
//!
//! A size limit on the decompressed body does not bound what decoding it
//! holds: every MessagePack value, one byte on the wire, is a 32-byte
//! [`Value`](crate::Value) in the tree (a map entry 56), so 16 MiB of
//! one-byte integers in one array decode into half a gigabyte. The decoders
//! therefore charge what they allocate — container capacity as it grows,
//! owned strings — to a [`Budget`] and stop the moment it is spent.
//!
//! A budget has two ceilings: its own `limit` (one request may hold no
//! more; exceeding it is the client's fault, HTTP 413) and, optionally, a
//! [`MemoryPool`] shared by every request of the process (a semaphore of
//! bytes, not of requests: a hundred small batches fit where four large
//! ones do not; running dry is the server's state, HTTP 503). Bytes are
//! taken from the pool in steps of [`POOL_STEP`], so the shared counter is
//! touched about once per MiB, and all of them go back when the budget is
//! dropped — budgets live exactly as long as what they paid for.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Bytes taken from a [`MemoryPool`] at a time (or the charge, if larger).
pub const POOL_STEP: usize = 1 << 20;

/// What one heap allocation costs beyond its payload (glibc's chunk header
/// and rounding), charged once per allocation so that a tree of many tiny
/// containers is not undercounted.
pub const ALLOCATION_OVERHEAD: usize = 16;

/// Why a charge was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BudgetError {
    /// The request would hold more than its own limit.
    #[error("the batch needs more than {limit} bytes of memory to decode")]
    OverLimit {
        /// The per-request limit.
        limit: usize,
    },
    /// The process-wide pool is spent by requests in flight.
    #[error("the server's decode memory ({capacity} bytes) is in use by other requests")]
    PoolExhausted {
        /// The pool's capacity.
        capacity: usize,
    },
}

/// Memory shared by every request of a process.
#[derive(Debug)]
pub struct MemoryPool {
    capacity: usize,
    in_use: AtomicUsize,
    peak: AtomicUsize,
}

impl MemoryPool {
    /// A pool of `capacity` bytes.
    pub fn new(capacity: usize) -> Arc<MemoryPool> {
        Arc::new(MemoryPool { capacity, in_use: AtomicUsize::new(0), peak: AtomicUsize::new(0) })
    }

    /// Its capacity in bytes.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Bytes currently held by budgets.
    pub fn in_use(&self) -> usize {
        self.in_use.load(Ordering::Relaxed)
    }

    /// The most bytes held at once since the pool was made.
    pub fn peak(&self) -> usize {
        self.peak.load(Ordering::Relaxed)
    }

    /// Takes `bytes` if they are free.
    fn try_take(&self, bytes: usize) -> bool {
        let taken = self.in_use.fetch_update(Ordering::AcqRel, Ordering::Acquire, |in_use| {
            in_use.checked_add(bytes).filter(|&total| total <= self.capacity)
        });
        match taken {
            Ok(before) => {
                self.peak.fetch_max(before + bytes, Ordering::Relaxed);
                true
            }
            Err(_) => false,
        }
    }

    fn give_back(&self, bytes: usize) {
        self.in_use.fetch_sub(bytes, Ordering::AcqRel);
    }
}

/// What one request may still allocate.
#[derive(Debug)]
pub struct Budget {
    limit: usize,
    used: usize,
    /// Bytes taken from the pool; at least `used`.
    held: usize,
    pool: Option<Arc<MemoryPool>>,
}

impl Budget {
    /// A budget of `limit` bytes, drawn from `pool` when there is one.
    pub fn new(limit: usize, pool: Option<Arc<MemoryPool>>) -> Budget {
        Budget { limit, used: 0, held: 0, pool }
    }

    /// No limit and no pool: for trusted input (our own stored rows in
    /// tests and tools) and the convenience decoders.
    pub fn unlimited() -> Budget {
        Budget::new(usize::MAX, None)
    }

    /// Accounts for `bytes` more, or refuses them.
    pub fn charge(&mut self, bytes: usize) -> Result<(), BudgetError> {
        let used = self.used.saturating_add(bytes);
        if used > self.limit {
            return Err(BudgetError::OverLimit { limit: self.limit });
        }
        if used > self.held
            && let Some(pool) = &self.pool
        {
            let want = (used - self.held).max(POOL_STEP).min(self.limit.saturating_sub(self.held));
            let need = used - self.held;
            let taken = if pool.try_take(want) {
                want
            } else if want > need && pool.try_take(need) {
                need
            } else {
                return Err(BudgetError::PoolExhausted { capacity: pool.capacity() });
            };
            self.held += taken;
        }
        self.used = used;
        Ok(())
    }

    /// Accounts for `vec` having grown from `before` elements of room:
    /// what a push or reserve just allocated. A reallocation is charged its
    /// whole new block, not only the difference: the allocator may copy,
    /// with old and new blocks live at once, and keep the old block's
    /// pages for a while (glibc does, in each thread's arena). Measured on
    /// the real server, charging only the difference let resident memory
    /// run 30 MiB past the pool under eight concurrent requests. A vector
    /// grown by doubling is so charged about twice its final size; trees
    /// of small containers, sized from their declared length, about once.
    pub fn charge_growth<T>(&mut self, before: usize, vec: &Vec<T>) -> Result<(), BudgetError> {
        let after = vec.capacity();
        if after <= before {
            return Ok(());
        }
        self.charge(after.saturating_mul(std::mem::size_of::<T>()).saturating_add(ALLOCATION_OVERHEAD))
    }

    /// Bytes charged so far.
    pub fn used(&self) -> usize {
        self.used
    }

    /// The per-request limit.
    pub fn limit(&self) -> usize {
        self.limit
    }
}

impl Drop for Budget {
    fn drop(&mut self) {
        if let Some(pool) = &self.pool {
            pool.give_back(self.held);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_limit_is_exact() {
        let mut budget = Budget::new(100, None);
        assert_eq!(budget.charge(60), Ok(()));
        assert_eq!(budget.charge(40), Ok(()));
        assert_eq!(budget.charge(1), Err(BudgetError::OverLimit { limit: 100 }));
        assert_eq!(budget.used(), 100);
    }

    #[test]
    fn the_pool_is_shared_and_refilled_on_drop() {
        let pool = MemoryPool::new(3 * POOL_STEP);
        let mut first = Budget::new(usize::MAX, Some(pool.clone()));
        let mut second = Budget::new(usize::MAX, Some(pool.clone()));
        assert_eq!(first.charge(10), Ok(()));
        assert_eq!(pool.in_use(), POOL_STEP, "taken in steps");
        assert_eq!(second.charge(POOL_STEP + 1), Ok(()));
        assert_eq!(pool.in_use(), 2 * POOL_STEP + 1);
        // What is left is less than a step but enough for this charge.
        assert_eq!(first.charge(POOL_STEP), Ok(()));
        assert_eq!(second.charge(POOL_STEP), Err(BudgetError::PoolExhausted { capacity: 3 * POOL_STEP }));
        drop(first);
        assert_eq!(pool.in_use(), POOL_STEP + 1);
        drop(second);
        assert_eq!(pool.in_use(), 0);
        assert_eq!(pool.peak(), 2 * POOL_STEP + 11);
    }

    #[test]
    fn a_budget_never_takes_more_than_its_limit_from_the_pool() {
        let pool = MemoryPool::new(10 * POOL_STEP);
        let mut budget = Budget::new(1000, Some(pool.clone()));
        assert_eq!(budget.charge(10), Ok(()));
        assert_eq!(pool.in_use(), 1000);
    }

    #[test]
    fn growth_is_charged_by_capacity() {
        let mut budget = Budget::unlimited();
        let mut items: Vec<u64> = Vec::new();
        for n in 0..1000u64 {
            let before = items.capacity();
            items.push(n);
            assert_eq!(budget.charge_growth(before, &items), Ok(()));
        }
        let allocations = (items.capacity() as f64).log2().ceil() as usize;
        let last_block = items.capacity() * 8;
        // Every block of the doubling chain: the last, and as much again.
        assert!(budget.used() >= last_block, "{} < {last_block}", budget.used());
        assert!(budget.used() <= 2 * last_block + (allocations + 1) * ALLOCATION_OVERHEAD);
    }
}
