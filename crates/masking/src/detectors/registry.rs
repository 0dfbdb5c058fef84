//! The named built-in rules (`@email`, …, `@common`, and the opt-in
//! ones) and the [`Scanner`] that runs them together with a site's own
//! patterns.

use std::sync::LazyLock;

use regex::Regex;
use regex_automata::meta;
use regex_automata::{Input, MatchKind, PatternSet};

use super::{
    Span, Validate, Verdict, birth_date, bsn, card, email, iban, ip, jwt, labelled_name, licence_plate,
    phone, postcode, query, secret,
};
use crate::rules::RuleId;

/// A built-in detector, named in configuration as `@name`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Builtin {
    /// E-mail addresses.
    Email,
    /// E.164 and Dutch national phone numbers.
    Phone,
    /// Luhn-valid payment card numbers with a known issuer prefix.
    Card,
    /// SEPA IBANs passing mod-97.
    Iban,
    /// Dutch BSNs passing the elfproef, outside non-BSN number contexts.
    Bsn,
    /// IPv4 and IPv6 addresses.
    Ip,
    /// JSON Web Tokens.
    Jwt,
    /// API keys, authorization credentials and long high-entropy tokens.
    Secret,
    /// Values of URL parameters whose name looks personal.
    PersonalQuery,
    /// Dates next to a birth-date label.
    BirthDate,
    /// Opt-in: Dutch postcodes and the house number after one.
    Postcode,
    /// Opt-in: Dutch, British and German licence plates.
    LicencePlate,
    /// Opt-in: names after a label such as `Naam:` or `Name:`.
    LabelledName,
}

impl Builtin {
    /// `@common`: the default set, on for every site.
    pub const COMMON: [Builtin; 10] = [
        Builtin::Email,
        Builtin::Phone,
        Builtin::Card,
        Builtin::Iban,
        Builtin::Bsn,
        Builtin::Ip,
        Builtin::Jwt,
        Builtin::Secret,
        Builtin::PersonalQuery,
        Builtin::BirthDate,
    ];

    /// The built-ins a site turns on with `[sites.masking] detectors`:
    /// each costs false positives a default may not (docs/masking.md).
    pub const OPT_IN: [Builtin; 3] = [Builtin::Postcode, Builtin::LicencePlate, Builtin::LabelledName];

    /// Every built-in, in rule-id order: the common ones, then the opt-in.
    pub const ALL: [Builtin; Builtin::COMMON.len() + Builtin::OPT_IN.len()] = {
        let mut all = [Builtin::Email; Builtin::COMMON.len() + Builtin::OPT_IN.len()];
        let mut i = 0;
        while i < all.len() {
            all[i] = if i < Builtin::COMMON.len() {
                Builtin::COMMON[i]
            } else {
                Builtin::OPT_IN[i - Builtin::COMMON.len()]
            };
            i += 1;
        }
        all
    };

    /// The configuration name, with `@`.
    pub fn name(self) -> &'static str {
        match self {
            Builtin::Email => "@email",
            Builtin::Phone => "@phone",
            Builtin::Card => "@card",
            Builtin::Iban => "@iban",
            Builtin::Bsn => "@bsn",
            Builtin::Ip => "@ip",
            Builtin::Jwt => "@jwt",
            Builtin::Secret => "@secret",
            Builtin::PersonalQuery => "@personal_query",
            Builtin::BirthDate => "@birth_date",
            Builtin::Postcode => "@postcode",
            Builtin::LicencePlate => "@licence_plate",
            Builtin::LabelledName => "@labelled_name",
        }
    }

    /// The name reports and metrics use: [`Builtin::name`] without `@`.
    pub fn rule_name(self) -> &'static str {
        &self.name()[1..]
    }

    /// The detector for a configuration name (`@email`); `@common` is a
    /// set, see [`Builtin::set_by_name`].
    pub fn from_name(name: &str) -> Option<Builtin> {
        Builtin::ALL.into_iter().find(|b| b.name() == name)
    }

    /// The opt-in detector a site names in `[sites.masking] detectors`
    /// (`postcode` or `@postcode`).
    pub fn opt_in_by_name(name: &str) -> Option<Builtin> {
        let name = name.strip_prefix('@').unwrap_or(name);
        Builtin::OPT_IN.into_iter().find(|b| b.rule_name() == name)
    }

    /// The detectors a name stands for: one, or all of them for `@common`.
    pub fn set_by_name(name: &str) -> Option<Vec<Builtin>> {
        if name == "@common" {
            return Some(Builtin::COMMON.to_vec());
        }
        Builtin::from_name(name).map(|b| vec![b])
    }

    pub(crate) fn rule_id(self) -> RuleId {
        RuleId(self as u16)
    }

    /// `(set pattern, find pattern, validator)` per finder of this rule.
    fn finders(self) -> &'static [(&'static str, &'static str, Validate)] {
        match self {
            Builtin::Email => &[(email::SET, email::FIND, email::validate)],
            Builtin::Phone => &[(phone::SET, phone::FIND, phone::validate)],
            Builtin::Card => &[(card::SET, card::FIND, card::validate)],
            Builtin::Iban => &[(iban::SET, iban::FIND, iban::validate)],
            Builtin::Bsn => &[(bsn::SET, bsn::FIND, bsn::validate)],
            Builtin::Ip => {
                &[(ip::SET_V4, ip::FIND_V4, ip::validate_v4), (ip::SET_V6, ip::FIND_V6, ip::validate_v6)]
            }
            Builtin::Jwt => &[(jwt::SET, jwt::FIND, jwt::validate)],
            Builtin::Secret => &[
                (secret::SET_KNOWN, secret::FIND_KNOWN, secret::validate_known),
                (secret::SET_AUTH, secret::FIND_AUTH, secret::validate_auth),
                (secret::SET_ENTROPY, secret::FIND_ENTROPY, secret::validate_entropy),
            ],
            Builtin::PersonalQuery => &[
                (query::SET, query::FIND, query::validate),
                (query::SET_ENCODED, query::FIND_ENCODED, query::validate_encoded),
            ],
            Builtin::BirthDate => &[(birth_date::SET, birth_date::FIND, birth_date::validate)],
            Builtin::Postcode => &[(postcode::SET, postcode::FIND, postcode::validate)],
            Builtin::LicencePlate => &[
                (licence_plate::SET_NL, licence_plate::FIND_NL, licence_plate::validate),
                (licence_plate::SET_GB_DE, licence_plate::FIND_GB_DE, licence_plate::validate),
            ],
            Builtin::LabelledName => &[(labelled_name::SET, labelled_name::FIND, labelled_name::validate)],
        }
    }
}

