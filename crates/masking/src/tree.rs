//! Node tracking: what masking must remember about an rrweb node id so
//! that later events about it (Input events, text and attribute
//! mutations, nodes added under it) are treated like the node itself.
//!
//! Only nodes that are special are kept: form fields, everything inside a
//! blocked, form-value or unmasked subtree, and elements whose selector
//! state a descendant may still need. A node that is not in the table is
//! plain, *if* the table has seen the session's FullSnapshot ("primed").
//! An unprimed table (a session whose snapshot this process never saw, or
//! whose state was evicted or overflowed) answers "unknown" for every
//! missing node, and unknown is treated as sensitive: see the crate
//! documentation for what that means per field.

use std::collections::HashMap;

use veil_events::{Entry, Value};

use crate::selectors::SelState;

/// An rrweb node id.
pub(crate) type NodeId = u64;

/// Inherited and own properties of a node, as bits.
pub(crate) mod flags {
    /// The node is a block placeholder.
    pub const BLOCK_ROOT: u8 = 1;
    /// The node is inside a blocked subtree: everything about it is dropped.
    pub const BLOCKED: u8 = 2;
    /// Text under the node is a form value: masked wholesale.
    pub const MASK_TEXT: u8 = 4;
    /// Text under the node is not scanned (an unmask selector matched).
    pub const UNMASK: u8 = 8;
    /// The node hangs under a node this state knows nothing about.
    pub const UNKNOWN: u8 = 16;
    /// The element itself matched an unmask selector.
    pub const EXPLICIT_UNMASK: u8 = 32;
}

/// What kind of form field an element is, for masking its value.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum FormKind {
    /// Not a form field.
    #[default]
    None,
    /// A text-like `input` or a `textarea`: the value is content.
    Text,
    /// A `select`: its value and its options' text are content.
    Select,
    /// An `option`: its value and text are content.
    Option,
    /// A checkbox or radio: `checked` is state (kept), `value` is content.
    Toggle,
    /// `submit`/`button`/`reset`/`image` inputs and `button`s: the value is
    /// a label, scanned like text.
    Label,
    /// Password, hidden, cc-* and one-time-code fields: values removed.
    Removed,
    /// A contenteditable element: text under it is content.
    Editable,
}

impl FormKind {
    /// Whether the value is masked wholesale (not merely scanned).
    pub(crate) fn masks_value(self) -> bool {
        matches!(self, FormKind::Text | FormKind::Select | FormKind::Option | FormKind::Toggle)
    }
}

/// What the table keeps per node.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct NodeInfo {
    pub flags: u8,
    pub kind: FormKind,
}

impl NodeInfo {
    pub(crate) fn has(self, flag: u8) -> bool {
        self.flags & flag != 0
    }

    /// Inside a blocked subtree or a placeholder itself.
    pub(crate) fn blocked(self) -> bool {
        self.has(flags::BLOCKED | flags::BLOCK_ROOT)
    }

    /// The flags this node's children inherit.
    pub(crate) fn child_flags(self) -> u8 {
        use flags::*;
        let mut f = self.flags & (BLOCKED | MASK_TEXT | UNMASK | UNKNOWN);
        if self.has(BLOCK_ROOT) {
            f |= BLOCKED;
        }
        let explicit = self.has(EXPLICIT_UNMASK);
        match self.kind {
            FormKind::Removed => f |= MASK_TEXT,
            FormKind::Text | FormKind::Select | FormKind::Option | FormKind::Editable if !explicit => {
                f |= MASK_TEXT;
            }
            FormKind::None if explicit => f |= UNMASK,
            _ => {}
        }
        f
    }

    /// Whether the table must keep this node.
    fn is_special(self) -> bool {
        self.kind != FormKind::None || self.flags & !flags::UNKNOWN != 0
    }
}

/// The value of attribute `name` as a string, if it is one.
pub(crate) fn attr_str<'v>(attrs: &'v [Entry<'_>], name: &str) -> Option<&'v str> {
    attrs.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).and_then(|(_, v)| v.as_str())
}

