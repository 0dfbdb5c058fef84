//! Server-side masking on arbitrary event trees (decoded from the input as
//! JSON events), and on arbitrary text. Invariant: masking is idempotent —
//! masking the masked events again changes nothing — and never panics.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use veil_events::{decode, encode};
use veil_masking::{MaskingRules, SessionState, mask_events, mask_text};

/// Built once: compiling the detectors per input would be most of the run.
static RULES: LazyLock<MaskingRules> = LazyLock::new(MaskingRules::default);

fuzz_target!(|data: &[u8]| {
    let rules = &*RULES;
    if let Ok(text) = std::str::from_utf8(data) {
        let (masked, _) = mask_text(text, rules);
        let (twice, _) = mask_text(&masked, rules);
        assert_eq!(masked, twice, "masking text twice changed it");
    }
    let Ok(mut events) = decode::events_from_json(data) else { return };
    let mut session = SessionState::default();
    mask_events(&mut events, rules, &mut session);
    let once = encode::events_to_json(&events).expect("masked events encode");
    let mut again = decode::events_from_json(&once).expect("our own JSON decodes");
    mask_events(&mut again, rules, &mut SessionState::default());
    let twice = encode::events_to_json(&again).expect("masked events encode");
    assert_eq!(once, twice, "masking events twice changed them");
});
