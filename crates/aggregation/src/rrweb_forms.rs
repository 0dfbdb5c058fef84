//! Form analytics from a stock rrweb recorder (docs/forms.md, fallback):
//! rrweb sends no `veil.form` events, but its snapshots say which nodes
//! are form fields and in which form, its MouseInteraction `Focus` and
//! `Blur` events say when a visitor was in one, and its `Input` events how
//! the (masked) text changed. That gives fields left with their time and
//! refills; rrweb records no submit and no error, so those stay unknown
//! for such sessions.
//!
//! Only lengths of input text are looked at, and only while the batch is
//! read: nothing of the text is kept or stored. What a session has learnt
//! is bounded ([`MAX_KNOWN_FIELDS`]) and lives in its [`SessionContext`]
//! between batches, like the node selectors of clicks.
//!
//! [`SessionContext`]: crate::SessionContext

use std::collections::HashMap;

use veil_events::{Event, EventType, IncrementalSource, MouseInteraction, NodeType, Value};

use crate::forms::{FormAction, FormEvent, MAX_FIELD_MS};
use crate::target;

/// Fields remembered per session: more than any real page has.
pub const MAX_KNOWN_FIELDS: usize = 512;
/// Forms remembered per session.
const MAX_KNOWN_FORMS: usize = 64;

/// One form field of the session's document.
#[derive(Debug, Clone)]
struct Field {
    form: Box<str>,
    field: Box<str>,
    position: u16,
    /// Characters of its text at the last Input event.
    length: usize,
}

/// The field a visitor is in.
#[derive(Debug, Clone)]
struct Focus {
    id: u64,
    since: i64,
    /// The field had text when the visitor came in.
    had_text: bool,
    refill: bool,
}

/// What a stock rrweb session's batches taught about its form fields.
#[derive(Debug, Clone, Default)]
pub(crate) struct KnownFields {
    fields: HashMap<u64, Field>,
    /// Form node id to its selector and the next free position.
    forms: HashMap<u64, (Box<str>, u16)>,
    /// Position of the next field outside any form.
    loose: u16,
    focus: Option<Focus>,
}

impl KnownFields {
    /// Memory held, roughly.
    pub(crate) fn approx_bytes(&self) -> usize {
        let fields: usize = self.fields.values().map(|f| 64 + f.form.len() + f.field.len()).sum();
        let forms: usize = self.forms.values().map(|(s, _)| 40 + s.len()).sum();
        fields + forms
    }

    /// Reads one event: learns fields from snapshots and added nodes, and
    /// returns a field left when the event ends a visit of one.
    pub(crate) fn read(&mut self, event: &Event<'_>) -> Option<FormEvent> {
        match event.kind {
            EventType::FullSnapshot => {
                // Node ids start over: a new document.
                *self = KnownFields::default();
                if let Some(root) = event.data.get("node") {
                    self.learn(root, None);
                }
                None
            }
            EventType::IncrementalSnapshot => match event.source()? {
                IncrementalSource::Mutation => {
                    let adds = event.data.get("adds").and_then(Value::as_array).unwrap_or_default();
                    for add in adds {
                        let parent = add.get("parentId").and_then(Value::as_u64);
                        let form = parent.filter(|id| self.forms.contains_key(id));
                        if let Some(node) = add.get("node") {
                            self.learn(node, form);
                        }
                    }
                    None
                }
                IncrementalSource::Input => {
                    let id = event.data.get("id").and_then(Value::as_u64)?;
                    let length =
                        event.data.get("text").and_then(Value::as_str).map_or(0, |t| t.chars().count());
                    let field = self.fields.get_mut(&id)?;
                    if let Some(focus) = self.focus.as_mut().filter(|f| f.id == id)
                        && (length < field.length || focus.had_text)
                    {
                        focus.refill = true;
                    }
                    field.length = length;
                    None
                }
                IncrementalSource::MouseInteraction => {
                    let id = event.data.get("id").and_then(Value::as_u64)?;
                    match event.mouse_interaction()? {
                        MouseInteraction::Focus if self.fields.contains_key(&id) => {
                            // A focus without the last field's blur ends it.
                            let left = self.leave(event.timestamp);
                            let had_text = self.fields.get(&id).is_some_and(|f| f.length > 0);
                            self.focus = Some(Focus { id, since: event.timestamp, had_text, refill: false });
                            left
                        }
                        MouseInteraction::Blur if self.focus.as_ref().is_some_and(|f| f.id == id) => {
                            self.leave(event.timestamp)
                        }
                        _ => None,
                    }
                }
                _ => None,
            },
            _ => None,
        }
    }