/// Classifies an element by tag and attributes.
pub(crate) fn classify(tag: &str, attrs: &[Entry<'_>]) -> FormKind {
    let is = |t: &str| tag.eq_ignore_ascii_case(t);
    if is("input") || is("textarea") || is("select") {
        if removed_by_attributes(attrs) {
            return FormKind::Removed;
        }
        if is("textarea") {
            return FormKind::Text;
        }
        if is("select") {
            return FormKind::Select;
        }
        let kind = attr_str(attrs, "type").unwrap_or("text").trim();
        return input_kind(kind);
    }
    if is("option") {
        return FormKind::Option;
    }
    if is("button") {
        return FormKind::Label;
    }
    if attrs.iter().any(|(k, v)| k.eq_ignore_ascii_case("contenteditable") && editable(v)) {
        return FormKind::Editable;
    }
    FormKind::None
}

fn input_kind(kind: &str) -> FormKind {
    let is = |t: &str| kind.eq_ignore_ascii_case(t);
    if is("password") || is("hidden") {
        FormKind::Removed
    } else if is("submit") || is("button") || is("reset") || is("image") {
        FormKind::Label
    } else if is("checkbox") || is("radio") {
        FormKind::Toggle
    } else {
        FormKind::Text
    }
}

fn editable(v: &Value<'_>) -> bool {
    match v {
        Value::Str(s) => !s.trim().eq_ignore_ascii_case("false"),
        Value::Bool(b) => *b,
        Value::Null => false,
        _ => true,
    }
}

/// `autocomplete` tokens (and names) that mark a field as one whose value
/// must not even leave a length behind.
fn removed_token(token: &str) -> bool {
    let t = token.to_ascii_lowercase();
    t.starts_with("cc-") || t == "one-time-code" || t == "current-password" || t == "new-password"
}

fn secret_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    ["password", "passwd", "wachtwoord", "cvc", "cvv", "one-time-code", "otp-code"]
        .iter()
        .any(|w| n.contains(w))
}

/// rrweb marks a password field switched to `type=text` ("show password").
const RRWEB_PASSWORD: &str = "data-rr-is-password";

