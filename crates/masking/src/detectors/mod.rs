//! The built-in PII detectors and the scanner that runs them.
//!
//! Each detector family lives in its own file and has three parts: a
//! *set pattern* (cheap, loose: "a candidate may be here"), a *find
//! pattern* (the candidate's extent) and a *validator* (the checks a regex
//! cannot do: Luhn, mod-97, elfproef, country lengths, context). The
//! [`Scanner`] runs all of them over a string in one pass: a byte-level
//! prefilter, then one multi-pattern automaton over the set patterns, then
//! find patterns and validators only for the families that fired. Site
//! patterns from configuration join the same automaton.
//!
//! Validators see the whole string, so they can look at the context of a
//! candidate (what precedes an ID-like number, whether digits continue past
//! it) and can shrink a candidate to the part that is personal data.

mod birth_date;
mod bsn;
mod card;
mod context;
mod email;
mod iban;
mod ip;
mod jwt;
mod labelled_name;
mod licence_plate;
mod phone;
mod postcode;
mod query;
mod registry;
mod secret;

#[cfg(test)]
mod tests;

pub use registry::Builtin;
pub(crate) use registry::{ScanScratch, Scanner};

/// What a validator says about one candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Personal data at these byte offsets (within the candidate or equal
    /// to it).
    Match(usize, usize),
    /// Not personal data; continue searching at this byte offset.
    Reject(usize),
}

/// A validator: the haystack and a candidate's byte range.
pub(crate) type Validate = fn(&str, usize, usize) -> Verdict;

/// One finding: a byte range of the scanned string and the rule that
/// found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    pub start: usize,
    pub end: usize,
    pub rule: crate::rules::RuleId,
}
