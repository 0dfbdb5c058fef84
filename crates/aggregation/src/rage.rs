//! Rage clicks: a visitor hammering one spot because the page does not
//! respond.
//!
//! The definition, applied to the clicks of one page view in document
//! coordinates: a **burst** is a click (its anchor) together with at least
//! two other clicks that lie within 30 px of the anchor (Euclidean
//! distance, inclusive) and such that all of them fall within one window of
//! 1 s (latest minus earliest timestamp ≤ 1000 ms). Every click of a burst
//! is a rage click. Clicks the recorder flagged `rage: true` count as rage
//! clicks as well; that is the caller's part.
//!
//! Human bursts are a handful of clicks; a pathological batch of thousands
//! of clicks within one second (a bot) is only examined
//! [`MAX_NEIGHBOURS`] clicks either side of each anchor in time order, so
//! the work stays linear in the number of clicks.

/// Clicks a burst needs, its anchor included.
pub const RAGE_MIN_CLICKS: usize = 3;
/// Longest time a burst may span, in ms.
pub const RAGE_WINDOW_MS: i64 = 1000;
/// Farthest a burst's click may be from its anchor, in CSS px.
pub const RAGE_RADIUS_PX: f64 = 30.0;
/// Clicks examined either side of an anchor in time order.
pub const MAX_NEIGHBOURS: usize = 256;

/// A click as rage detection sees it: timestamp (ms) and document position.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Point {
    pub(crate) t: i64,
    pub(crate) x: f64,
    pub(crate) y: f64,
}

