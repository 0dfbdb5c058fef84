//! Server-side masking (SPEC §5): the second line of defence that removes
//! form values and personal data from rrweb events, whatever the recorder
//! claims to have masked already. Pure logic, no I/O: ingest and
//! `veil mask` run exactly the same code.
//!
//! ```
//! use std::time::Instant;
//! use veil_events::{Value, decode, encode};
//! use veil_masking::{MaskingRules, SessionCache, CacheConfig, SiteRules, mask_batch};
//!
//! let rules = MaskingRules::new(SiteRules {
//!     patterns: vec![("order_id".into(), "ORD-[0-9]{8}".into())],
//!     block_selectors: vec![".secret".into()],
//!     ..SiteRules::default()
//! })?;
//! let cache = SessionCache::new(CacheConfig::default());
//!
//! let body = br#"{"v": 1, "site": "shop", "session": "3f2c1a9e-7b4d-4c2a-9e1f-0a1b2c3d4e5f", "seq": 0,
//!   "page": {"url": "https://shop.example/account?email=jane%40example.com"},
//!   "viewport": {"w": 1280, "h": 720},
//!   "events": [
//!     {"type": 2, "timestamp": 1, "data": {"node": {"type": 0, "id": 1, "childNodes": [
//!       {"type": 2, "id": 2, "tagName": "p", "attributes": {}, "childNodes": [
//!         {"type": 3, "id": 3, "textContent": "Call me on 06-12345678 about ORD-20261124"}]},
//!       {"type": 2, "id": 4, "tagName": "input", "attributes": {"type": "password", "value": "hunter2"},
//!        "childNodes": []}]}}},
//!     {"type": 3, "timestamp": 2, "data": {"source": 5, "id": 4, "text": "hunter22", "isChecked": false}},
//!     {"type": 3, "timestamp": 3, "data": {"source": 5, "id": 99, "text": "jane", "isChecked": false}}
//!   ]}"#;
//! let mut batch = decode::batch_from_json(body)?;
//! let handle = cache.get_or_create(&batch.site, &batch.session, Instant::now());
//! let report = mask_batch(&mut batch, &rules, &mut handle.lock());
//!
//! assert_eq!(batch.page.url, "https://shop.example/account?email=****%*********.***");
//! let json = String::from_utf8(encode::to_json(&batch)?)?;
//! assert!(json.contains("Call me on **-******** about ***-********"));
//! assert!(!json.contains("hunter2"));   // value removed, Input event dropped
//! assert!(json.contains(r#""text":"****""#)); // unknown node: masked anyway
//! assert_eq!(report.count("phone"), 1);
//! assert_eq!(report.count("order_id"), 1);
//! assert_eq!(report.count("removed_field"), 2);
//! assert_eq!(report.events_removed(), 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # What is masked
//!
//! - **Form values** become `*` of the same length: `value` attributes of
//!   inputs, textareas, selects and options, the text under textareas,
//!   selects, options and contenteditable elements, and the `text` of
//!   Input events. Buttons' values are labels and are only scanned;
//!   checkbox and radio *state* (`checked`, `isChecked`) stays, their
//!   `value` is masked. An option's `selected` attribute is removed.
//! - **Removed fields** (SPEC §5 "removed entirely"): password and hidden
//!   inputs, inputs rrweb marks `data-rr-is-password` (a password field
//!   switched to text) and fields whose `autocomplete` is `cc-*`,
//!   `one-time-code`, `current-password` or `new-password` (or whose name
//!   or id says password, cvc or cvv) become an empty box: their value,
//!   their children and every attribute but `type`, `autocomplete`, `id`,
//!   `class`, `width`, `height`, `rr_width`, `rr_height` and the size
//!   declarations of `style` are dropped, as are their Input events and
//!   mutations inside them, so not even the length survives; attribute
//!   mutations on them keep only those attributes. The element itself
//!   stays because deleting it would shift the replayed layout and break
//!   the `nextId` references of siblings added later; the kept `type`
//!   keeps a hidden input hidden in replay. A field stays removed for
//!   the rest of the session state even if it is later switched to
//!   `type=text` ("show password"). Password, hidden, cc-* and
//!   one-time-code fields are also classified when a mutation switches a
//!   field to them; from then on their `value` is removed and their Input
//!   events are dropped.
//! - **PII detectors** ([`Builtin`]) run over text and comment nodes
//!   (style text included), text mutations, attribute values (all but
//!   `id`, `class`, `type` and `checked`), the page URL and title, Meta
//!   `href`, custom-event payloads (not `data.tag`), and every string of
//!   any other event (plugins, style rules, …). Map keys are structure and
//!   are not scanned; neither is the batch's `user` (hashed downstream) nor
//!   the base64 payload of `data:` URIs (media). Findings are masked in
//!   place, keeping layout; site `patterns` work the same. Site
//!   `scrub_attributes` are masked wholesale.
//! - **Block selectors** turn an element into an empty placeholder of the
//!   same tag that keeps `id`, `class`, `width`, `height`, `rr_width`,
//!   `rr_height` and the size declarations of `style`; its children are
//!   dropped, and later mutations inside it and Input events for it are
//!   dropped too; attribute mutations on it keep those attributes, so a
//!   size change still shows. `rr_width`/`rr_height` are rrweb's
//!   measurement of an element the recorder blocked, which the replayer
//!   applies as the placeholder's size; masking cannot measure, so an
//!   element only the server blocks keeps only the size its attributes
//!   and style declare.
//! - **Unmask selectors**: text under a matching element is not scanned.
//!   Form values under it stay masked; a form element that itself matches
//!   has its value (and, for a textarea, its text) scanned instead of
//!   masked. Removed fields are never unmasked. Attributes are always
//!   scanned. Selectors are evaluated when a node is serialized (snapshot
//!   or add); a class added later by an attribute mutation does not block
//!   or unmask an existing element.
//!
//! # Split findings
//!
//! A finding is always masked whole. Findings split across nodes are
//! caught in these cases, which is the guarantee:
//! 1. adjacent sibling text nodes in a FullSnapshot or an added subtree
//!    are scanned as one string, with the findings mapped back to each
//!    node's share;
//! 2. text nodes added to the same parent by one Mutation event are
//!    scanned as one string, in document order (`nextId`);
//! 3. all versions of one text node within one batch (its text when added
//!    and every `texts` value) share their findings: the character
//!    positions of a finding in any version are masked in every version,
//!    so a number typed out character by character leaves no prefix;
//! 4. text that continues across inline elements (`<span>06</span>
//!    12345678`, `<b>4111</b> 1111…`, React's `06<!-- -->12345678`) in a
//!    FullSnapshot or an added subtree is scanned again as one string per
//!    block element, up to a break: block elements, `<br>`, form fields
//!    and text that is not scanned (see `flow.rs`).
//!
//! Not covered: a value split by markup that is added in separate
//! Mutation events, and versions of a text node in different batches.
//! Form fields and contenteditable elements, where typed data lives, are
//! masked wholesale, so a number typed into them over several Input events
//! needs no such guarantee.
//!
//! # Unknown nodes and session state
//!
//! Masking remembers, per session, the nodes that matter for later events
//! ([`SessionState`], kept between batches by [`SessionCache`], whose
//! bounds and locking are documented there): form fields, and every node
//! inside a blocked, form-value or unmasked subtree. An Input event for a
//! node it knows nothing about is masked anyway, which is always safe:
//! Input events only carry form values. When the state knows nothing at
//! all (the session's snapshot was never seen, or the state was evicted or
//! overflowed) it fails closed until the next FullSnapshot: `value`
//! attributes set by mutations are masked, text attributes (`title`,
//! `alt`, `aria-*`, `data-*`, …) of unknown nodes are masked, and text
//! added or changed by mutations is masked wholesale (rule
//! `unknown_node`). Removed fields and blocked subtrees are never
//! forgotten while the state lives, even when a mutation removes them.
//!
//! # Idempotence
//!
//! Masking a masked batch changes nothing and reports nothing: every
//! string is scanned until no detector finds anything more (masking one
//! finding can change the context of another), placeholders are fixed
//! points, and dropped events are gone. Property tests check this, and
//! that masking never makes a batch's JSON longer.

