//! Text that reads as one value across inline elements:
//! `<span>06</span> 12345678`, `<b>4111</b> 1111 1111 1111`,
//! `jan<wbr>@example.nl`, React's `06<!-- -->12345678`.
//!
//! Before a block element's children are masked one by one (each text
//! node with its adjacent sibling text nodes, see [`crate::nodes`]), the
//! text of its inline flow is scanned as one string, so a finding the
//! markup splits is masked whole; the nodes' own scans then find nothing
//! more in it. Block
//! elements, line breaks, form fields and text the rules do not scan
//! (blocked, unmasked, form values) end a flow: a phone number never
//! continues from one table cell, list item or paragraph into the next.

use veil_events::{NodeType, Value};

use crate::nodes::{Parent, element_info, node_type};
use crate::report::FieldKind;
use crate::rules::MaskingRules;
use crate::structural::{TextPolicy, text_policy};
use crate::text::Masker;

/// Elements whose text continues the text around them on the same line
/// (HTML's phrasing content without a line break or a form control).
const INLINE: [&str; 29] = [
    "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "del", "dfn", "em", "font", "i", "ins", "kbd",
    "label", "mark", "nobr", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var",
];

/// Whether an element of this tag continues the flow of its parent.
pub(crate) fn is_inline(tag: &str) -> bool {
    INLINE.iter().any(|t| t.eq_ignore_ascii_case(tag))
}

/// `<wbr>`: a line-break opportunity that renders as nothing, so the text
/// on either side is one run (`jan<wbr>@example.nl`).
fn is_word_break(tag: &str) -> bool {
    tag.eq_ignore_ascii_case("wbr")
}

/// Text parts of one stretch of inline flow, and whether the stretch
/// crosses an element (only then is there anything new to find).
#[derive(Default)]
struct Stretch<'a, 'v> {
    parts: Vec<&'a mut Value<'v>>,
    crosses: bool,
}

/// Scans the inline flow of a block element's children (`parent` is what
/// they inherit) as one string per stretch between breaks.
pub(crate) fn scan_inline_flow(m: &mut Masker<'_>, children: &mut [Value<'_>], parent: Parent) {
    if !has_inline_element(children) {
        return;
    }
    let mut stretches = vec![Stretch::default()];
    collect(m.rules, children, parent, &mut stretches);
    for stretch in &mut stretches {
        if stretch.crosses && stretch.parts.len() >= 2 {
            m.scan_run(&mut stretch.parts, FieldKind::Text);
        }
    }
}

/// Cheap test before collecting: a flow without inline elements was
/// already scanned whole as sibling runs.
fn has_inline_element(children: &[Value<'_>]) -> bool {
    children.iter().any(|c| {
        node_type(c) == Some(NodeType::Element)
            && c.get("tagName")
                .and_then(Value::as_str)
                .is_some_and(|tag| is_inline(tag) || is_word_break(tag))
    })
}

/// Appends the text of `nodes` (children of `parent`) to the last
/// stretch, starting a new one at every break.
fn collect<'a, 'v>(
    rules: &MaskingRules,
    nodes: &'a mut [Value<'v>],
    parent: Parent,
    stretches: &mut Vec<Stretch<'a, 'v>>,
) {
    let scan = matches!(text_policy(parent.info()), TextPolicy::Scan);
    for node in nodes.iter_mut() {
        match node_type(node) {
            Some(NodeType::Text) if scan => {
                if let Some(text) = node.get_mut("textContent") {
                    last(stretches).parts.push(text);
                }
            }
            // Comments and word-break opportunities render as nothing:
            // `06<!-- -->12345678` and `jan<wbr>@example.nl` are one run.
            Some(NodeType::Comment) => {}
            Some(NodeType::Element)
                if node.get("tagName").and_then(Value::as_str).is_some_and(is_word_break) =>
            {
                last(stretches).crosses = true;
            }
            Some(NodeType::Element) => match inline_scanned(rules, node, parent) {
                Some(inner) => {
                    if let Some(children) = node.get_mut("childNodes").and_then(Value::as_array_mut) {
                        last(stretches).crosses = true;
                        collect(rules, children, inner, stretches);
                        last(stretches).crosses = true;
                    }
                }
                None => end_stretch(stretches),
            },
            _ => end_stretch(stretches),
        }
    }
}

/// What the children of `node` inherit, if it is an inline element that
/// is neither blocked nor a form field; `None` breaks the flow.
fn inline_scanned(rules: &MaskingRules, node: &Value<'_>, parent: Parent) -> Option<Parent> {
    let tag = node.get("tagName").and_then(Value::as_str).filter(|tag| is_inline(tag))?;
    let attrs = node.get("attributes").and_then(Value::as_map).unwrap_or(&[]);
    let (info, matched) = element_info(rules, tag, attrs, parent);
    (!matched.block && info.kind == Default::default()).then(|| Parent::of(info, matched.state))
}

fn end_stretch(stretches: &mut Vec<Stretch<'_, '_>>) {
    if !last(stretches).parts.is_empty() {
        stretches.push(Stretch::default());
    }
}

fn last<'s, 'a, 'v>(stretches: &'s mut Vec<Stretch<'a, 'v>>) -> &'s mut Stretch<'a, 'v> {
    if stretches.is_empty() {
        stretches.push(Stretch::default());
    }
    let at = stretches.len() - 1;
    &mut stretches[at]
}
