//! Heatmap aggregation (SPEC §6): turns clicks and scrolls of a masked batch
//! into heatmap cells and scroll-depth buckets, and normalises page URLs to
//! page keys.
//!
//! Pure logic, no I/O: the store decides how cells are persisted.

mod page_key;
pub use page_key::{page_key, PageKeyRules, PageKeyError, RulesError, looks_like_id, MAX_PAGE_KEY_LEN, ID_PLACEHOLDER};
