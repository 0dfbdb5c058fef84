//! rrweb Mutation events (`data.removes`, `adds`, `texts`, `attributes`),
//! in the order the replayer applies them, and the batch-wide history of
//! text values that makes a progressively typed finding disappear from
//! every version of a text node.

use std::collections::HashMap;

use veil_events::{Event, NodeType, Value};

use crate::nodes::{Parent, mark_blocked, node_id, node_type, text_run, walk_node};
use crate::report::FieldKind;
use crate::rules::RuleId;
use crate::structural::{
    FIELD_ATTRIBUTES, SIZE_ATTRIBUTES, TextPolicy, keep_size_attributes, mask_attributes,
    text_mutation_policy, text_policy,
};
use crate::text::{CharSpan, Masker, apply_chars};
use crate::tree::{FormKind, NodeId, NodeTable, flags, upgrade};

/// Where one version of a text node's text sits in the batch.
#[derive(Debug, Clone, Copy)]
enum Loc {
    /// `data.adds[index].node.textContent` of event `event`.
    Add { event: usize, index: usize },
    /// `data.texts[index].value` of event `event`.
    Text { event: usize, index: usize },
}

/// Text versions and findings per text node, over one batch.
#[derive(Debug, Default)]
pub(crate) struct TextHistory {
    nodes: HashMap<NodeId, (Vec<Loc>, Vec<CharSpan>)>,
}

impl TextHistory {
    fn add(&mut self, id: Option<NodeId>, loc: Loc, spans: impl IntoIterator<Item = CharSpan>) {
        if let Some(id) = id {
            let (locs, all) = self.nodes.entry(id).or_default();
            locs.push(loc);
            all.extend(spans);
        }
    }

    /// Masks, in every version of a node's text, the character positions
    /// of every finding in any version.
    pub(crate) fn apply(self, m: &mut Masker<'_>, events: &mut [Event<'_>]) {
        for (locs, spans) in self.nodes.into_values() {
            if locs.len() < 2 || spans.is_empty() {
                continue;
            }
            for loc in locs {
                let (event, list, index, field) = match loc {
                    Loc::Add { event, index } => (event, "adds", index, None),
                    Loc::Text { event, index } => (event, "texts", index, Some("value")),
                };
                let entry = events
                    .get_mut(event)
                    .and_then(|e| e.data.get_mut(list))
                    .and_then(Value::as_array_mut)
                    .and_then(|items| items.get_mut(index));
                let text = match (entry, field) {
                    (Some(entry), Some(field)) => entry.get_mut(field),
                    (Some(entry), None) => entry.get_mut("node").and_then(|n| n.get_mut("textContent")),
                    (None, _) => None,
                };
                if let Some(Value::Str(s)) = text
                    && let Some(masked) = apply_chars(s, &spans)
                {
                    *s = masked.into();
                    m.count(spans[0].rule, FieldKind::Text);
                    // Back to a fixed point (see `Masker::scan_cow`).
                    m.scan_cow(s, FieldKind::Text);
                }
            }
        }
    }
}

/// Masks one Mutation event's data; `event` is its index in the batch.
pub(crate) fn mask(
    m: &mut Masker<'_>,
    table: &mut NodeTable,
    data: &mut Value<'_>,
    event: usize,
    history: &mut TextHistory,
) {
    let Some(entries) = data.as_map_mut() else { return };
    let (mut removes, mut adds, mut texts, mut attributes) = (None, None, None, None);
    for (key, value) in entries.iter_mut() {
        match key.as_ref() {
            "removes" => removes = value.as_array_mut(),
            "adds" => adds = value.as_array_mut(),
            "texts" => texts = value.as_array_mut(),
            "attributes" => attributes = value.as_array_mut(),
            _ => m.scan_tree(value, FieldKind::Text),
        }
    }
    if let Some(removes) = removes {
        removes.retain(|r| {
            let id = node_id(r);
            let inside_block = table.lookup(id).has(flags::BLOCKED);
            table.forget(id);
            if inside_block {
                m.count(RuleId::BLOCKED_ELEMENT, FieldKind::BlockedElement);
            }
            !inside_block
        });
    }
    if let Some(adds) = adds {
        mask_adds(m, table, adds, event, history);
    }
    if let Some(texts) = texts {
        mask_texts(m, table, texts, event, history);
    }
    if let Some(attributes) = attributes {
        attributes.retain_mut(|entry| mask_attribute_entry(m, table, entry));
    }
}

