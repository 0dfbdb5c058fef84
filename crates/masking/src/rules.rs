//! Masking rules as data: the built-in detectors, a site's own patterns,
//! selectors and scrubbed attributes, validated once into a
//! [`MaskingRules`] that every batch of the site shares.

use thiserror::Error;

use crate::detectors::{Builtin, Scanner};
use crate::selectors::{SelectorError, SelectorSet};

/// A site's masking configuration as written (`[sites.masking]`).
///
/// The built-in detectors (`@common`) always apply; these add to them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SiteRules {
    /// Extra patterns as `(name, regex)`: every match in scanned text is
    /// masked and counted under `name`.
    pub patterns: Vec<(String, String)>,
    /// Elements matching any of these CSS selectors are replaced by an
    /// empty placeholder of the same tag and size.
    pub block_selectors: Vec<String>,
    /// Text under elements matching these is not scanned for PII. Form
    /// values stay masked unless the form element itself matches; password,
    /// hidden, cc-* and one-time-code fields are never unmasked.
    pub unmask_selectors: Vec<String>,
    /// Attribute names whose values are masked wholesale wherever they
    /// appear (`data-customer`, or a prefix with a trailing `*`:
    /// `data-user-*`).
    pub scrub_attributes: Vec<String>,
    /// Opt-in built-in detectors to run as well ([`Builtin::OPT_IN`], by
    /// rule name: `postcode`, `licence_plate`, `labelled_name`).
    pub detectors: Vec<String>,
}

/// Why a site's rules were refused. Messages name the offending entry but
/// never echo text that was scanned.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RuleError {
    /// A pattern name is empty, too long, not `[A-Za-z0-9_.-]`, used twice,
    /// or taken by a built-in or structural rule.
    #[error("pattern name {name:?}: {reason}")]
    PatternName {
        /// The name as configured.
        name: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A pattern's regex does not compile (or compiles too big).
    #[error("pattern {name:?}: invalid regex: {reason}")]
    PatternRegex {
        /// The pattern's name.
        name: String,
        /// The regex compiler's message.
        reason: String,
    },
    /// A selector uses syntax the matcher does not support, or is malformed.
    #[error("selector {selector:?}: {source}")]
    Selector {
        /// The selector as configured.
        selector: String,
        /// What is wrong with it.
        source: SelectorError,
    },
    /// An opt-in detector name that no built-in has.
    #[error(
        "detector {name:?}: not an opt-in detector (expected one of: postcode, licence_plate, labelled_name)"
    )]
    Detector {
        /// The name as configured.
        name: String,
    },
    /// A scrubbed attribute name is empty or not a plausible attribute name.
    #[error("scrub attribute {name:?}: expected an attribute name, optionally ending in '*'")]
    ScrubAttribute {
        /// The name as configured.
        name: String,
    },
}

/// Index of a rule in the name table: built-ins first (in
/// [`Builtin::ALL`] order, opt-in ones whether on or not), then structural
/// rules, then site patterns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct RuleId(pub u16);

impl RuleId {
    pub const INPUT_VALUE: RuleId = RuleId(13);
    pub const FORM_VALUE: RuleId = RuleId(14);
    pub const REMOVED_FIELD: RuleId = RuleId(15);
    pub const BLOCKED_ELEMENT: RuleId = RuleId(16);
    pub const SCRUBBED_ATTRIBUTE: RuleId = RuleId(17);
    pub const UNKNOWN_NODE: RuleId = RuleId(18);
    pub(crate) const FIRST_SITE: u16 = 19;
}

/// Names of the structural rules, in [`RuleId`] order from 13.
const STRUCTURAL: [&str; 6] =
    ["input_value", "form_value", "removed_field", "blocked_element", "scrubbed_attribute", "unknown_node"];

/// Validated, compiled rules for one site. Build once at start-up (or on
/// config reload) and share: masking only reads them.
pub struct MaskingRules {
    pub(crate) scanner: Scanner,
    pub(crate) selectors: SelectorSet,
    scrub: Vec<(String, bool)>,
    names: Vec<String>,
}

impl std::fmt::Debug for MaskingRules {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MaskingRules").field("rules", &self.names).finish_non_exhaustive()
    }
}

impl Default for MaskingRules {
    /// The built-in detectors only.
    fn default() -> Self {
        MaskingRules::new(SiteRules::default()).unwrap_or_else(|e| {
            // The built-in patterns are constants covered by tests.
            unreachable!("built-in masking rules do not compile: {e}")
        })
    }
}

