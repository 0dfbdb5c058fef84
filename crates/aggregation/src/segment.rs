//! Traffic-source segments: where a session came from, reduced to what an
//! analyst may slice by without learning who the visitor is.
//!
//! The recorder sends, with every batch of a session, the class of the
//! landing page's referrer and the UTM parameters of its URL (the
//! envelope's `source` field, see docs/segments.md). The full referrer URL
//! never leaves the browser. The server trusts neither part: the class must
//! be one of [`Source`], and only the site's allow-listed UTM parameters
//! are kept, each value lower-cased and refused when it could carry
//! something personal (an address, a long number, odd characters). What
//! remains is a [`Segment`]: a class and a canonical campaign string that
//! the heatmap, form and session tables keep beside the device class.

use veil_events::Value;

/// Parameters kept when a site says nothing.
pub const DEFAULT_UTM_PARAMETERS: [&str; 3] = ["utm_source", "utm_medium", "utm_campaign"];

/// At most this many parameters may be allow-listed: each multiplies the
/// distinct campaign strings a page's aggregates are split into.
pub const MAX_UTM_PARAMETERS: usize = 5;

/// Longest value kept, in characters.
pub const MAX_VALUE_CHARS: usize = 64;

/// A run of this many digits makes a value look like an id, a phone number
/// or a card number, so it is not kept.
const MAX_DIGIT_RUN: usize = 6;

/// The referrer class of a session's landing page. The numbers are the
/// `Enum8` codes of the `source` columns (migration 0010).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Source {
    /// Not reported: a stock rrweb recorder, or a recorder older than
    /// segments.
    #[default]
    Unknown = 0,
    /// No referrer, or the site's own pages.
    Direct = 1,
    /// A search engine.
    Search = 2,
    /// A social network.
    Social = 3,
    /// A webmail client, or `utm_medium=email`.
    Email = 4,
    /// Any other site.
    Other = 5,
}

impl Source {
    /// Every class, in code order.
    pub const ALL: [Source; 6] =
        [Source::Unknown, Source::Direct, Source::Search, Source::Social, Source::Email, Source::Other];

    /// The name used on the wire, in the API and in ClickHouse.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Unknown => "unknown",
            Source::Direct => "direct",
            Source::Search => "search",
            Source::Social => "social",
            Source::Email => "email",
            Source::Other => "other",
        }
    }

    /// The class named `name`, if it is one.
    pub fn from_name(name: &str) -> Option<Source> {
        Source::ALL.into_iter().find(|source| source.as_str() == name)
    }

    /// The `Enum8` code.
    pub fn code(self) -> i8 {
        self as i8
    }
}

/// Where one session came from, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Segment {
    /// Referrer class.
    pub source: Source,
    /// Allow-listed UTM parameters as `name=value` pairs, sorted by name and
    /// joined with `&` (empty when none): one string per combination, so
    /// ClickHouse groups and filters it cheaply.
    pub campaign: String,
}

impl Segment {
    /// The `name=value` pairs of [`Segment::campaign`].
    pub fn campaign_pairs(&self) -> impl Iterator<Item = &str> {
        self.campaign.split('&').filter(|pair| !pair.is_empty())
    }
}

/// A site's segment settings (`[sites.segments]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentRules {
    utm_parameters: Vec<String>,
}

impl Default for SegmentRules {
    fn default() -> Self {
        SegmentRules { utm_parameters: DEFAULT_UTM_PARAMETERS.iter().map(|p| (*p).to_owned()).collect() }
    }
}

/// Why a segment setting is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SegmentRulesError {
    /// Not `utm_` and 1..=32 of `[a-z0-9_]`.
    #[error("UTM parameter {0:?} is not `utm_` followed by 1 to 32 of a-z, 0-9 and _")]
    BadParameter(String),
    /// More than [`MAX_UTM_PARAMETERS`].
    #[error("at most {MAX_UTM_PARAMETERS} UTM parameters can be kept, {0} were listed")]
    TooMany(usize),
}

impl SegmentRules {
    /// Rules keeping `utm_parameters` (names like `utm_source`).
    pub fn new(utm_parameters: Vec<String>) -> Result<SegmentRules, SegmentRulesError> {
        if utm_parameters.len() > MAX_UTM_PARAMETERS {
            return Err(SegmentRulesError::TooMany(utm_parameters.len()));
        }
        if let Some(bad) = utm_parameters.iter().find(|p| !is_parameter_name(p)) {
            return Err(SegmentRulesError::BadParameter(bad.clone()));
        }
        let mut utm_parameters = utm_parameters;
        utm_parameters.sort();
        utm_parameters.dedup();
        Ok(SegmentRules { utm_parameters })
    }

    /// The kept parameter names, sorted.
    pub fn utm_parameters(&self) -> &[String] {
        &self.utm_parameters
    }

    /// Whether `name` is kept.
    pub fn keeps(&self, name: &str) -> bool {
        self.utm_parameters.iter().any(|p| p == name)
    }

    /// The segment of a batch from its envelope's `source` field (`None`
    /// when the batch has none): `{"referrer": CLASS, "utm": {NAME: VALUE}}`.
    /// Whatever does not pass is left out rather than refusing the batch:
    /// a segment is a convenience, the recording is what the visitor sent.
    pub fn segment(&self, source: Option<&Value<'_>>) -> Segment {
        let Some(source) = source else { return Segment::default() };
        let class = source.get("referrer").and_then(Value::as_str).and_then(Source::from_name);
        let mut pairs: Vec<(&str, String)> = Vec::new();
        if let Some(Value::Map(utm)) = source.get("utm") {
            for (name, value) in utm {
                let Some(param) = self.utm_parameters.iter().find(|p| p.as_str() == name.as_ref()) else {
                    continue;
                };
                if pairs.iter().any(|(seen, _)| *seen == param.as_str()) {
                    continue;
                }
                if let Some(value) = value.as_str().and_then(campaign_value) {
                    pairs.push((param.as_str(), value));
                }
            }
        }
        pairs.sort();
        let campaign =
            pairs.iter().map(|(name, value)| format!("{name}={value}")).collect::<Vec<_>>().join("&");
        Segment { source: class.unwrap_or(Source::Unknown), campaign }
    }
}

