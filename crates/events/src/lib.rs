//! The rrweb-compatible event model, the batch envelope that carries events
//! from the recorder to the server, and its MessagePack and JSON codecs.
//!
//! This crate owns the wire format of SPEC §4: every other crate reads
//! batches through it, so a change of the format happens in one place. It
//! does no I/O.
//!
//! Untrusted bytes enter only through [`decode`], which caps nesting depth
//! and event count, validates the envelope and borrows strings from the
//! input buffer; [`encode`] writes the model back as JSON (for rrweb-player)
//! or MessagePack. Event payloads are generic [`Value`] trees that masking
//! rewrites in place.
//!
//! ```
//! use veil_events::{decode, encode, IncrementalSource, Purpose};
//!
//! let body = br#"{"v": 1, "site": "shop", "session": "3f2c1a9e-7b4d-4c2a-9e1f-0a1b2c3d4e5f",
//!   "seq": 0, "page": {"url": "https://shop.example/cart"}, "viewport": {"w": 1280, "h": 720},
//!   "events": [
//!     {"type": 3, "timestamp": 1700000000000,
//!      "data": {"source": 5, "id": 42, "text": "jane@example.com", "isChecked": false}},
//!     {"type": 5, "timestamp": 1700000000100,
//!      "data": {"tag": "veil.click", "payload": {"x": 10, "y": 20}}}
//!   ]}"#;
//! let mut batch = decode::batch_from_json(body)?;
//! assert_eq!(batch.site, "shop");
//! assert_eq!(batch.events[0].source(), Some(IncrementalSource::Input));
//! assert_eq!(batch.events[1].purpose_class(), Purpose::Heatmaps);
//!
//! // Masking replaces only the strings it must; all others stay borrowed
//! // from `body`.
//! if let Some(text) = batch.events[0].data.get_mut("text") {
//!     text.set_str("*".repeat(16));
//! }
//!
//! let stored = encode::to_msgpack(&batch)?;
//! assert_eq!(decode::batch_from_msgpack(&stored)?, batch);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod batch;
pub mod budget;
pub mod decode;
pub mod encode;
mod envelope;
mod error;
mod event;
pub mod ids;
mod json;
mod kinds;
mod limits;
mod msgpack;
#[cfg(test)]
mod testing;
mod value;

pub use batch::{BATCH_VERSION, Batch, Page, Size};
pub use budget::{Budget, BudgetError, MemoryPool};
pub use error::{DecodeError, EncodeError, Format};
pub use event::{Event, Purpose, TAG_CLICK, TAG_FORM, TAG_SCROLL};
pub use kinds::{EventType, IncrementalSource, MouseInteraction, NodeType};
pub use value::{Entry, Value};
