//! Guards shared by both codecs: how deep, how many, how much to reserve.

use crate::budget::Budget;
use crate::error::DecodeError;
use crate::value::Entry;

/// Deepest container nesting accepted, counted from the document root
/// (level 1; SPEC §4). rrweb spends two levels per DOM level (`childNodes`
/// array and node map) and a batch adds four (batch, `events`, event,
/// `data`), so this admits DOM trees about 250 elements deep.
pub const MAX_DEPTH: usize = 512;

/// Most events one batch (or one bare array) may carry.
pub const MAX_EVENTS: usize = 100_000;

/// Largest capacity reserved up front from a container's declared length.
/// A MessagePack header can claim four billion elements in five bytes; the
/// vector grows past this only as elements actually arrive.
const PREALLOC_LIMIT: usize = 256;

/// Above this many keys, duplicate detection sorts instead of comparing
/// all pairs.
const SMALL_MAP: usize = 16;

/// Refuses a container at nesting level `depth` if it is too deep.
pub(crate) fn check_depth(depth: usize) -> Result<(), DecodeError> {
    if depth > MAX_DEPTH { Err(DecodeError::DepthExceeded { limit: MAX_DEPTH }) } else { Ok(()) }
}

/// Capacity to reserve for a container that declares `hint` elements.
pub(crate) fn prealloc(hint: Option<usize>) -> usize {
    hint.unwrap_or(0).min(PREALLOC_LIMIT)
}

/// An empty vector with room for `capacity` elements, charged to `budget`.
pub(crate) fn with_capacity<T>(capacity: usize, budget: &mut Budget) -> Result<Vec<T>, DecodeError> {
    let vec = Vec::with_capacity(capacity);
    budget.charge_growth(0, &vec)?;
    Ok(vec)
}

/// Appends `item`, charging `budget` for any growth.
pub(crate) fn push<T>(vec: &mut Vec<T>, item: T, budget: &mut Budget) -> Result<(), DecodeError> {
    let before = vec.capacity();
    vec.push(item);
    budget.charge_growth(before, vec)?;
    Ok(())
}

/// Whether two entries share a key. Small maps (the common case: rrweb
/// nodes have about five keys) compare pairs without allocating.
pub(crate) fn has_duplicate_keys(entries: &[Entry<'_>]) -> bool {
    if entries.len() <= SMALL_MAP {
        entries
            .iter()
            .enumerate()
            .any(|(i, (key, _))| entries.iter().take(i).any(|(earlier, _)| earlier == key))
    } else {
        let mut keys: Vec<&str> = entries.iter().map(|(k, _)| k.as_ref()).collect();
        keys.sort_unstable();
        keys.windows(2).any(|pair| pair.first() == pair.get(1))
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;
    use crate::value::Value;

    fn entries(keys: &[String]) -> Vec<Entry<'_>> {
        keys.iter().map(|k| (Cow::Borrowed(k.as_str()), Value::Null)).collect()
    }

    fn keys(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn duplicate_keys_small_and_large() {
        assert!(!has_duplicate_keys(&entries(&keys(&[]))));
        assert!(!has_duplicate_keys(&entries(&keys(&["a", "b", "c"]))));
        assert!(has_duplicate_keys(&entries(&keys(&["a", "b", "a"]))));
        let mut many: Vec<String> = (0..40).map(|i| format!("k{i}")).collect();
        assert!(!has_duplicate_keys(&entries(&many)));
        many.push("k7".into());
        assert!(has_duplicate_keys(&entries(&many)));
    }

    #[test]
    fn prealloc_is_capped() {
        assert_eq!(prealloc(None), 0);
        assert_eq!(prealloc(Some(3)), 3);
        assert_eq!(prealloc(Some(u32::MAX as usize)), PREALLOC_LIMIT);
    }

    #[test]
    fn depth_boundary() {
        assert_eq!(check_depth(MAX_DEPTH), Ok(()));
        assert_eq!(check_depth(MAX_DEPTH + 1), Err(DecodeError::DepthExceeded { limit: MAX_DEPTH }));
    }
}