impl MaskingRules {
    /// Validates and compiles a site's rules on top of the built-ins.
    pub fn new(site: SiteRules) -> Result<MaskingRules, RuleError> {
        let mut names: Vec<String> = Builtin::ALL.iter().map(|b| b.rule_name().to_owned()).collect();
        names.extend(STRUCTURAL.iter().map(|s| (*s).to_owned()));
        let mut site_patterns = Vec::with_capacity(site.patterns.len());
        for (i, (name, regex)) in site.patterns.iter().enumerate() {
            check_name(name, &names)?;
            let id = u16::try_from(i)
                .ok()
                .and_then(|i| i.checked_add(RuleId::FIRST_SITE))
                .ok_or_else(|| RuleError::PatternName { name: name.clone(), reason: "too many patterns" })?;
            names.push(name.clone());
            site_patterns.push((RuleId(id), regex.as_str()));
        }
        let mut opt_in = Vec::with_capacity(site.detectors.len());
        for name in &site.detectors {
            let builtin =
                Builtin::opt_in_by_name(name).ok_or_else(|| RuleError::Detector { name: name.clone() })?;
            if !opt_in.contains(&builtin) {
                opt_in.push(builtin);
            }
        }
        let scanner =
            Scanner::new(&opt_in, &site_patterns).map_err(|bad| match site.patterns.get(bad.index) {
                Some((name, _)) => RuleError::PatternRegex { name: name.clone(), reason: bad.reason },
                None => RuleError::PatternRegex { name: "@builtin".into(), reason: bad.reason },
            })?;
        let selectors = SelectorSet::new(&site.block_selectors, &site.unmask_selectors)
            .map_err(|(selector, source)| RuleError::Selector { selector, source })?;
        let scrub = site
            .scrub_attributes
            .iter()
            .map(|name| scrub_entry(name).ok_or_else(|| RuleError::ScrubAttribute { name: name.clone() }))
            .collect::<Result<_, _>>()?;
        Ok(MaskingRules { scanner, selectors, scrub, names })
    }

    /// The report name of a rule.
    pub(crate) fn name(&self, id: RuleId) -> &str {
        self.names.get(usize::from(id.0)).map_or("unknown", String::as_str)
    }

    pub(crate) fn rule_count(&self) -> usize {
        self.names.len()
    }

    /// Whether the site scrubs attribute `name` (ASCII case-insensitive).
    pub(crate) fn scrubs(&self, name: &str) -> bool {
        self.scrub.iter().any(|(pattern, prefix)| {
            if *prefix {
                name.len() >= pattern.len() && name[..pattern.len()].eq_ignore_ascii_case(pattern)
            } else {
                name.eq_ignore_ascii_case(pattern)
            }
        })
    }
}

fn check_name(name: &str, taken: &[String]) -> Result<(), RuleError> {
    let bad = |reason| Err(RuleError::PatternName { name: name.to_owned(), reason });
    if name.is_empty() || name.len() > 64 {
        return bad("must be 1 to 64 characters");
    }
    if !name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')) {
        return bad("may only contain letters, digits, '_', '-' and '.'");
    }
    if taken.iter().any(|t| t == name) {
        return bad("is already taken by a built-in rule or another pattern");
    }
    Ok(())
}

fn scrub_entry(name: &str) -> Option<(String, bool)> {
    let (base, prefix) = match name.strip_suffix('*') {
        Some(base) => (base, true),
        None => (name, false),
    };
    let valid = !base.is_empty()
        && base.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b':' | b'.'));
    valid.then(|| (base.to_ascii_lowercase(), prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(patterns: &[(&str, &str)]) -> SiteRules {
        SiteRules {
            patterns: patterns.iter().map(|(n, r)| ((*n).to_owned(), (*r).to_owned())).collect(),
            ..SiteRules::default()
        }
    }

    #[test]
    fn names_are_checked() {
        let cases: &[(&[(&str, &str)], bool)] = &[
            (&[("order_id", "ORD-[0-9]{8}")], true),
            (&[("", "x")], false),
            (&[("email", "x")], false),
            (&[("form_value", "x")], false),
            (&[("a b", "x")], false),
            (&[("a", "x"), ("a", "y")], false),
            (&[("bad", "(")], false),
        ];
        for (patterns, ok) in cases {
            assert_eq!(MaskingRules::new(site(patterns)).is_ok(), *ok, "{patterns:?}");
        }
    }

    #[test]
    fn bad_regex_names_the_pattern() {
        let err = MaskingRules::new(site(&[("ok", "a"), ("broken", "[a-")])).err();
        assert!(matches!(err, Some(RuleError::PatternRegex { ref name, .. }) if name == "broken"), "{err:?}");
    }

    #[test]
    fn rule_names() {
        let rules = MaskingRules::new(site(&[("order_id", "ORD-[0-9]{8}")])).expect("valid");
        assert_eq!(rules.name(Builtin::Email.rule_id()), "email");
        assert_eq!(rules.name(Builtin::PersonalQuery.rule_id()), "personal_query");
        assert_eq!(rules.name(RuleId::INPUT_VALUE), "input_value");
        assert_eq!(rules.name(RuleId::UNKNOWN_NODE), "unknown_node");
        assert_eq!(rules.name(Builtin::LabelledName.rule_id()), "labelled_name");
        assert_eq!(rules.name(RuleId(RuleId::FIRST_SITE)), "order_id");
    }

    #[test]
    fn scrub_names() {
        let rules = MaskingRules::new(SiteRules {
            scrub_attributes: vec!["data-customer".into(), "data-user-*".into()],
            ..SiteRules::default()
        })
        .expect("valid");
        assert!(rules.scrubs("data-customer"));
        assert!(rules.scrubs("DATA-CUSTOMER"));
        assert!(rules.scrubs("data-user-id"));
        assert!(!rules.scrubs("data-customers"));
        assert!(!rules.scrubs("data-use"));
        let bad = SiteRules { scrub_attributes: vec!["*".into()], ..SiteRules::default() };
        assert!(matches!(MaskingRules::new(bad), Err(RuleError::ScrubAttribute { .. })));
    }
}