    /// Ends the visit of the focused field at `now`.
    fn leave(&mut self, now: i64) -> Option<FormEvent> {
        let focus = self.focus.take()?;
        let field = self.fields.get(&focus.id)?;
        let ms = u32::try_from(now.saturating_sub(focus.since).max(0)).unwrap_or(u32::MAX).min(MAX_FIELD_MS);
        Some(FormEvent {
            form: field.form.to_string(),
            field: field.field.to_string(),
            position: field.position,
            action: FormAction::Field { ms, refill: focus.refill, error: false },
        })
    }

    /// Learns the fields of a serialised subtree in document order;
    /// `form` is the id of the form it sits in, if known.
    fn learn(&mut self, root: &Value<'_>, form: Option<u64>) {
        let mut stack: Vec<(&Value<'_>, Option<u64>)> = vec![(root, form)];
        while let Some((node, form)) = stack.pop() {
            let id = node.get("id").and_then(Value::as_u64);
            let tag = node.get("tagName").and_then(Value::as_str).map(str::to_ascii_lowercase);
            let element =
                node.get("type").and_then(Value::as_u64).map(NodeType::from_u64) == Some(NodeType::Element);
            let mut inner = form;
            if let (true, Some(id), Some(tag)) = (element, id, tag.as_deref()) {
                if tag == "form" && self.forms.len() < MAX_KNOWN_FORMS {
                    let selector = target::selector(node).unwrap_or_else(|| "form".to_owned());
                    self.forms.insert(id, (selector.into_boxed_str(), 0));
                    inner = Some(id);
                } else if fillable(tag, node) && self.fields.len() < MAX_KNOWN_FIELDS {
                    self.add_field(id, node, form);
                }
            }
            if let Some(children) = node.get("childNodes").and_then(Value::as_array) {
                // Reversed onto the stack: popped in document order.
                stack.extend(children.iter().rev().map(|child| (child, inner)));
            }
        }
    }

    fn add_field(&mut self, id: u64, node: &Value<'_>, form: Option<u64>) {
        let Some(selector) = target::selector(node) else { return };
        let (form, position) = match form.and_then(|form| self.forms.get_mut(&form)) {
            Some((selector, next)) => {
                let position = *next;
                *next = next.saturating_add(1);
                (selector.clone(), position)
            }
            None => {
                let position = self.loose;
                self.loose = self.loose.saturating_add(1);
                (Box::from(""), position)
            }
        };
        let attributes = node.get("attributes");
        let length =
            attributes.and_then(|a| a.get("value")).and_then(Value::as_str).map_or(0, |v| v.chars().count());
        self.fields.insert(id, Field { form, field: selector.into_boxed_str(), position, length });
    }
}

/// A field a visitor fills in: what Veil's recorder counts too.
fn fillable(tag: &str, node: &Value<'_>) -> bool {
    match tag {
        "select" | "textarea" => true,
        "input" => {
            let kind =
                node.get("attributes").and_then(|a| a.get("type")).and_then(Value::as_str).unwrap_or("text");
            !matches!(kind.to_ascii_lowercase().as_str(), "hidden" | "submit" | "button" | "reset" | "image")
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{element, map, s};

    fn snapshot() -> Event<'static> {
        let form = element(
            3,
            "form",
            vec![("id", "checkout")],
            vec![
                element(4, "input", vec![("type", "hidden"), ("name", "csrf")], vec![]),
                element(5, "input", vec![("id", "email"), ("type", "email")], vec![]),
                element(
                    6,
                    "div",
                    vec![],
                    vec![element(7, "input", vec![("id", "phone"), ("value", "+31")], vec![])],
                ),
                element(8, "button", vec![("type", "submit")], vec![]),
            ],
        );
        let search = element(9, "input", vec![("id", "q")], vec![]);
        let root = map(vec![
            ("type", Value::Int(0)),
            ("id", Value::Int(1)),
            ("childNodes", Value::Array(vec![element(2, "body", vec![], vec![search, form])])),
        ]);
        Event::new(EventType::FullSnapshot, 0, map(vec![("node", root)]))
    }

    fn interaction(t: i64, id: i64, kind: i64) -> Event<'static> {
        let data = map(vec![("source", Value::Int(2)), ("type", Value::Int(kind)), ("id", Value::Int(id))]);
        Event::new(EventType::IncrementalSnapshot, t, data)
    }

    fn input(t: i64, id: i64, text: &str) -> Event<'static> {
        let data = map(vec![("source", Value::Int(5)), ("id", Value::Int(id)), ("text", s(text))]);
        Event::new(EventType::IncrementalSnapshot, t, data)
    }

