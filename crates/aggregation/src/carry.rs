//! What heatmaps need from a session's earlier batches.
//!
//! Veil's recorder makes every batch self-contained: `veil.click` carries
//! document coordinates and a selector. A stock rrweb recorder does not: a
//! click names its target by node id and is placed by the document's
//! scroll position, and both come from earlier batches (the FullSnapshot
//! that serialised the node, the Scroll events before the click). Ingest
//! keeps one [`SessionContext`] per session between batches; it holds the
//! scroll position and the selectors of the element nodes the session has
//! serialised, bounded so a hostile or huge page costs a fixed amount.

use std::collections::HashMap;

use crate::scroll::DocumentScroll;

/// Element selectors kept per session: a large page's interactive part.
pub const MAX_KNOWN_NODES: usize = 4096;
/// Bytes of selector text kept per session.
pub const MAX_KNOWN_BYTES: usize = 128 << 10;

/// A session's heatmap state between its batches (see the module
/// documentation). `Default` is a session whose first batch this is.
#[derive(Debug, Clone, Default)]
pub struct SessionContext {
    pub(crate) scroll: DocumentScroll,
    pub(crate) nodes: KnownNodes,
    /// The session's batches carry `veil.click` or `veil.scroll` (Veil's
    /// recorder): its clicks name themselves, so the snapshots' nodes are
    /// not learned.
    pub(crate) veil_recorder: bool,
    /// Form fields of a stock rrweb session's document
    /// ([`crate::rrweb_forms`]).
    pub(crate) fields: crate::rrweb_forms::KnownFields,
    /// The pages the session was on, for quick backs and excessive
    /// scrolling ([`crate::signals`]).
    pub(crate) trail: crate::signals::Trail,
}

impl SessionContext {
    /// Memory the context holds, roughly, for the cache's budget.
    pub fn approx_bytes(&self) -> usize {
        std::mem::size_of::<Self>()
            + self.nodes.approx_bytes()
            + self.fields.approx_bytes()
            + self.trail.approx_bytes()
    }

    /// Selectors known for the session's nodes.
    pub fn known_nodes(&self) -> usize {
        self.nodes.selectors.len()
    }
}

/// Selectors of element nodes by rrweb node id.
#[derive(Debug, Clone, Default)]
pub(crate) struct KnownNodes {
    selectors: HashMap<u64, Box<str>>,
    bytes: usize,
}

impl KnownNodes {
    pub(crate) fn get(&self, id: u64) -> Option<&str> {
        self.selectors.get(&id).map(|s| &**s)
    }

    /// Records `selector` for `id` while the bounds allow; a node already
    /// known is described by its latest serialisation.
    pub(crate) fn insert(&mut self, id: u64, selector: String) {
        let cost = selector.len();
        let room = self.selectors.len() < MAX_KNOWN_NODES && self.bytes + cost <= MAX_KNOWN_BYTES;
        match self.selectors.get_mut(&id) {
            Some(known) => {
                self.bytes = self.bytes - known.len() + cost;
                *known = selector.into_boxed_str();
            }
            None if room => {
                self.bytes += cost;
                self.selectors.insert(id, selector.into_boxed_str());
            }
            None => {}
        }
    }

    /// A FullSnapshot restarts node ids (a page load): what was known is
    /// of another document.
    pub(crate) fn clear(&mut self) {
        self.selectors.clear();
        self.bytes = 0;
    }

    fn approx_bytes(&self) -> usize {
        // Key, box and map overhead per entry, plus the text.
        self.selectors.len() * 40 + self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_nodes_stay_within_their_bounds() {
        let mut nodes = KnownNodes::default();
        for id in 0..(MAX_KNOWN_NODES as u64 + 100) {
            nodes.insert(id, "button.buy".to_owned());
        }
        assert_eq!(nodes.selectors.len(), MAX_KNOWN_NODES);
        let mut big = KnownNodes::default();
        for id in 0..100 {
            big.insert(id, "x".repeat(4096));
        }
        assert!(big.bytes <= MAX_KNOWN_BYTES, "{}", big.bytes);
        big.insert(0, "a".to_owned());
        assert_eq!(big.get(0), Some("a"), "a later serialisation replaces the earlier");
        big.clear();
        assert_eq!((big.get(1), big.bytes), (None, 0));
    }
}
