//! Walking rrweb serialized nodes (`serializedNodeWithId`) of a
//! FullSnapshot or of a Mutation's added node: classify, mask, remember.
//!
//! Adjacent sibling text nodes are scanned as one string (the split-match
//! guarantee of the crate documentation); comments and CDATA are scanned
//! on their own, and text that continues across inline elements is
//! scanned again as one string once its block is masked ([`crate::flow`]).

use veil_events::{Entry, NodeType, Value};

use crate::flow::{is_inline, scan_inline_flow};
use crate::report::FieldKind;
use crate::rules::MaskingRules;
use crate::rules::RuleId;
use crate::selectors::{Matched, SelState};
use crate::structural::{
    FIELD_ATTRIBUTES, SIZE_ATTRIBUTES, TextPolicy, mask_attributes, placeholder, text_policy,
};
use crate::text::Masker;
use crate::tree::{FormKind, NodeId, NodeInfo, NodeTable, classify, flags};

/// What a node inherits from its parent.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Parent {
    pub flags: u8,
    pub sel: SelState,
}

impl Parent {
    /// The context of the children of a node the table knows as `info`.
    pub(crate) fn of(info: NodeInfo, sel: SelState) -> Parent {
        Parent { flags: info.child_flags(), sel }
    }

    pub(crate) fn info(self) -> NodeInfo {
        NodeInfo { flags: self.flags, kind: Default::default() }
    }
}

pub(crate) fn node_id(node: &Value<'_>) -> Option<NodeId> {
    node.get("id").and_then(Value::as_u64)
}

pub(crate) fn node_type(node: &Value<'_>) -> Option<NodeType> {
    node.get("type").and_then(Value::as_u64).map(NodeType::from_u64)
}

/// Masks one node and its subtree.
pub(crate) fn walk_node(m: &mut Masker<'_>, table: &mut NodeTable, node: &mut Value<'_>, parent: Parent) {
    match node_type(node) {
        Some(NodeType::Element) => element(m, table, node, parent),
        Some(NodeType::Text | NodeType::Comment | NodeType::Cdata) => {
            text_run(m, table, std::slice::from_mut(node), parent);
        }
        Some(NodeType::Document) => {
            if let Some(children) = node.get_mut("childNodes").and_then(Value::as_array_mut) {
                walk_children(m, table, children, parent);
            }
        }
        Some(NodeType::DocumentType) => {}
        // A node kind rrweb does not define: its strings are scanned.
        Some(NodeType::Unknown(_)) | None => match text_policy(parent.info()) {
            TextPolicy::Scan => m.scan_tree(node, FieldKind::Text),
            TextPolicy::Star(rule) => star_tree(m, node, rule),
            TextPolicy::Drop | TextPolicy::Keep => {}
        },
    }
}

fn star_tree(m: &mut Masker<'_>, v: &mut Value<'_>, rule: RuleId) {
    match v {
        Value::Str(_) => {
            m.star_value(v, rule, FieldKind::Text);
        }
        Value::Array(items) => items.iter_mut().for_each(|i| star_tree(m, i, rule)),
        Value::Map(entries) => entries.iter_mut().for_each(|(_, i)| star_tree(m, i, rule)),
        _ => {}
    }
}

/// Children in order; runs of adjacent text nodes go together.
pub(crate) fn walk_children(
    m: &mut Masker<'_>,
    table: &mut NodeTable,
    children: &mut [Value<'_>],
    parent: Parent,
) {
    let mut i = 0;
    while i < children.len() {
        if node_type(&children[i]) == Some(NodeType::Text) {
            let run = children[i..].iter().take_while(|c| node_type(c) == Some(NodeType::Text)).count();
            text_run(m, table, &mut children[i..i + run], parent);
            i += run;
        } else if let Some(child) = children.get_mut(i) {
            walk_node(m, table, child, parent);
            i += 1;
        }
    }
}

/// Text, comment or CDATA nodes that are adjacent siblings under `parent`.
pub(crate) fn text_run(m: &mut Masker<'_>, table: &mut NodeTable, nodes: &mut [Value<'_>], parent: Parent) {
    for node in nodes.iter() {
        table.record(node_id(node), parent.info(), SelState::default());
    }
    match text_policy(parent.info()) {
        TextPolicy::Drop | TextPolicy::Keep => {}
        TextPolicy::Star(rule) => {
            for node in nodes.iter_mut() {
                if let Some(text) = node.get_mut("textContent") {
                    m.star_value(text, rule, FieldKind::Text);
                }
            }
        }
        TextPolicy::Scan => {
            if let [node] = nodes {
                if let Some(text) = node.get_mut("textContent") {
                    m.scan_value(text, FieldKind::Text);
                }
            } else {
                let mut texts: Vec<&mut Value<'_>> =
                    nodes.iter_mut().filter_map(|n| n.get_mut("textContent")).collect();
                m.scan_run(&mut texts, FieldKind::Text);
            }
        }
    }
}