struct Finder {
    re: Regex,
    validate: Option<Validate>,
    rule: RuleId,
}

/// All detectors of a rule set, compiled once and shared by every batch.
pub(crate) struct Scanner {
    /// One set pattern per finder, in finder order.
    set: meta::Regex,
    finders: Vec<Finder>,
    /// Site patterns and labelled names cannot be prefiltered by bytes:
    /// with any, every string goes through the set.
    scan_every_string: bool,
}

/// Per-call scratch space so scanning a string allocates nothing.
pub(crate) struct ScanScratch {
    patset: PatternSet,
}

impl ScanScratch {
    pub(crate) fn new(scanner: &Scanner) -> Self {
        ScanScratch { patset: PatternSet::new(scanner.set.pattern_len()) }
    }
}

/// A site pattern that does not compile: its index and the reason.
#[derive(Debug)]
pub(crate) struct BadPattern {
    pub index: usize,
    pub reason: String,
}

fn build_set(sets: &[&str]) -> Result<meta::Regex, String> {
    meta::Regex::builder()
        .configure(meta::Regex::config().match_kind(MatchKind::All))
        .build_many(sets)
        .map_err(|e| e.to_string())
}

/// The built-ins' find regexes, compiled once per process and shared by
/// every site's scanner (a `Regex` clone shares the compiled program):
/// compiling them is most of building a [`Scanner`], and a configuration
/// has one per site.
static BUILTIN_REGEXES: LazyLock<Vec<Vec<Result<Regex, String>>>> = LazyLock::new(|| {
    Builtin::ALL
        .iter()
        .map(|b| {
            b.finders().iter().map(|&(_, find, _)| Regex::new(find).map_err(|e| e.to_string())).collect()
        })
        .collect()
});

/// The prefilter set of the default built-ins, for the sites without
/// opt-in detectors or patterns of their own.
static COMMON_SET: LazyLock<Result<meta::Regex, String>> = LazyLock::new(|| {
    let sets: Vec<&str> =
        Builtin::COMMON.iter().flat_map(|b| b.finders().iter().map(|&(set, _, _)| set)).collect();
    build_set(&sets)
});

fn builtin_regex(builtin: Builtin, finder: usize) -> Result<Regex, BadPattern> {
    // `ALL` is in rule-id order.
    let at = usize::from(builtin.rule_id().0);
    match BUILTIN_REGEXES.get(at).and_then(|finders| finders.get(finder)) {
        Some(Ok(re)) => Ok(re.clone()),
        Some(Err(reason)) => Err(BadPattern { index: usize::MAX, reason: reason.clone() }),
        None => {
            Err(BadPattern { index: usize::MAX, reason: format!("no finder {finder} of {}", builtin.name()) })
        }
    }
}

/// Compiled patterns may not grow beyond this (per pattern), so a site
/// rule cannot make masking slow or huge.
const SITE_PATTERN_SIZE_LIMIT: usize = 1 << 20;

