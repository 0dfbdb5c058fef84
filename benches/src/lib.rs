//! Load generators and end-to-end benchmarks that need a real ClickHouse
//! and a real `veil serve` (criterion benchmarks of pure code live beside
//! that code). Each reports figures against a baseline measured in the
//! same run.

/// Median and 99th percentile of durations in milliseconds.
pub fn percentiles(mut samples_ms: Vec<f64>) -> (f64, f64) {
    samples_ms.sort_by(f64::total_cmp);
    let at = |q: f64| {
        let index = ((samples_ms.len() as f64 - 1.0) * q).round() as usize;
        samples_ms.get(index).copied().unwrap_or(f64::NAN)
    };
    (at(0.5), at(0.99))
}
