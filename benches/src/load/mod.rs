//! Load against a real `veil serve`: a corpus of realistic visits
//! ([`corpus`]), recorder-like clients that post it and remember what was
//! answered 202 ([`driver`]), the server's cost as `/proc` sees it
//! ([`probe`]), the exactly-once check afterwards ([`ledger`]) and the
//! pipeline's CPU step as the ceiling ([`cpu_step`]). The `load` binary
//! and the chaos tests of `crates/server/tests/chaos.rs` are built from
//! these.

pub mod corpus;
pub mod cpu_step;
pub mod driver;
pub mod ledger;
pub mod probe;

pub use corpus::{Body, CorpusOptions, Visit};
pub use driver::{Load, LoadOptions, Outcome, VisitSource, prepared};
pub use ledger::Ledger;
pub use probe::{Probe, Sample};

/// Value at quantile `q` (0..=1) of `samples` (sorted here).
pub fn quantile(samples: &mut [f64], q: f64) -> f64 {
    samples.sort_by(f64::total_cmp);
    if samples.is_empty() {
        return f64::NAN;
    }
    let index = ((samples.len() as f64 - 1.0) * q).round() as usize;
    samples[index.min(samples.len() - 1)]
}