fn parent_id(add: &Value<'_>) -> Option<NodeId> {
    add.get("parentId").and_then(Value::as_u64)
}

fn added_node_id(add: &Value<'_>) -> Option<NodeId> {
    add.get("node").and_then(node_id)
}

/// Adds, parents before children; text nodes added to one parent are
/// scanned together, in document order.
fn mask_adds(
    m: &mut Masker<'_>,
    table: &mut NodeTable,
    adds: &mut Vec<Value<'_>>,
    event: usize,
    history: &mut TextHistory,
) {
    let mut keep = vec![true; adds.len()];
    let mut text_groups: Vec<(Option<NodeId>, Vec<usize>)> = Vec::new();
    for i in parents_first(adds) {
        let add = &mut adds[i];
        let parent = parent_id(add);
        let info = table.lookup(parent);
        if info.blocked() {
            keep[i] = false;
            if let Some(node) = add.get("node") {
                mark_blocked(table, node);
            }
            m.count(RuleId::BLOCKED_ELEMENT, FieldKind::BlockedElement);
            continue;
        }
        let is_text = add.get("node").and_then(node_type) == Some(NodeType::Text);
        if is_text {
            match text_groups.iter_mut().find(|(p, _)| *p == parent) {
                Some((_, group)) => group.push(i),
                None => text_groups.push((parent, vec![i])),
            }
        } else if let Some(node) = add.get_mut("node") {
            walk_node(m, table, node, Parent::of(info, table.sel_of(parent)));
        }
    }
    // Kept adds move up when dropped ones are removed.
    let new_index: Vec<usize> =
        keep.iter().scan(0, |n, &k| Some(std::mem::replace(n, *n + usize::from(k)))).collect();
    for (parent, group) in text_groups {
        let context = Parent::of(table.lookup(parent), table.sel_of(parent));
        let ordered = document_order(adds, group);
        // Take the nodes out so the run can borrow them together.
        let mut nodes: Vec<Value<'_>> = ordered
            .iter()
            .map(|&i| adds[i].get_mut("node").map(std::mem::take).unwrap_or_default())
            .collect();
        let scanned = text_policy(context.info()) == TextPolicy::Scan;
        m.record = scanned.then(Vec::new);
        text_run(m, table, &mut nodes, context);
        let recorded = m.record.take().unwrap_or_default();
        for (part, (&i, node)) in ordered.iter().zip(nodes).enumerate() {
            if scanned {
                let spans = recorded.iter().filter(|(p, _)| *p == part).map(|(_, s)| *s);
                history.add(node_id(&node), Loc::Add { event, index: new_index[i] }, spans);
            }
            if let Some(slot) = adds[i].get_mut("node") {
                *slot = node;
            }
        }
    }
    let mut i = 0;
    adds.retain(|_| {
        i += 1;
        keep[i - 1]
    });
}

