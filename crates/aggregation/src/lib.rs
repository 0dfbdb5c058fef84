//! Heatmap aggregation (SPEC §6): turns clicks and scrolls of a masked batch
//! into heatmap cells and scroll-depth buckets, and normalises page URLs to
//! page keys.
//!
//! Pure logic, no I/O: the store decides how cells are persisted.
//!
//! [`aggregate()`] reads one batch and returns, per page view it covers, the
//! [`BatchAggregate`]: clicks pre-summed per [`Cell`] of a [`Grid`], per
//! [`Layer`] (document or fixed/sticky) and per [`ClickFlags`] (rage, dead),
//! clicks per element selector, the deepest [`ScrollDepth`] reached, the
//! [`DeviceClass`] and the page key. Raw coordinates do not leave this
//! crate. The rules, each documented where it is implemented:
//!
//! - page keys: [`mod@page_key`] (hash routes, ids in paths, allow-listed
//!   parameters, grouping rules);
//! - which clicks and how they are placed: [`mod@clicks`] and [`Grid::cell`];
//! - scroll position and depth: [`mod@scroll`];
//! - rage clicks: [`mod@rage`];
//! - page views within a batch: [`mod@aggregate`].
//!
//! [`summarize()`] reads the same batch for the sessions index (SPEC §7):
//! pages visited, device class, active time and click, rage, dead and error
//! counts, with clicks read exactly as for heatmaps ([`mod@session`]).
//!
//! ```
//! use veil_aggregation::{aggregate, DeviceClass, Grid, Layer, PageKeyRules};
//!
//! let body = br#"{"v": 1, "site": "shop", "session": "3f2c1a9e-7b4d-4c2a-9e1f-0a1b2c3d4e5f",
//!   "seq": 0, "page": {"url": "https://Shop.example/products/12345?utm_source=mail"},
//!   "viewport": {"w": 1280, "h": 720}, "document": {"w": 1280, "h": 4000},
//!   "events": [
//!     {"type": 5, "timestamp": 1700000000000, "data": {"tag": "veil.click", "payload":
//!       {"x": 640, "y": 410, "w": 1280, "h": 4000, "vw": 1280, "vh": 720,
//!        "fixed": false, "selector": "main > button.buy", "dead": true}}},
//!     {"type": 5, "timestamp": 1700000000500, "data": {"tag": "veil.scroll", "payload":
//!       {"y": 1280, "h": 4000, "vh": 720}}}
//!   ]}"#;
//! let batch = veil_events::decode::batch_from_json(body)?;
//!
//! let rules = PageKeyRules::new(vec![], vec![])?;
//! let result = aggregate(&batch, &rules, &Grid::default());
//! let page = &result.pages[0];
//! assert_eq!(page.page_key, "https://shop.example/products/:id");
//! assert_eq!(page.device, DeviceClass::Desktop);
//! assert_eq!((page.cells[0].layer, page.cells[0].cell.col, page.cells[0].cell.row), (Layer::Document, 32, 25));
//! assert!(page.cells[0].flags.dead);
//! assert_eq!(page.elements[0].selector, "main > button.buy");
//! assert_eq!(page.scroll.map(|depth| depth.pct()), Some(50));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod aggregate;
pub mod carry;
pub mod clicks;
pub mod device;
pub mod forms;
pub mod grid;
pub mod page_key;
mod payload;
pub mod rage;
mod rrweb_forms;
pub mod scroll;
pub mod segment;
pub mod session;
pub mod signals;
mod target;
#[cfg(test)]
mod testing;

pub use aggregate::{
    Aggregation, BatchAggregate, CellCount, ClickFlags, ElementCount, aggregate, aggregate_and_summarize,
    aggregate_and_summarize_in, aggregate_in,
};
pub use carry::SessionContext;
pub use clicks::MAX_SELECTOR_CHARS;
pub use device::{DESKTOP_MIN_WIDTH, DeviceClass, TABLET_MIN_WIDTH, UnknownDeviceClass};
pub use grid::{Cell, Grid, GridError, Layer, MAX_COLS, MAX_DEPTH_PX};
pub use page_key::{
    ID_PLACEHOLDER, MAX_PAGE_KEY_LEN, PageKeyError, PageKeyRules, RulesError, looks_like_id, page_key,
};
pub use payload::InvalidReason;
pub use rage::{MAX_NEIGHBOURS, RAGE_MIN_CLICKS, RAGE_RADIUS_PX, RAGE_WINDOW_MS};
pub use scroll::ScrollDepth;
pub use session::{SessionSummary, summarize, summarize_in};