mod detectors;
mod flow;
mod mutation;
mod nodes;
mod report;
mod rules;
mod selectors;
mod session;
mod structural;
mod text;
mod tree;
mod walk;

pub use detectors::Builtin;
pub use report::{FieldKind, Report};
pub use rules::{MaskingRules, RuleError, SiteRules};
pub use selectors::{MAX_COMPOUNDS, SelectorError};
pub use session::{
    CacheConfig, DEFAULT_MAX_NODES_PER_SESSION, SessionCache, SessionGuard, SessionHandle, SessionState,
};

use std::borrow::Cow;

use veil_events::{Batch, Event};

/// Masks a batch in place: its envelope (page URL, title) and its events.
/// `session` is the state of the batch's session (see [`SessionCache`]);
/// batches of one session must be masked in order.
pub fn mask_batch(batch: &mut Batch<'_>, rules: &MaskingRules, session: &mut SessionState) -> Report {
    let mut masker = text::Masker::new(rules);
    walk::mask_envelope(&mut masker, batch);
    walk::mask_events(&mut masker, &mut session.table, &mut batch.events);
    masker.into_report()
}

/// Masks a bare list of rrweb events (e.g. a recording given to
/// `veil mask`). Events may be removed, hence the `Vec`.
pub fn mask_events(events: &mut Vec<Event<'_>>, rules: &MaskingRules, session: &mut SessionState) -> Report {
    let mut masker = text::Masker::new(rules);
    walk::mask_events(&mut masker, &mut session.table, events);
    masker.into_report()
}

/// Masks one free-standing string with the detectors and the site's
/// patterns, as if it were a text node: to try rules out, or to clean a
/// string that is about to be shown.
pub fn mask_text<'t>(text: &'t str, rules: &MaskingRules) -> (Cow<'t, str>, Report) {
    let mut masker = text::Masker::new(rules);
    let mut text = Cow::Borrowed(text);
    masker.scan_cow(&mut text, FieldKind::Text);
    (text, masker.into_report())
}