#[cfg(test)]
thread_local! {
    /// Distance checks made on this thread: the flood test's measure of
    /// work (a count, not a timing, so a busy machine cannot fail it).
    static NEAR_CHECKS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

impl Point {
    fn near(&self, other: &Point) -> bool {
        #[cfg(test)]
        NEAR_CHECKS.with(|n| n.set(n.get() + 1));
        let (dx, dy) = (self.x - other.x, self.y - other.y);
        dx * dx + dy * dy <= RAGE_RADIUS_PX * RAGE_RADIUS_PX
    }
}

/// For each click, whether it belongs to a burst (see the module
/// documentation). The input order is kept; it need not be sorted.
pub(crate) fn bursts(clicks: &[Point]) -> Vec<bool> {
    let mut rage = vec![false; clicks.len()];
    let mut order: Vec<usize> = (0..clicks.len()).collect();
    order.sort_by_key(|&i| (clicks[i].t, i));

    // Clicks near the anchor within the window, sorted by time.
    let mut near: Vec<usize> = Vec::new();
    for (p, &anchor) in order.iter().enumerate() {
        let a = clicks[anchor];
        near.clear();
        let before = order[..p]
            .iter()
            .rev()
            .take(MAX_NEIGHBOURS)
            .take_while(|&&i| a.t.saturating_sub(clicks[i].t) <= RAGE_WINDOW_MS);
        near.extend(before.filter(|&&i| a.near(&clicks[i])));
        near.reverse();
        let after = order[p + 1..]
            .iter()
            .take(MAX_NEIGHBOURS)
            .take_while(|&&i| clicks[i].t.saturating_sub(a.t) <= RAGE_WINDOW_MS);
        near.extend(after.filter(|&&i| a.near(&clicks[i])));

        // A member's tightest companions are its neighbours in time, so
        // runs of consecutive near clicks find every burst member.
        for run in near.windows(RAGE_MIN_CLICKS - 1) {
            let (first, last) = (clicks[run[0]].t, clicks[run[run.len() - 1]].t);
            if a.t.max(last).saturating_sub(a.t.min(first)) <= RAGE_WINDOW_MS {
                rage[anchor] = true;
                for &i in run {
                    rage[i] = true;
                }
            }
        }
    }
    rage
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn at(t: i64, x: f64, y: f64) -> Point {
        Point { t, x, y }
    }

    #[test]
    fn bursts_table() {
        let cases: Vec<(&str, Vec<Point>, Vec<bool>)> = vec![
            ("none", vec![], vec![]),
            ("two clicks are not a burst", vec![at(0, 0.0, 0.0), at(100, 0.0, 0.0)], vec![false, false]),
            ("three on one spot", vec![at(0, 5.0, 5.0), at(200, 5.0, 5.0), at(400, 5.0, 5.0)], vec![true; 3]),
            ("exactly 1 s", vec![at(0, 0.0, 0.0), at(500, 0.0, 0.0), at(1000, 0.0, 0.0)], vec![true; 3]),
            ("1001 ms", vec![at(0, 0.0, 0.0), at(500, 0.0, 0.0), at(1001, 0.0, 0.0)], vec![false; 3]),
            ("exactly 30 px", vec![at(0, 0.0, 0.0), at(1, 30.0, 0.0), at(2, 0.0, 30.0)], vec![true; 3]),
            ("just over 30 px", vec![at(0, 0.0, 0.0), at(1, 30.1, 0.0), at(2, 0.0, 30.1)], vec![false; 3]),
            (
                "members need not be near each other, only the anchor",
                vec![at(0, 0.0, 0.0), at(1, 25.0, 0.0), at(2, 50.0, 0.0)],
                vec![true; 3],
            ),
            (
                "a distant click in the window is not a member",
                vec![at(0, 0.0, 0.0), at(100, 500.0, 500.0), at(200, 0.0, 0.0), at(300, 0.0, 0.0)],
                vec![true, false, true, true],
            ),
            (
                "a slow sequence is not a burst",
                vec![at(0, 0.0, 0.0), at(600, 0.0, 0.0), at(1200, 0.0, 0.0), at(1800, 0.0, 0.0)],
                vec![false; 4],
            ),
            ("a long burst marks everyone", (0..10).map(|i| at(i * 400, 1.0, 1.0)).collect(), vec![true; 10]),
            (
                "order of input does not matter",
                vec![at(400, 0.0, 0.0), at(0, 0.0, 0.0), at(5000, 0.0, 0.0), at(200, 0.0, 0.0)],
                vec![true, true, false, true],
            ),
            (
                "extreme timestamps do not overflow",
                vec![at(i64::MIN, 0.0, 0.0), at(i64::MAX, 0.0, 0.0), at(0, 0.0, 0.0)],
                vec![false; 3],
            ),
        ];
        for (name, clicks, expected) in cases {
            assert_eq!(bursts(&clicks), expected, "{name}");
        }
    }

    #[test]
    fn a_flood_stays_linear() {
        let n = 20_000;
        let clicks: Vec<Point> = (0..n).map(|i| at(0, f64::from(i % 7), 0.0)).collect();
        NEAR_CHECKS.with(|c| c.set(0));
        let rage = bursts(&clicks);
        assert!(rage.iter().all(|&r| r));
        let checks = NEAR_CHECKS.with(std::cell::Cell::get);
        // Each anchor looks at most MAX_NEIGHBOURS clicks either side (a
        // quadratic scan would make n² / 2 = 2·10⁸ checks).
        let bound = n as u64 * 2 * MAX_NEIGHBOURS as u64;
        assert!(checks <= bound, "{checks} distance checks for {n} clicks, bound {bound}");
        assert!(checks >= n as u64, "every click was examined");
    }

    /// The definition, computed the slow way: every triple.
    fn by_definition(clicks: &[Point]) -> Vec<bool> {
        let n = clicks.len();
        let mut rage = vec![false; n];
        for a in 0..n {
            for j in 0..n {
                for k in 0..n {
                    if a == j || a == k || j == k {
                        continue;
                    }
                    let (ta, tj, tk) = (clicks[a].t, clicks[j].t, clicks[k].t);
                    let span = ta.max(tj).max(tk) - ta.min(tj).min(tk);
                    if span <= RAGE_WINDOW_MS && clicks[a].near(&clicks[j]) && clicks[a].near(&clicks[k]) {
                        rage[a] = true;
                        rage[j] = true;
                        rage[k] = true;
                    }
                }
            }
        }
        rage
    }

    proptest! {
        #[test]
        fn matches_the_definition(
            clicks in proptest::collection::vec((0i64..3000, 0.0..80.0f64, 0.0..80.0f64), 0..14)
        ) {
            let clicks: Vec<Point> = clicks.into_iter().map(|(t, x, y)| at(t, x, y)).collect();
            prop_assert_eq!(bursts(&clicks), by_definition(&clicks));
        }
    }
}
