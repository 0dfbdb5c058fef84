//! Frustration signals per page (docs/insights.md): rage clicks, dead
//! clicks, quick backs and excessive scrolling, each counted for the page
//! view that showed it so the insights can rank pages and link to the
//! sessions.
//!
//! - **Rage** and **dead clicks**: as the heatmap flags them.
//! - **Quick back**: the visitor came to a page and went back to the one
//!   before within [`QUICK_BACK_MS`] (A → B → A): counted for B, the page
//!   that did not give them what they came for. Page loads and SPA routes
//!   count alike, across batches (the session's [`Trail`]).
//! - **Excessive scrolling**: one page view scrolled, up and down together,
//!   at least [`EXCESSIVE_SCROLL_PAGES`] times the document's height:
//!   searching rather than reading. Counted once per page view.

/// A quick back: back on the page before within this many ms.
pub const QUICK_BACK_MS: i64 = 7_000;
/// Excessive scrolling: scrolled this many document heights in one view.
pub const EXCESSIVE_SCROLL_PAGES: f64 = 3.0;

/// What a signal is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Signal {
    /// Rage clicks.
    RageClicks,
    /// Dead clicks.
    DeadClicks,
    /// Back to the page before within [`QUICK_BACK_MS`].
    QuickBack,
    /// [`EXCESSIVE_SCROLL_PAGES`] document heights scrolled in one view.
    ExcessiveScrolling,
}

impl Signal {
    /// All signals, in declaration order.
    pub const ALL: [Signal; 4] =
        [Signal::RageClicks, Signal::DeadClicks, Signal::QuickBack, Signal::ExcessiveScrolling];

    /// The name the API and the store use.
    pub fn as_str(self) -> &'static str {
        match self {
            Signal::RageClicks => "rage_clicks",
            Signal::DeadClicks => "dead_clicks",
            Signal::QuickBack => "quick_back",
            Signal::ExcessiveScrolling => "excessive_scrolling",
        }
    }
}

/// One signal of one batch, for one page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageSignal {
    /// The page that showed it.
    pub page_key: String,
    /// What.
    pub signal: Signal,
    /// How many times in this batch (clicks for rage and dead, else 1).
    pub count: u32,
    /// When, ms since the epoch (the day of the row).
    pub at_ms: i64,
}

/// The pages a session was on and how far its current view scrolled,
/// between its batches.
#[derive(Debug, Clone, Default)]
pub(crate) struct Trail {
    /// The page before the current one, and when the session left it.
    before: Option<(String, i64)>,
    /// The current page and when the session came to it.
    current: Option<(String, i64)>,
    /// Document px scrolled in the current view.
    scrolled: f64,
    /// The current view was counted as excessive scrolling.
    excessive: bool,
}

impl Trail {
    /// The session is on `page_key` from `at`; returns the page a quick
    /// back left, if this is one.
    pub(crate) fn arrive(&mut self, page_key: &str, at: i64) -> Option<String> {
        if self.current.as_ref().is_some_and(|(key, _)| key == page_key) {
            return None;
        }
        let quick_back = match (&self.before, &self.current) {
            (Some((before, _)), Some((current, since)))
                if before == page_key && at.saturating_sub(*since) <= QUICK_BACK_MS =>
            {
                Some(current.clone())
            }
            _ => None,
        };
        self.before = self.current.take();
        self.current = Some((page_key.to_owned(), at));
        self.scrolled = 0.0;
        self.excessive = false;
        quick_back
    }

    /// The view scrolled from `from` to `to` on a document `height` px
    /// high; true the first time the view's scrolling is excessive.
    pub(crate) fn scrolled(&mut self, from: f64, to: f64, height: Option<f64>) -> bool {
        self.scrolled += (to - from).abs();
        let Some(height) = height.filter(|h| h.is_finite() && *h > 0.0) else { return false };
        if !self.excessive && self.scrolled >= EXCESSIVE_SCROLL_PAGES * height {
            self.excessive = true;
            return true;
        }
        false
    }

    /// Memory held, roughly.
    pub(crate) fn approx_bytes(&self) -> usize {
        self.before.as_ref().map_or(0, |(k, _)| k.len()) + self.current.as_ref().map_or(0, |(k, _)| k.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quick_back_is_counted_for_the_page_left() {
        let mut trail = Trail::default();
        assert_eq!(trail.arrive("/list", 0), None);
        assert_eq!(trail.arrive("/item", 10_000), None);
        assert_eq!(trail.arrive("/item", 11_000), None, "the same page again is no move");
        assert_eq!(trail.arrive("/list", 10_000 + QUICK_BACK_MS), Some("/item".to_owned()));
        // Too slow, or somewhere else: no quick back.
        assert_eq!(trail.arrive("/item", 30_000), None);
        assert_eq!(trail.arrive("/list", 30_000 + QUICK_BACK_MS + 1), None);
        assert_eq!(trail.arrive("/cart", 40_000), None);
        assert_eq!(trail.arrive("/help", 41_000), None, "not the page before");
    }

    #[test]
    fn excessive_scrolling_is_counted_once_per_view() {
        let mut trail = Trail::default();
        trail.arrive("/faq", 0);
        let mut flagged = 0;
        let mut y = 0.0;
        for step in 0..40 {
            let to = if step % 2 == 0 { 1000.0 } else { 0.0 };
            flagged += u32::from(trail.scrolled(y, to, Some(4000.0)));
            y = to;
        }
        assert_eq!(flagged, 1, "40 000 px on a 4 000 px page is excessive, once");
        assert!(!trail.scrolled(0.0, 5000.0, None), "without a height nothing is excessive");
        trail.arrive("/other", 1);
        assert!(!trail.scrolled(0.0, 11_000.0, Some(4000.0)), "below three heights");
        assert!(trail.scrolled(11_000.0, 10_000.0, Some(4000.0)), "a new view counts again");
    }
}