/// Indices of `adds` so that an add whose parent is added by the same
/// event comes after it. Cycles (only in hostile input) fall back to input
/// order.
fn parents_first(adds: &[Value<'_>]) -> Vec<usize> {
    if adds.len() < 2 {
        return (0..adds.len()).collect();
    }
    let index: HashMap<NodeId, usize> =
        adds.iter().enumerate().filter_map(|(i, a)| Some((added_node_id(a)?, i))).collect();
    let mut order = Vec::with_capacity(adds.len());
    let mut state = vec![0u8; adds.len()]; // 0 new, 1 in progress, 2 done
    let mut stack = Vec::new();
    for start in 0..adds.len() {
        stack.push(start);
        while let Some(&i) = stack.last() {
            if state[i] == 2 {
                stack.pop();
                continue;
            }
            let parent = parent_id(&adds[i]).and_then(|p| index.get(&p).copied()).filter(|&p| p != i);
            match parent {
                Some(p) if state[p] == 0 => {
                    state[i] = 1;
                    stack.push(p);
                }
                _ => {
                    state[i] = 2;
                    order.push(i);
                    stack.pop();
                }
            }
        }
    }
    order
}

/// A group of text adds of one parent in document order: `nextId` links
/// a node to the one after it. Nodes the links do not order keep input
/// order.
fn document_order(adds: &[Value<'_>], group: Vec<usize>) -> Vec<usize> {
    if group.len() < 2 {
        return group;
    }
    let next_of = |i: usize| adds[i].get("nextId").and_then(Value::as_u64);
    let id_of = |i: usize| added_node_id(&adds[i]);
    let mut ordered = Vec::with_capacity(group.len());
    let mut used = vec![false; group.len()];
    // Heads: nodes no other node in the group points to.
    for (k, &i) in group.iter().enumerate() {
        let pointed = group.iter().any(|&j| j != i && id_of(i).is_some() && next_of(j) == id_of(i));
        if pointed || used[k] {
            continue;
        }
        let mut cur = Some(k);
        while let Some(c) = cur.filter(|&c| !used[c]) {
            used[c] = true;
            ordered.push(group[c]);
            cur = next_of(group[c]).and_then(|n| group.iter().position(|&j| id_of(j) == Some(n)));
        }
    }
    ordered.extend(group.iter().enumerate().filter(|(k, _)| !used[*k]).map(|(_, &i)| i));
    ordered
}

fn mask_texts(
    m: &mut Masker<'_>,
    table: &mut NodeTable,
    texts: &mut Vec<Value<'_>>,
    event: usize,
    history: &mut TextHistory,
) {
    let mut kept = 0;
    texts.retain_mut(|entry| {
        let id = node_id(entry);
        let policy = text_mutation_policy(table.lookup(id));
        let Some(value) = entry.get_mut("value") else {
            kept += 1;
            return true;
        };
        match policy {
            TextPolicy::Drop => {
                m.count(RuleId::BLOCKED_ELEMENT, FieldKind::BlockedElement);
                return false;
            }
            TextPolicy::Star(rule) => {
                m.star_value(value, rule, FieldKind::Text);
            }
            TextPolicy::Keep => {}
            TextPolicy::Scan => {
                m.record = Some(Vec::new());
                m.scan_value(value, FieldKind::Text);
                let spans = m.record.take().unwrap_or_default().into_iter().map(|(_, s)| s);
                history.add(id, Loc::Text { event, index: kept }, spans);
            }
        }
        kept += 1;
        true
    });
}

/// One `attributes` entry; false to drop it.
fn mask_attribute_entry(m: &mut Masker<'_>, table: &mut NodeTable, entry: &mut Value<'_>) -> bool {
    let id = node_id(entry);
    let mut info = table.lookup(id);
    if info.has(flags::BLOCKED) {
        m.count(RuleId::BLOCKED_ELEMENT, FieldKind::BlockedElement);
        return false;
    }
    let Some(attrs) = entry.get_mut("attributes").and_then(Value::as_map_mut) else { return true };
    if info.has(flags::BLOCK_ROOT) {
        if info.kind == FormKind::Removed {
            if keep_size_attributes(attrs, FIELD_ATTRIBUTES) {
                m.count(RuleId::REMOVED_FIELD, FieldKind::RemovedField);
            }
        } else if keep_size_attributes(attrs, SIZE_ATTRIBUTES) {
            m.count(RuleId::BLOCKED_ELEMENT, FieldKind::BlockedElement);
        }
        return true;
    }
    let kind = attrs.iter().fold(info.kind, |k, (name, value)| upgrade(k, name, value));
    if kind != info.kind {
        table.set_kind(id, kind);
        info.kind = kind;
    }
    mask_attributes(m, attrs, info);
    true
}
