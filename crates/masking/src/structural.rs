//! Structural rules for one element: its form-field kind, its attributes,
//! and the block placeholder.
//!
//! Attribute policy, in order:
//! 1. `value` of a removed field (password, hidden, cc-*, one-time-code):
//!    the attribute is deleted (`removed_field`). A field serialized as
//!    removed is not handled here but turned into a placeholder that keeps
//!    [`FIELD_ATTRIBUTES`]; this rule is for a field that a mutation made
//!    removed after it was serialized.
//! 2. Attributes the site scrubs: `*` of the same length
//!    (`scrubbed_attribute`).
//! 3. `value` of text inputs, textareas, selects, options, checkboxes and
//!    radios: `*` of the same length (`form_value`), unless the element
//!    itself matches an unmask selector (then it is scanned). `value` of
//!    buttons (a label) and of other elements is scanned; `value` set by a
//!    mutation on a node the state does not know is masked.
//! 4. `selected` of an option is deleted: which option is chosen is the
//!    select's value (`form_value`). `checked` is state and stays.
//! 5. `id`, `class`, `type` and `checked` stay as they are: they are
//!    structure (selectors, classification and replay depend on them).
//! 6. On a node the session state does not know (see `tree.rs`), text
//!    attributes (`title`, `alt`, `placeholder`, `label`, `content`,
//!    `aria-*`, `data-*`) are masked wholesale (`unknown_node`).
//! 7. Every other string attribute (`title`, `alt`, `placeholder`,
//!    `aria-*`, `data-*`, `href`, `src`, `style`, `_cssText`, `content`,
//!    `action`, rrweb's `rr_*`, …) is scanned by the detectors; the base64
//!    payload of a `data:` URI (`rr_dataURL`, inline images) is skipped.

use std::borrow::Cow;

use veil_events::{Entry, Value};

use crate::report::FieldKind;
use crate::rules::RuleId;
use crate::text::Masker;
use crate::tree::{FormKind, NodeInfo, flags};

/// Attributes a block placeholder keeps: enough for the layout.
pub(crate) const SIZE_ATTRIBUTES: &[&str] = &["id", "class", "width", "height", "rr_width", "rr_height"];

/// Attributes a removed field's placeholder keeps: the size ones, and what
/// keeps it classified (and a hidden input hidden) in the replay.
pub(crate) const FIELD_ATTRIBUTES: &[&str] =
    &["id", "class", "width", "height", "rr_width", "rr_height", "type", "autocomplete"];

/// Style properties a block placeholder keeps.
const SIZE_PROPERTIES: [&str; 6] = ["width", "height", "min-width", "min-height", "max-width", "max-height"];

/// Applies the attribute policy to an element's attribute map (from a
/// snapshot, an added node or an attribute mutation).
pub(crate) fn mask_attributes(m: &mut Masker<'_>, attrs: &mut Vec<Entry<'_>>, info: NodeInfo) {
    let explicit = info.has(flags::EXPLICIT_UNMASK);
    attrs.retain_mut(|(name, value)| {
        if value.is_null() {
            return true;
        }
        let is = |n: &str| name.eq_ignore_ascii_case(n);
        if is("value") && info.kind == FormKind::Removed {
            m.count(RuleId::REMOVED_FIELD, FieldKind::RemovedField);
            return false;
        }
        if m.rules.scrubs(name) {
            star_or_scan(m, value, RuleId::SCRUBBED_ATTRIBUTE);
            return true;
        }
        if is("value") {
            if (info.kind.masks_value() && !explicit)
                || (info.kind == FormKind::None && info.has(flags::UNKNOWN))
            {
                star_or_scan(m, value, RuleId::FORM_VALUE);
            } else {
                m.scan_tree(value, FieldKind::Attribute);
            }
            return true;
        }
        if is("selected") && info.kind == FormKind::Option && !explicit {
            m.count(RuleId::FORM_VALUE, FieldKind::Attribute);
            return false;
        }
        if is("id") || is("class") || is("type") || is("checked") {
            return true;
        }
        if info.has(flags::UNKNOWN) && text_like(name) {
            star_or_scan(m, value, RuleId::UNKNOWN_NODE);
            return true;
        }
        m.scan_tree(value, FieldKind::Attribute);
        true
    });
}

/// Stars for strings; numbers and other scalars are replaced by an empty
/// string when the rule demands wholesale masking of a non-string.
fn star_or_scan(m: &mut Masker<'_>, value: &mut Value<'_>, rule: RuleId) {
    match value {
        Value::Str(_) => {
            m.star_value(value, rule, FieldKind::Attribute);
        }
        Value::Int(_) | Value::UInt(_) | Value::Float(_) => {
            *value = Value::Str(Cow::Borrowed(""));
            m.count(rule, FieldKind::Attribute);
        }
        Value::Map(_) | Value::Array(_) => m.scan_tree(value, FieldKind::Attribute),
        _ => {}
    }
}