fn is_parameter_name(name: &str) -> bool {
    name.strip_prefix("utm_").is_some_and(|rest| {
        (1..=32).contains(&rest.len())
            && rest.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    })
}

/// A UTM value as kept: trimmed, lower-cased, spaces as `-`; `None` when it
/// is empty, longer than [`MAX_VALUE_CHARS`], holds a character outside
/// `a-z 0-9 . _ + -` (an `@`, `/`, `%` or `=` is how an address, a URL or a
/// token gets into a campaign tag), or a run of six digits or more.
pub fn campaign_value(raw: &str) -> Option<String> {
    let value: String =
        raw.trim().chars().map(|c| if c == ' ' { '-' } else { c.to_ascii_lowercase() }).collect();
    if value.is_empty() || value.chars().count() > MAX_VALUE_CHARS {
        return None;
    }
    if !value
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'+' | b'-'))
    {
        return None;
    }
    let mut run = 0;
    for b in value.bytes() {
        run = if b.is_ascii_digit() { run + 1 } else { 0 };
        if run >= MAX_DIGIT_RUN {
            return None;
        }
    }
    Some(value)
}

/// A campaign filter pair (`utm_source=google` from `utm_source` and
/// `Google`) as it would be stored, or `None` when the value could never
/// be stored: the API answers such a filter with no data rather than an
/// error, as for any value nobody sent.
pub fn campaign_pair(name: &str, value: &str) -> Option<String> {
    campaign_value(value).map(|value| format!("{name}={value}"))
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;

    fn source(referrer: &str, utm: &[(&str, &str)]) -> Value<'static> {
        Value::Map(vec![
            (Cow::Borrowed("referrer"), Value::Str(Cow::Owned(referrer.to_owned()))),
            (
                Cow::Borrowed("utm"),
                Value::Map(
                    utm.iter()
                        .map(|(k, v)| (Cow::Owned((*k).to_owned()), Value::Str(Cow::Owned((*v).to_owned()))))
                        .collect(),
                ),
            ),
        ])
    }

    #[test]
    fn a_batch_without_source_is_unknown() {
        assert_eq!(SegmentRules::default().segment(None), Segment::default());
        assert_eq!(Segment::default().source.as_str(), "unknown");
    }

    #[test]
    fn allow_listed_parameters_are_kept_sorted_and_normalised() {
        let segment = SegmentRules::default().segment(Some(&source(
            "search",
            &[
                ("utm_source", " Google "),
                ("utm_term", "shoes"),
                ("utm_campaign", "Spring Sale"),
                ("gclid", "x"),
            ],
        )));
        assert_eq!(segment.source, Source::Search);
        assert_eq!(segment.campaign, "utm_campaign=spring-sale&utm_source=google");
        assert_eq!(
            segment.campaign_pairs().collect::<Vec<_>>(),
            ["utm_campaign=spring-sale", "utm_source=google"]
        );
    }

    #[test]
    fn values_that_could_be_personal_are_dropped() {
        let cases = [
            ("jan@example.com", None),
            ("0612345678", None),
            ("https://example.com/x", None),
            ("a%40b", None),
            ("k=v", None),
            ("spring2026", Some("spring2026")),
            ("q4_2026-b2b", Some("q4_2026-b2b")),
            ("", None),
        ];
        for (raw, kept) in cases {
            assert_eq!(campaign_value(raw).as_deref(), kept, "{raw}");
        }
        assert_eq!(campaign_value(&"a".repeat(65)), None);
        assert_eq!(campaign_value(&"a".repeat(64)).map(|v| v.len()), Some(64));
    }

    #[test]
    fn an_unknown_class_keeps_the_campaign() {
        let segment = SegmentRules::default()
            .segment(Some(&source("https://evil.example/?q=me", &[("utm_medium", "cpc")])));
        assert_eq!(segment, Segment { source: Source::Unknown, campaign: "utm_medium=cpc".into() });
    }

    #[test]
    fn a_repeated_parameter_counts_once() {
        let segment = SegmentRules::default()
            .segment(Some(&source("email", &[("utm_source", "news"), ("utm_source", "other")])));
        assert_eq!(segment.campaign, "utm_source=news");
    }

    #[test]
    fn rules_are_validated() {
        assert!(SegmentRules::new(vec!["utm_content".into()]).is_ok());
        assert_eq!(
            SegmentRules::new(vec!["source".into()]),
            Err(SegmentRulesError::BadParameter("source".into()))
        );
        let six = (0..6).map(|i| format!("utm_p{i}")).collect();
        assert_eq!(SegmentRules::new(six), Err(SegmentRulesError::TooMany(6)));
        let rules =
            SegmentRules::new(vec!["utm_term".into(), "utm_term".into(), "utm_id".into()]).expect("valid");
        assert_eq!(rules.utm_parameters(), ["utm_id", "utm_term"]);
        assert!(rules.keeps("utm_term") && !rules.keeps("utm_source"));
    }

    #[test]
    fn codes_and_names_round_trip() {
        for source in Source::ALL {
            assert_eq!(Source::from_name(source.as_str()), Some(source));
        }
        assert_eq!(Source::Other.code(), 5);
        assert_eq!(Source::from_name("Search"), None);
    }
}