impl Scanner {
    /// The default built-ins, the site's opt-in ones and its patterns
    /// `(rule, regex)`.
    pub(crate) fn new(opt_in: &[Builtin], site: &[(RuleId, &str)]) -> Result<Scanner, BadPattern> {
        let mut sets: Vec<&str> = Vec::new();
        let mut finders = Vec::new();
        for builtin in Builtin::COMMON.into_iter().chain(opt_in.iter().copied()) {
            for (i, &(set, _, validate)) in builtin.finders().iter().enumerate() {
                sets.push(set);
                let re = builtin_regex(builtin, i)?;
                finders.push(Finder { re, validate: Some(validate), rule: builtin.rule_id() });
            }
        }
        for (index, &(rule, pattern)) in site.iter().enumerate() {
            let re = regex::RegexBuilder::new(pattern)
                .size_limit(SITE_PATTERN_SIZE_LIMIT)
                .build()
                .map_err(|e| BadPattern { index, reason: e.to_string() })?;
            sets.push(pattern);
            finders.push(Finder { re, validate: None, rule });
        }
        let set = if opt_in.is_empty() && site.is_empty() {
            COMMON_SET.clone().map_err(|reason| BadPattern { index: usize::MAX, reason })?
        } else {
            build_set(&sets).map_err(|reason| BadPattern { index: site.len().saturating_sub(1), reason })?
        };
        let scan_every_string = !site.is_empty() || opt_in.contains(&Builtin::LabelledName);
        Ok(Scanner { set, finders, scan_every_string })
    }

    /// Appends the findings in `hay` to `out`, sorted by start. The base64
    /// payloads of `data:` URIs are skipped: they are media, not text.
    pub(crate) fn scan(&self, hay: &str, scratch: &mut ScanScratch, out: &mut Vec<Span>) {
        if !self.scan_every_string && !worth_scanning(hay.as_bytes()) {
            return;
        }
        let first = out.len();
        let mut from = 0;
        while let Some(found) = hay[from..].find("base64,") {
            let payload = from + found + "base64,".len();
            self.scan_segment(hay, from, payload, scratch, out);
            from = hay[payload..]
                .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | ')' | '>'))
                .map_or(hay.len(), |e| payload + e);
        }
        self.scan_segment(hay, from, hay.len(), scratch, out);
        out[first..].sort_unstable_by_key(|s| (s.start, std::cmp::Reverse(s.end)));
    }

    fn scan_segment(
        &self,
        hay: &str,
        from: usize,
        to: usize,
        scratch: &mut ScanScratch,
        out: &mut Vec<Span>,
    ) {
        if from >= to {
            return;
        }
        let segment = &hay[..to];
        scratch.patset.clear();
        self.set.which_overlapping_matches(&Input::new(segment).range(from..to), &mut scratch.patset);
        for pattern in scratch.patset.iter() {
            let Some(finder) = self.finders.get(pattern.as_usize()) else { continue };
            let mut at = from;
            while at < to {
                let Some(m) = finder.re.find_at(segment, at) else { break };
                let verdict = match finder.validate {
                    Some(validate) => validate(segment, m.start(), m.end()),
                    None => Verdict::Match(m.start(), m.end()),
                };
                let next = match verdict {
                    Verdict::Match(s, e) => {
                        if e > s {
                            out.push(Span { start: s, end: e, rule: finder.rule });
                        }
                        e.max(m.start() + 1)
                    }
                    Verdict::Reject(resume) => resume.max(m.start() + 1),
                };
                at = next_boundary(segment, next);
            }
        }
    }
}

/// The first char boundary at or after `i`.
fn next_boundary(s: &str, mut i: usize) -> usize {
    while i < s.len() && !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// Bytes that make a string worth a full scan: digits (numbers, IPs,
/// IBANs), `@` (e-mail), and `?&;#` together with `=` (query strings);
/// two colons (IPv6) and a run of 16 token characters (JWTs, keys) are
/// counted separately.
const DIGIT: u8 = 1;
const AT: u8 = 2;
const COLON: u8 = 4;
const EQ: u8 = 8;
const QSEP: u8 = 16;
const TOKEN: u8 = 32;

const CLASSES: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        t[i] = if b.is_ascii_digit() {
            DIGIT | TOKEN
        } else if b.is_ascii_alphabetic() || b == b'_' || b == b'-' || b == b'+' {
            TOKEN
        } else {
            match b {
                b'@' => AT,
                b':' => COLON,
                b'=' => EQ,
                b'?' | b'&' | b';' | b'#' => QSEP,
                _ => 0,
            }
        };
        i += 1;
    }
    t
};

pub(crate) fn worth_scanning(bytes: &[u8]) -> bool {
    let mut seen = 0u8;
    let mut colons = 0u32;
    let mut run = 0u32;
    for &b in bytes {
        let class = CLASSES[usize::from(b)];
        if class & (DIGIT | AT) != 0 {
            return true;
        }
        if class & TOKEN != 0 {
            run += 1;
            if run >= 16 {
                return true;
            }
        } else {
            run = 0;
        }
        colons += u32::from(class & COLON != 0);
        seen |= class;
    }
    colons >= 2 || (seen & EQ != 0 && seen & QSEP != 0) || obfuscated_at(bytes)
}

/// An e-mail address written without `@` to fool scrapers: `[at]`,
/// `(at)`, or spelled out with ` at ` and ` dot ` (see the email rule).
fn obfuscated_at(bytes: &[u8]) -> bool {
    let has = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w.eq_ignore_ascii_case(needle));
    has(b"[at]") || has(b"(at)") || (has(b" at ") && has(b" dot "))
}
