//! Selectors for clicks derived from rrweb events, resolved from the DOM
//! the same batch serialised.
//!
//! An rrweb click names its target by node id only. When the batch also
//! carries the node (in a FullSnapshot, or added by a Mutation), the click
//! gets a short selector `tag#id.class1.class2.class3` so element clicks can
//! be counted as for `veil.click`. The batch has been masked by then, but
//! `id` and `class` attributes are not masked text: parts that look like
//! ids or personal data ([`crate::looks_like_id`]) are left out, and so are
//! parts that are not plain CSS identifiers. A node serialised twice (a
//! later snapshot) is described by its latest serialisation.

use std::collections::{HashMap, HashSet};

use veil_events::{Event, EventType, IncrementalSource, NodeType, Value};

use crate::carry::KnownNodes;
use crate::page_key::looks_like_id;

/// Classes kept per selector: enough to tell a primary from a secondary
/// button, few enough to stay readable and low-cardinality.
const MAX_CLASSES: usize = 3;
/// Longest `id` or class name kept.
const MAX_NAME_LEN: usize = 64;

/// Selectors of the element nodes among `targets` that the events serialise.
pub(crate) fn describe(events: &[Event<'_>], targets: &HashSet<u64>) -> HashMap<u64, String> {
    let mut found = HashMap::new();
    if targets.is_empty() {
        return found;
    }
    walk(events, |seen| {
        if let Seen::Node(id, node) = seen
            && targets.contains(&id)
            && let Some(selector) = selector(node)
        {
            found.insert(id, selector);
        }
    });
    found
}

/// Records the selector of every element node the events serialise into
/// `known` (a FullSnapshot first forgets what was known: its ids start
/// over), so clicks of later batches can be named.
pub(crate) fn learn(events: &[Event<'_>], known: &mut KnownNodes) {
    walk(events, |seen| match seen {
        Seen::Snapshot => known.clear(),
        Seen::Node(id, node) => {
            if let Some(selector) = selector(node) {
                known.insert(id, selector);
            }
        }
    });
}

/// What [`walk`] meets.
enum Seen<'v, 'a> {
    /// A FullSnapshot starts (node ids start over).
    Snapshot,
    /// A serialised node with its id.
    Node(u64, &'v Value<'a>),
}

/// Every node the events serialise (FullSnapshots and Mutation adds), in
/// order; iterative, as serialised DOM trees are as deep as the decoder
/// allows.
fn walk<'v, 'a>(events: &'v [Event<'a>], mut visit: impl FnMut(Seen<'v, 'a>)) {
    let mut stack: Vec<&'v Value<'a>> = Vec::new();
    for event in events {
        match event.kind {
            EventType::FullSnapshot => {
                visit(Seen::Snapshot);
                stack.extend(event.data.get("node"));
            }
            EventType::IncrementalSnapshot if event.source() == Some(IncrementalSource::Mutation) => {
                let adds = event.data.get("adds").and_then(Value::as_array).unwrap_or_default();
                stack.extend(adds.iter().filter_map(|add| add.get("node")));
            }
            _ => continue,
        }
        while let Some(node) = stack.pop() {
            if let Some(id) = node.get("id").and_then(Value::as_u64) {
                visit(Seen::Node(id, node));
            }
            if let Some(children) = node.get("childNodes").and_then(Value::as_array) {
                stack.extend(children);
            }
        }
    }
}

/// `tag#id.class…` of a serialised element node.
pub(crate) fn selector(node: &Value<'_>) -> Option<String> {
    let kind = node.get("type").and_then(Value::as_u64).map(NodeType::from_u64);
    if kind != Some(NodeType::Element) {
        return None;
    }
    let tag = node.get("tagName").and_then(Value::as_str)?;
    if tag.is_empty()
        || tag.len() > MAX_NAME_LEN
        || !tag.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        return None;
    }
    let mut selector = tag.to_ascii_lowercase();
    let attributes = node.get("attributes");
    let attribute = |name| attributes.and_then(|a| a.get(name)).and_then(Value::as_str);
    if let Some(id) = attribute("id").filter(|id| plain_name(id)) {
        selector.push('#');
        selector.push_str(id);
    }
    let classes = attribute("class").unwrap_or_default().split_ascii_whitespace();
    for class in classes.filter(|class| plain_name(class)).take(MAX_CLASSES) {
        selector.push('.');
        selector.push_str(class);
    }
    Some(selector)
}

/// A CSS identifier that needs no escaping and says nothing about a person
/// or an object.
fn plain_name(name: &str) -> bool {
    let first_ok = name.bytes().next().is_some_and(|b| b.is_ascii_alphabetic() || b == b'_' || b == b'-');
    first_ok
        && name.len() <= MAX_NAME_LEN
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        && !looks_like_id(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{element, map, s};

    #[test]
    fn selectors_from_a_snapshot_and_mutations() {
        let text = map(vec![("type", Value::Int(3)), ("id", Value::Int(6)), ("textContent", s("Buy"))]);
        let buy = element(
            5,
            "BUTTON",
            vec![("id", "buy"), ("class", "btn  btn-primary js-7f3a9c2e1d4b8f6a0c5e wide extra")],
            vec![text],
        );
        let order = element(4, "a", vec![("id", "order-12345678"), ("class", "2col link")], vec![]);
        let odd = element(3, "my widget", vec![], vec![]);
        let body = element(2, "body", vec![("class", "home")], vec![buy, order, odd]);
        let snapshot = map(vec![(
            "node",
            map(vec![
                ("type", Value::Int(0)),
                ("id", Value::Int(1)),
                ("childNodes", Value::Array(vec![body])),
            ]),
        )]);
        let added = element(9, "div", vec![("class", "toast jane@example.com")], vec![]);
        let mutation = map(vec![
            ("source", Value::Int(0)),
            ("adds", Value::Array(vec![map(vec![("parentId", Value::Int(2)), ("node", added)])])),
        ]);
        let events = vec![
            Event::new(EventType::FullSnapshot, 1, snapshot),
            Event::new(EventType::IncrementalSnapshot, 2, mutation),
        ];
        let targets: HashSet<u64> = [1, 2, 3, 4, 5, 6, 9, 77].into();
        let found = describe(&events, &targets);
        let expected: HashMap<u64, String> = [
            (2, "body.home".to_string()),
            (4, "a.link".to_string()),
            (5, "button#buy.btn.btn-primary.wide".to_string()),
            (9, "div.toast".to_string()),
        ]
        .into();
        assert_eq!(found, expected);
        assert!(describe(&events, &HashSet::new()).is_empty());
    }
}
