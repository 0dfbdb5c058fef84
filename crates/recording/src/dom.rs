//! Building rrweb serialized nodes: ids, boxes, regions of the page.
use std::collections::HashMap;

use serde_json::{Value, json};

/// A box in document coordinates (or viewport coordinates when `fixed`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rect {
    pub(crate) x: i64,
    pub(crate) y: i64,
    pub(crate) w: i64,
    pub(crate) h: i64,
}

/// Something under the cursor: an element's id, its box, and the masked
/// selector the recorder would report for a click on it.
#[derive(Debug, Clone)]
pub(crate) struct Region {
    pub(crate) id: i64,
    pub(crate) rect: Rect,
    pub(crate) fixed: bool,
    pub(crate) selector: String,
}

/// Builds serialized rrweb nodes. Ids are provisional (negative) while a
/// tree is built bottom-up and renumbered in document order afterwards, as
/// rrweb assigns them while walking the DOM.
#[derive(Debug, Default)]
pub(crate) struct Dom {
    pub(crate) provisional: i64,
    pub(crate) regions: Vec<Region>,
    /// The site's seed for what every visitor is served alike.
    pub(crate) site: Option<u64>,
}

impl Dom {
    pub(crate) fn next(&mut self) -> i64 {
        self.provisional -= 1;
        self.provisional
    }

    pub(crate) fn text(&mut self, text: impl Into<String>) -> Value {
        json!({"type": 3, "textContent": text.into(), "id": self.next()})
    }

    /// Inter-element whitespace, which rrweb keeps as text nodes.
    pub(crate) fn ws(&mut self, depth: usize) -> Value {
        self.text(format!("\n{}", "  ".repeat(depth)))
    }

    pub(crate) fn el(&mut self, tag: &str, attrs: &[(&str, &str)], children: Vec<Value>) -> Value {
        let attributes: serde_json::Map<String, Value> =
            attrs.iter().map(|(k, v)| ((*k).to_owned(), Value::from(*v))).collect();
        let id = self.next();
        json!({"type": 2, "tagName": tag, "attributes": attributes, "childNodes": children, "id": id})
    }

    /// Block children separated by whitespace text nodes, as in served HTML.
    pub(crate) fn block(
        &mut self,
        tag: &str,
        attrs: &[(&str, &str)],
        children: Vec<Value>,
        depth: usize,
    ) -> Value {
        let mut spaced = Vec::with_capacity(children.len() * 2 + 1);
        for child in children {
            spaced.push(self.ws(depth + 1));
            spaced.push(child);
        }
        spaced.push(self.ws(depth));
        self.el(tag, attrs, spaced)
    }

    /// Registers `node` as something the cursor can be over.
    pub(crate) fn region(&mut self, node: &Value, rect: Rect, selector: &str) -> i64 {
        let id = node["id"].as_i64().unwrap_or(0);
        self.regions.push(Region { id, rect, fixed: false, selector: selector.to_owned() });
        id
    }

    pub(crate) fn fixed_region(&mut self, node: &Value, rect: Rect, selector: &str) -> i64 {
        let id = self.region(node, rect, selector);
        if let Some(region) = self.regions.last_mut() {
            region.fixed = true;
        }
        id
    }
}

/// One element's entry in a mutation's `attributes` (`null` removes an
/// attribute; `style` is a map of changed properties, as rrweb 2.x sends).
pub(crate) fn attr(id: i64, attributes: Value) -> Value {
    json!({"id": id, "attributes": attributes})
}

pub(crate) fn id_of(node: &Value) -> i64 {
    node["id"].as_i64().unwrap_or(0)
}

/// Gives every provisional (negative) id in `node` the next id in document
/// order, recording old → new in `map`.
pub(crate) fn renumber(node: &mut Value, next: &mut i64, map: &mut HashMap<i64, i64>) {
    if let Some(old) = node["id"].as_i64().filter(|id| *id < 0) {
        *next += 1;
        map.insert(old, *next);
        node["id"] = json!(*next);
    }
    if let Some(children) = node.get_mut("childNodes").and_then(Value::as_array_mut) {
        for child in children {
            renumber(child, next, map);
        }
    }
}

pub(crate) fn count_nodes(node: &Value) -> usize {
    1 + node["childNodes"].as_array().map_or(0, |children| children.iter().map(count_nodes).sum())
}

pub(crate) fn find_mut(node: &mut Value, id: i64) -> Option<&mut Value> {
    if node["id"].as_i64() == Some(id) {
        return Some(node);
    }
    node.get_mut("childNodes")?.as_array_mut()?.iter_mut().find_map(|child| find_mut(child, id))
}

/// A subtree as rrweb's mutation observer reports an insertion: one flat
/// `adds` entry per node, each without children, parents first.
pub(crate) fn flat_adds(node: &Value, parent_id: i64, next_id: Option<i64>, out: &mut Vec<Value>) {
    let mut own = node.clone();
    if own.get("childNodes").is_some() {
        own["childNodes"] = json!([]);
    }
    out.push(json!({"parentId": parent_id, "nextId": next_id, "node": own}));
    if let Some(children) = node["childNodes"].as_array() {
        for (i, child) in children.iter().enumerate() {
            let next = children.get(i + 1).map(id_of);
            flat_adds(child, id_of(node), next, out);
        }
    }
}