fn removed_by_attributes(attrs: &[Entry<'_>]) -> bool {
    attrs.iter().any(|(k, _)| k.eq_ignore_ascii_case(RRWEB_PASSWORD))
        || attr_str(attrs, "autocomplete").is_some_and(|a| a.split_ascii_whitespace().any(removed_token))
        || attr_str(attrs, "name").is_some_and(secret_name)
        || attr_str(attrs, "id").is_some_and(secret_name)
}

/// The kind after an attribute mutation sets `name` to `value`. Only ever
/// more private: a password field shown as text stays removed.
pub(crate) fn upgrade(kind: FormKind, name: &str, value: &Value<'_>) -> FormKind {
    let text = value.as_str().unwrap_or("");
    let is = |n: &str| name.eq_ignore_ascii_case(n);
    let removed = (is("type") && matches!(input_kind(text), FormKind::Removed))
        || (is(RRWEB_PASSWORD) && !value.is_null())
        || (is("autocomplete") && text.split_ascii_whitespace().any(removed_token))
        || ((is("name") || is("id")) && secret_name(text));
    if removed {
        FormKind::Removed
    } else if kind == FormKind::None && is("contenteditable") && editable(value) {
        FormKind::Editable
    } else {
        kind
    }
}

/// The node table of one session.
#[derive(Debug)]
pub(crate) struct NodeTable {
    nodes: HashMap<NodeId, NodeInfo>,
    sel: HashMap<NodeId, SelState>,
    primed: bool,
    max_nodes: usize,
    overflows: u64,
}

impl NodeTable {
    pub(crate) fn new(max_nodes: usize) -> Self {
        NodeTable { nodes: HashMap::new(), sel: HashMap::new(), primed: false, max_nodes, overflows: 0 }
    }

    pub(crate) fn is_primed(&self) -> bool {
        self.primed
    }

    pub(crate) fn len(&self) -> usize {
        self.nodes.len() + self.sel.len()
    }

    pub(crate) fn overflows(&self) -> u64 {
        self.overflows
    }

    /// A FullSnapshot describes the whole document again.
    pub(crate) fn reset_primed(&mut self) {
        self.nodes.clear();
        self.sel.clear();
        self.primed = true;
    }

    /// What is known about `id`; unknown ids of an unprimed table (and
    /// missing ids) come back as [`flags::UNKNOWN`].
    pub(crate) fn lookup(&self, id: Option<NodeId>) -> NodeInfo {
        let unknown = NodeInfo { flags: flags::UNKNOWN, kind: FormKind::None };
        let Some(id) = id else { return unknown };
        match self.nodes.get(&id) {
            Some(info) => *info,
            None if self.primed => NodeInfo::default(),
            None => unknown,
        }
    }

    pub(crate) fn sel_of(&self, id: Option<NodeId>) -> SelState {
        id.and_then(|id| self.sel.get(&id).copied()).unwrap_or_default()
    }

    /// Remembers a node (or forgets it when it is plain). A removed field
    /// stays removed even if a node with its id is described again.
    pub(crate) fn record(&mut self, id: Option<NodeId>, mut info: NodeInfo, sel: SelState) {
        let Some(id) = id else { return };
        if self.nodes.get(&id).is_some_and(|old| old.kind == FormKind::Removed) {
            info.kind = FormKind::Removed;
        }
        if info.is_special() {
            self.nodes.insert(id, info);
        } else {
            self.nodes.remove(&id);
        }
        if sel.is_empty() {
            self.sel.remove(&id);
        } else {
            self.sel.insert(id, sel);
        }
        if self.len() > self.max_nodes {
            // Fail closed: forget everything and treat every node as
            // unknown until the next FullSnapshot.
            self.nodes.clear();
            self.sel.clear();
            self.primed = false;
            self.overflows += 1;
        }
    }

    /// Updates the kind of a known node (attribute mutations).
    pub(crate) fn set_kind(&mut self, id: Option<NodeId>, kind: FormKind) {
        let current = self.lookup(id);
        if current.kind != kind {
            self.record(id, NodeInfo { kind, ..current }, self.sel_of(id));
        }
    }

    /// A node left the document. Only what makes masking *less* strict is
    /// forgotten (unmask marks, selector state): a hostile recorder may
    /// keep sending text for a removed node, and that text must still be
    /// treated as what the node was. Entries go at the next snapshot.
    pub(crate) fn forget(&mut self, id: Option<NodeId>) {
        let Some(id) = id else { return };
        self.sel.remove(&id);
        let protective = flags::BLOCK_ROOT | flags::BLOCKED | flags::MASK_TEXT | flags::UNKNOWN;
        if self.nodes.get(&id).is_some_and(|info| info.kind == FormKind::None && info.flags & protective == 0)
        {
            self.nodes.remove(&id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs(pairs: &[(&'static str, &'static str)]) -> Vec<Entry<'static>> {
        pairs.iter().map(|(k, v)| ((*k).into(), Value::from(*v))).collect()
    }

    /// Tag, attributes, expected kind.
    type Case = (&'static str, &'static [(&'static str, &'static str)], FormKind);

    #[test]
    fn classification_table() {
        let cases: &[Case] = &[
            ("input", &[], FormKind::Text),
            ("INPUT", &[("type", "email")], FormKind::Text),
            ("input", &[("type", "password")], FormKind::Removed),
            ("input", &[("type", "hidden")], FormKind::Removed),
            ("input", &[("type", "text"), ("autocomplete", "cc-number")], FormKind::Removed),
            ("input", &[("autocomplete", "section-pay billing cc-csc")], FormKind::Removed),
            ("input", &[("autocomplete", "one-time-code")], FormKind::Removed),
            ("input", &[("name", "new_password")], FormKind::Removed),
            ("input", &[("type", "submit"), ("value", "Pay")], FormKind::Label),
            ("input", &[("type", "checkbox")], FormKind::Toggle),
            ("input", &[("type", "radio")], FormKind::Toggle),
            ("textarea", &[], FormKind::Text),
            ("select", &[], FormKind::Select),
            ("select", &[("autocomplete", "cc-exp-month")], FormKind::Removed),
            ("option", &[], FormKind::Option),
            ("button", &[], FormKind::Label),
            ("div", &[("contenteditable", "")], FormKind::Editable),
            ("div", &[("contenteditable", "false")], FormKind::None),
            ("div", &[], FormKind::None),
        ];
        for (tag, a, want) in cases {
            assert_eq!(classify(tag, &attrs(a)), *want, "{tag} {a:?}");
        }
    }

    #[test]
    fn upgrades_only_towards_private() {
        let text = Value::from("text");
        assert_eq!(upgrade(FormKind::Removed, "type", &text), FormKind::Removed);
        assert_eq!(upgrade(FormKind::Text, "type", &Value::from("password")), FormKind::Removed);
        assert_eq!(upgrade(FormKind::Text, "autocomplete", &Value::from("cc-number")), FormKind::Removed);
        assert_eq!(upgrade(FormKind::None, "contenteditable", &Value::from("true")), FormKind::Editable);
        assert_eq!(upgrade(FormKind::Text, "type", &Value::from("submit")), FormKind::Text);
    }

    #[test]
    fn unprimed_tables_answer_unknown_and_overflow_fails_closed() {
        let mut t = NodeTable::new(2);
        assert_eq!(t.lookup(Some(1)).flags, flags::UNKNOWN);
        t.reset_primed();
        assert_eq!(t.lookup(Some(1)), NodeInfo::default());
        let field = NodeInfo { flags: 0, kind: FormKind::Text };
        t.record(Some(1), field, SelState::default());
        t.record(Some(2), field, SelState::default());
        assert_eq!(t.lookup(Some(2)).kind, FormKind::Text);
        t.record(Some(3), field, SelState::default());
        assert!(!t.is_primed());
        assert_eq!(t.overflows(), 1);
        assert_eq!(t.lookup(Some(1)).flags, flags::UNKNOWN);
    }

    #[test]
    fn removed_is_sticky() {
        let mut t = NodeTable::new(10);
        t.reset_primed();
        t.record(Some(5), NodeInfo { flags: 0, kind: FormKind::Removed }, SelState::default());
        t.record(Some(5), NodeInfo { flags: 0, kind: FormKind::Text }, SelState::default());
        assert_eq!(t.lookup(Some(5)).kind, FormKind::Removed);
        t.forget(Some(5));
        assert_eq!(t.lookup(Some(5)).kind, FormKind::Removed);
    }
}