    fn run(known: &mut KnownFields, events: &[Event<'static>]) -> Vec<FormEvent> {
        events.iter().filter_map(|e| known.read(e)).collect()
    }

    fn left(form: &str, field: &str, position: u16, ms: u32, refill: bool) -> FormEvent {
        FormEvent {
            form: form.into(),
            field: field.into(),
            position,
            action: FormAction::Field { ms, refill, error: false },
        }
    }

    #[test]
    fn focus_and_blur_of_snapshot_fields_are_fields_left() {
        let mut known = KnownFields::default();
        let events = [
            snapshot(),
            interaction(1_000, 5, 5),
            input(1_500, 5, "****"),
            interaction(4_000, 5, 6),
            // The phone had text: changing it is a refill.
            interaction(5_000, 7, 5),
            input(5_500, 7, "*******"),
            interaction(6_000, 7, 6),
            // A field outside the form, then a blur of a node not focused.
            interaction(7_000, 9, 5),
            interaction(7_100, 8, 6),
            interaction(7_500, 9, 6),
            // A button is not a field.
            interaction(8_000, 8, 5),
        ];
        assert_eq!(
            run(&mut known, &events),
            vec![
                left("form#checkout", "input#email", 0, 3_000, false),
                left("form#checkout", "input#phone", 1, 1_000, true),
                left("", "input#q", 0, 500, false),
            ]
        );
    }

    #[test]
    fn deleting_is_a_refill_and_a_new_focus_ends_the_last() {
        let mut known = KnownFields::default();
        let first = [snapshot(), interaction(0, 5, 5), input(100, 5, "*****"), input(200, 5, "***")];
        assert!(run(&mut known, &first).is_empty());
        // The next batch: focus moves on without a blur.
        let second = [interaction(2_000, 7, 5), interaction(2_500, 7, 6)];
        assert_eq!(
            run(&mut known, &second),
            vec![
                left("form#checkout", "input#email", 0, 2_000, true),
                left("form#checkout", "input#phone", 1, 500, false)
            ]
        );
    }

    #[test]
    fn added_fields_join_their_form_and_the_bounds_hold() {
        let mut known = KnownFields::default();
        run(&mut known, &[snapshot()]);
        let adds = Value::Array(
            (0..(MAX_KNOWN_FIELDS as i64 + 10))
                .map(|i| {
                    map(vec![
                        ("parentId", Value::Int(3)),
                        ("node", element(100 + i, "input", vec![("id", "extra")], vec![])),
                    ])
                })
                .collect(),
        );
        let mutation = Event::new(
            EventType::IncrementalSnapshot,
            1,
            map(vec![("source", Value::Int(0)), ("adds", adds)]),
        );
        run(&mut known, &[mutation]);
        assert_eq!(known.fields.len(), MAX_KNOWN_FIELDS);
        assert_eq!(known.fields.get(&100).map(|f| (&*f.form, f.position)), Some(("form#checkout", 2)));
        run(&mut known, &[snapshot()]);
        assert_eq!(known.fields.len(), 3, "a snapshot starts over");
    }
}
