//! Dispatch over a batch: which rule set applies to which event and
//! field, and the events masking removes.

use veil_events::{Batch, Event, EventType, IncrementalSource, Value};

use crate::mutation::{self, TextHistory};
use crate::nodes::{Parent, walk_node};
use crate::report::FieldKind;
use crate::rules::RuleId;
use crate::text::Masker;
use crate::tree::{FormKind, NodeTable, flags};

/// The envelope's strings: the page URL, the title and unknown fields. The
/// site's user id is left for the hashing step downstream.
pub(crate) fn mask_envelope(m: &mut Masker<'_>, batch: &mut Batch<'_>) {
    m.scan_url_cow(&mut batch.page.url, FieldKind::Url);
    if let Some(title) = &mut batch.page.title {
        m.scan_cow(title, FieldKind::Text);
    }
    let extras = batch
        .page
        .extra
        .iter_mut()
        .chain(batch.viewport.extra.iter_mut())
        .chain(batch.document.iter_mut().flat_map(|d| d.extra.iter_mut()))
        .chain(batch.extra.iter_mut());
    for (_, value) in extras {
        m.scan_tree(value, FieldKind::Text);
    }
}

/// Masks every event in order, then drops the events that must go.
pub(crate) fn mask_events(m: &mut Masker<'_>, table: &mut NodeTable, events: &mut Vec<Event<'_>>) {
    let mut history = TextHistory::default();
    let mut drop: Vec<usize> = Vec::new();
    for (i, event) in events.iter_mut().enumerate() {
        for (_, value) in &mut event.extra {
            m.scan_tree(value, FieldKind::Text);
        }
        match event.kind {
            EventType::FullSnapshot => {
                table.reset_primed();
                mask_fields(m, &mut event.data, |m, key, value| match key {
                    "node" => walk_node(m, table, value, Parent::default()),
                    _ => m.scan_tree(value, FieldKind::Text),
                });
            }
            EventType::IncrementalSnapshot => match event.source() {
                Some(IncrementalSource::Mutation) => {
                    mutation::mask(m, table, &mut event.data, i, &mut history)
                }
                Some(IncrementalSource::Input) => {
                    if !mask_input(m, table, &mut event.data) {
                        drop.push(i);
                    }
                }
                _ => m.scan_tree(&mut event.data, FieldKind::Text),
            },
            EventType::Meta => mask_fields(m, &mut event.data, |m, key, value| {
                if let ("href", Value::Str(href)) = (key, &mut *value) {
                    m.scan_url_cow(href, FieldKind::Url);
                } else {
                    m.scan_tree(value, FieldKind::Text);
                }
            }),
            EventType::Custom => mask_fields(m, &mut event.data, |m, key, value| {
                if key != "tag" {
                    m.scan_tree(value, FieldKind::CustomEvent);
                }
            }),
            _ => m.scan_tree(&mut event.data, FieldKind::Text),
        }
    }
    history.apply(m, events);
    if !drop.is_empty() {
        let mut i = 0;
        events.retain(|_| {
            i += 1;
            drop.binary_search(&(i - 1)).is_err()
        });
    }
}

/// Calls `f` for each field of a map (or scans a non-map whole).
fn mask_fields<'a>(
    m: &mut Masker<'_>,
    data: &mut Value<'a>,
    mut f: impl FnMut(&mut Masker<'_>, &str, &mut Value<'a>),
) {
    match data.as_map_mut() {
        Some(entries) => {
            for (key, value) in entries.iter_mut() {
                f(m, key, value);
            }
        }
        None => m.scan_tree(data, FieldKind::Text),
    }
}

/// An Input event; false when the event must be dropped.
///
/// The typed text is masked unless the target is known to be a button
/// (its text is a label) or a form field that itself matches an unmask
/// selector; both are scanned instead. A target that is unknown is masked:
/// Input events only ever carry form values, so masking is always safe.
fn mask_input(m: &mut Masker<'_>, table: &NodeTable, data: &mut Value<'_>) -> bool {
    let info = table.lookup(data.get("id").and_then(Value::as_u64));
    if info.kind == FormKind::Removed {
        m.removed_event(RuleId::REMOVED_FIELD, FieldKind::RemovedField);
        return false;
    }
    if info.blocked() {
        m.removed_event(RuleId::BLOCKED_ELEMENT, FieldKind::BlockedElement);
        return false;
    }
    let scan =
        info.kind == FormKind::Label || (info.kind != FormKind::None && info.has(flags::EXPLICIT_UNMASK));
    mask_fields(m, data, |m, key, value| match key {
        "text" if scan => m.scan_value(value, FieldKind::Input),
        "text" => {
            if !m.star_value(value, RuleId::INPUT_VALUE, FieldKind::Input) && !matches!(value, Value::Str(_))
            {
                // A non-string value is not what rrweb sends; keep nothing.
                if !value.is_null() {
                    *value = Value::Str("".into());
                    m.count(RuleId::INPUT_VALUE, FieldKind::Input);
                }
            }
        }
        _ => m.scan_tree(value, FieldKind::Input),
    });
    true
}