/// Attributes that hold text for people rather than structure.
fn text_like(name: &str) -> bool {
    ["title", "alt", "placeholder", "label", "content", "value"].iter().any(|n| name.eq_ignore_ascii_case(n))
        || starts_with_ci(name, "aria-")
        || starts_with_ci(name, "data-")
}

fn starts_with_ci(s: &str, prefix: &str) -> bool {
    s.get(..prefix.len()).is_some_and(|p| p.eq_ignore_ascii_case(prefix))
}

/// Turns an element into a placeholder: only the `keep` attributes (and
/// the size declarations of `style`) stay, children go. Returns whether
/// anything changed.
pub(crate) fn placeholder(
    attrs: Option<&mut Value<'_>>,
    children: Option<&mut Value<'_>>,
    keep: &[&str],
) -> bool {
    let mut changed = false;
    if let Some(entries) = attrs.and_then(Value::as_map_mut) {
        changed |= keep_size_attributes(entries, keep);
    }
    if let Some(items) = children.and_then(Value::as_array_mut)
        && !items.is_empty()
    {
        items.clear();
        changed = true;
    }
    changed
}

/// Drops every attribute but the `keep` ones, and every style declaration
/// but sizes. Returns whether anything changed.
pub(crate) fn keep_size_attributes(entries: &mut Vec<Entry<'_>>, keep: &[&str]) -> bool {
    let before = entries.len();
    let mut changed = false;
    entries.retain_mut(|(name, value)| {
        if keep.iter().any(|a| name.eq_ignore_ascii_case(a)) {
            return true;
        }
        if !name.eq_ignore_ascii_case("style") {
            return false;
        }
        match value {
            Value::Str(style) => match size_style(style) {
                None => false,
                Some(kept) if kept == style.as_ref() => true,
                Some(kept) => {
                    *style = Cow::Owned(kept);
                    changed = true;
                    true
                }
            },
            Value::Map(decls) => {
                let n = decls.len();
                decls.retain(|(prop, _)| SIZE_PROPERTIES.iter().any(|p| prop.eq_ignore_ascii_case(p)));
                changed |= decls.len() != n;
                !decls.is_empty()
            }
            Value::Null => true,
            _ => false,
        }
    });
    changed || entries.len() != before
}

/// The size declarations of a style attribute, joined by `;`; `None` when
/// there are none.
fn size_style(style: &str) -> Option<String> {
    let kept: Vec<&str> = style
        .split(';')
        .map(str::trim)
        .filter(|decl| {
            decl.split_once(':')
                .is_some_and(|(prop, _)| SIZE_PROPERTIES.iter().any(|p| prop.trim().eq_ignore_ascii_case(p)))
        })
        .collect();
    (!kept.is_empty()).then(|| kept.join(";"))
}

/// What to do with text that belongs to a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TextPolicy {
    /// Inside a blocked subtree: drop the event or entry.
    Drop,
    /// A form value: `*` of the same length, counted under the rule.
    Star(RuleId),
    /// Under an unmask selector: leave as is.
    Keep,
    /// Scan for PII.
    Scan,
}

/// The policy for text whose node (or, for a text node being added, whose
/// parent's children) has `info`.
pub(crate) fn text_policy(info: NodeInfo) -> TextPolicy {
    if info.blocked() {
        TextPolicy::Drop
    } else if info.has(flags::MASK_TEXT) {
        TextPolicy::Star(RuleId::FORM_VALUE)
    } else if info.has(flags::UNKNOWN) {
        TextPolicy::Star(RuleId::UNKNOWN_NODE)
    } else if info.has(flags::UNMASK) {
        TextPolicy::Keep
    } else {
        TextPolicy::Scan
    }
}

/// The policy for a `texts` mutation targeting a node with `info`: like
/// [`text_policy`], but a form element itself (a textarea whose text is
/// set directly) counts as a form value too.
pub(crate) fn text_mutation_policy(info: NodeInfo) -> TextPolicy {
    let own = NodeInfo { flags: info.flags, kind: FormKind::None };
    match text_policy(own) {
        TextPolicy::Scan | TextPolicy::Keep
            if !info.has(flags::EXPLICIT_UNMASK)
                && matches!(
                    info.kind,
                    FormKind::Text
                        | FormKind::Select
                        | FormKind::Option
                        | FormKind::Editable
                        | FormKind::Removed
                ) =>
        {
            TextPolicy::Star(RuleId::FORM_VALUE)
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_style_table() {
        let cases = [
            ("width: 300px; height: 200px; color: red", Some("width: 300px;height: 200px")),
            ("color: red; background: url(x)", None),
            ("width:1px;", Some("width:1px")),
            ("MIN-HEIGHT: 4em; font: 12px a", Some("MIN-HEIGHT: 4em")),
        ];
        for (style, want) in cases {
            assert_eq!(size_style(style).as_deref(), want, "{style}");
            if let Some(kept) = want {
                assert_eq!(size_style(kept).as_deref(), Some(kept), "idempotent: {kept}");
            }
        }
    }
}
