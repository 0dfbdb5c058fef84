//! What a visitor consented to (SPEC §1: `recording`, `heatmaps`).

use std::fmt;
use std::str::FromStr;

use serde::de::Error as _;
use serde::ser::SerializeSeq;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// One purpose a visitor can grant; a site enables a subset of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Purpose {
    /// DOM snapshots, mutations, inputs and mouse moves for replay.
    Recording,
    /// Clicks, scroll depth, rage and dead clicks for heatmaps.
    Heatmaps,
}

impl Purpose {
    /// Every purpose, in the order sets iterate and serialise.
    pub const ALL: [Purpose; 2] = [Purpose::Recording, Purpose::Heatmaps];

    /// The name used in tokens, configuration and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Recording => "recording",
            Purpose::Heatmaps => "heatmaps",
        }
    }

    const fn bit(self) -> u8 {
        match self {
            Purpose::Recording => 1,
            Purpose::Heatmaps => 2,
        }
    }
}

/// A purpose name that Veil does not know.
///
/// The value is quoted (escaped, cut at 64 characters) so that a typo in
/// configuration is easy to spot without letting a hostile request write
/// arbitrary text into logs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown purpose {0:?}: expected \"recording\" or \"heatmaps\"")]
pub struct UnknownPurpose(String);

impl FromStr for Purpose {
    type Err = UnknownPurpose;

    fn from_str(s: &str) -> Result<Self, UnknownPurpose> {
        Purpose::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| UnknownPurpose(s.chars().take(64).collect()))
    }
}

impl fmt::Display for Purpose {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A set of purposes, copied by value: a grant, a site's enabled purposes.
///
/// Serialises as an array of names in [`Purpose::ALL`] order; duplicates in
/// the input collapse.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Purposes(u8);

impl Purposes {
    /// No purpose.
    pub const EMPTY: Purposes = Purposes(0);
    /// Every purpose.
    pub const ALL: Purposes = Purposes(Purpose::Recording.bit() | Purpose::Heatmaps.bit());

    /// Parses names as they come from a request or configuration; the first
    /// unknown name is the error.
    pub fn from_names<I, S>(names: I) -> Result<Self, UnknownPurpose>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        names.into_iter().map(|name| name.as_ref().parse::<Purpose>()).collect()
    }

    /// Adds a purpose.
    pub fn insert(&mut self, purpose: Purpose) {
        self.0 |= purpose.bit();
    }

    /// Whether the purpose is in the set.
    pub fn contains(self, purpose: Purpose) -> bool {
        self.0 & purpose.bit() != 0
    }

    /// Whether every purpose in `self` is also in `other`, e.g. a request
    /// against the purposes its site enables.
    pub fn is_subset(self, other: Purposes) -> bool {
        self.0 & !other.0 == 0
    }

    /// Whether the set holds no purpose.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The number of purposes in the set.
    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// The purposes in [`Purpose::ALL`] order.
    pub fn iter(self) -> PurposesIter {
        PurposesIter { set: self, next: 0 }
    }
}

impl From<Purpose> for Purposes {
    fn from(purpose: Purpose) -> Self {
        Purposes(purpose.bit())
    }
}

impl FromIterator<Purpose> for Purposes {
    fn from_iter<I: IntoIterator<Item = Purpose>>(iter: I) -> Self {
        let mut set = Purposes::EMPTY;
        for purpose in iter {
            set.insert(purpose);
        }
        set
    }
}

impl IntoIterator for Purposes {
    type Item = Purpose;
    type IntoIter = PurposesIter;

    fn into_iter(self) -> PurposesIter {
        self.iter()
    }
}

/// The purposes of a [`Purposes`] set, in [`Purpose::ALL`] order.
#[derive(Debug, Clone)]
pub struct PurposesIter {
    set: Purposes,
    next: usize,
}

impl Iterator for PurposesIter {
    type Item = Purpose;

    fn next(&mut self) -> Option<Purpose> {
        while let Some(&purpose) = Purpose::ALL.get(self.next) {
            self.next += 1;
            if self.set.contains(purpose) {
                return Some(purpose);
            }
        }
        None
    }
}

impl Serialize for Purposes {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.len()))?;
        for purpose in self.iter() {
            seq.serialize_element(purpose.as_str())?;
        }
        seq.end()
    }
}

impl<'de> Deserialize<'de> for Purposes {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let names = Vec::<String>::deserialize(deserializer)?;
        Purposes::from_names(names).map_err(D::Error::custom)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const R: Purpose = Purpose::Recording;
    const H: Purpose = Purpose::Heatmaps;

    #[test]
    fn parsing_names() {
        /// Names in, and the set in order or the name reported as unknown.
        type Case = (&'static [&'static str], Result<&'static [Purpose], &'static str>);
        let cases: &[Case] = &[
            (&[], Ok(&[])),
            (&["recording"], Ok(&[R])),
            (&["heatmaps"], Ok(&[H])),
            (&["heatmaps", "recording"], Ok(&[R, H])),
            (&["recording", "recording"], Ok(&[R])),
            (&["recording", "Heatmaps"], Err("Heatmaps")),
            (&["replay"], Err("replay")),
            (&[""], Err("")),
            (&["recording "], Err("recording ")),
        ];
        for &(names, want) in cases {
            let got = Purposes::from_names(names);
            match want {
                Ok(list) => assert_eq!(got.unwrap().iter().collect::<Vec<_>>(), list, "{names:?}"),
                Err(bad) => {
                    let err = got.unwrap_err();
                    assert_eq!(err, UnknownPurpose(bad.to_owned()));
                    assert!(err.to_string().contains(&format!("{bad:?}")), "{err}");
                }
            }
        }
    }

    #[test]
    fn long_unknown_names_are_cut() {
        let err = Purposes::from_names(["x".repeat(10_000)]).unwrap_err();
        assert!(err.to_string().len() < 200, "{err}");
    }

    #[test]
    fn set_operations() {
        let r = Purposes::from(R);
        let h = Purposes::from(H);
        let both: Purposes = [H, R].into_iter().collect();
        assert_eq!(both, Purposes::ALL);
        assert_eq!(both.len(), 2);
        assert!(Purposes::EMPTY.is_empty() && !r.is_empty());
        assert!(r.contains(R) && !r.contains(H));
        let cases = [
            (Purposes::EMPTY, Purposes::EMPTY, true),
            (Purposes::EMPTY, r, true),
            (r, r, true),
            (r, both, true),
            (h, both, true),
            (both, r, false),
            (r, h, false),
            (r, Purposes::EMPTY, false),
        ];
        for (a, b, want) in cases {
            assert_eq!(a.is_subset(b), want, "{a:?} <= {b:?}");
        }
    }

    #[test]
    fn serde_uses_names() {
        assert_eq!(serde_json::to_string(&Purposes::ALL).unwrap(), r#"["recording","heatmaps"]"#);
        assert_eq!(serde_json::to_string(&H).unwrap(), r#""heatmaps""#);
        let set: Purposes = serde_json::from_str(r#"["heatmaps"]"#).unwrap();
        assert_eq!(set, Purposes::from(H));
        let err = serde_json::from_str::<Purposes>(r#"["replay"]"#).unwrap_err();
        assert!(err.to_string().contains("replay"), "{err}");
    }
}