/// An element: selectors, classification, placeholder or attributes,
/// then its children.
fn element(m: &mut Masker<'_>, table: &mut NodeTable, node: &mut Value<'_>, parent: Parent) {
    let id = node_id(node);
    let Some(entries) = node.as_map_mut() else { return };
    let (mut tag, mut attrs, mut children) = (None, None, None);
    for (key, value) in entries.iter_mut() {
        match key.as_ref() {
            "tagName" => tag = Some(&*value),
            "attributes" => attrs = Some(value),
            "childNodes" => children = Some(value),
            _ => {}
        }
    }
    let tag = tag.and_then(Value::as_str).unwrap_or("");
    let attr_entries = attrs.as_deref().and_then(Value::as_map).unwrap_or(&[]);
    let (mut info, matched) = element_info(m.rules, tag, attr_entries, parent);
    // A removed field (SPEC §5: password, hidden, cc-*, one-time-code) is
    // blocked too: an empty box that keeps its type and size, so the
    // replayed layout and rrweb's references to it hold.
    let removed = info.kind == FormKind::Removed;
    if matched.block || removed {
        info.flags |= flags::BLOCK_ROOT;
        if let Some(children) = children.as_deref().and_then(Value::as_array) {
            children.iter().for_each(|child| mark_blocked(table, child));
        }
        if removed {
            if placeholder(attrs, children, FIELD_ATTRIBUTES) {
                m.count(RuleId::REMOVED_FIELD, FieldKind::RemovedField);
            }
        } else if placeholder(attrs, children, SIZE_ATTRIBUTES) {
            m.count(RuleId::BLOCKED_ELEMENT, FieldKind::BlockedElement);
        }
        table.record(id, info, matched.state);
        return;
    }
    if let Some(entries) = attrs.and_then(Value::as_map_mut) {
        mask_attributes(m, entries, info);
    }
    table.record(id, info, matched.state);
    if let Some(children) = children.and_then(Value::as_array_mut) {
        let parent = Parent::of(info, matched.state);
        // The flow first, on text as the page had it: a node's own scan
        // could mask part of a value (`0417 1643 00` of an IBAN split by
        // a `<span>`) and hide the whole from the flow.
        if !is_inline(tag) {
            scan_inline_flow(m, children, parent);
        }
        walk_children(m, table, children, parent);
    }
}

/// What the rules make of an element under `parent`: its node info and
/// its selector matches (block, unmask, and what its children inherit).
pub(crate) fn element_info(
    rules: &MaskingRules,
    tag: &str,
    attrs: &[Entry<'_>],
    parent: Parent,
) -> (NodeInfo, Matched) {
    let matched = rules.selectors.step(tag, Some(attrs), parent.sel);
    let mut info = NodeInfo { flags: parent.flags, kind: classify(tag, attrs) };
    if matched.unmask {
        info.flags |= flags::EXPLICIT_UNMASK;
    }
    (info, matched)
}

/// Remembers a node and its whole subtree as blocked, so later events
/// about any of them are dropped even though the nodes themselves are
/// gone from the output.
pub(crate) fn mark_blocked(table: &mut NodeTable, node: &Value<'_>) {
    let blocked = NodeInfo { flags: flags::BLOCKED, kind: Default::default() };
    let mut stack = vec![node];
    while let Some(node) = stack.pop() {
        table.record(node_id(node), blocked, SelState::default());
        if let Some(children) = node.get("childNodes").and_then(Value::as_array) {
            stack.extend(children.iter());
        }
    }
}
