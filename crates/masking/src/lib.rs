//! Server-side masking (SPEC §5): the second line of defence that removes
//! form values and personal data from rrweb events, whatever the recorder
//! claims to have masked already.
//!
//! Pure logic, no I/O: ingest and `veil mask` run exactly the same code.
//!
//! What is enforced today: every rrweb Input event's typed text is
//! replaced by `*` of the same length, so layout survives in replay and no
//! typed value is stored. Structural masking of snapshots and mutations
//! and the PII detectors extend [`mask_events`].
//!
//! ```
//! use veil_events::{Event, EventType, Value};
//!
//! let data = Value::Map(vec![
//!     ("source".into(), Value::UInt(5)),
//!     ("id".into(), Value::UInt(42)),
//!     ("text".into(), Value::Str("jane@example.com".into())),
//! ]);
//! let mut events = vec![Event::new(EventType::IncrementalSnapshot, 1_700_000_000_000, data)];
//! let report = veil_masking::mask_events(&mut events);
//! assert_eq!(events[0].data.get("text").and_then(Value::as_str), Some("****************"));
//! assert_eq!(report.count("input_value"), 1);
//! ```

mod report;

pub use report::Report;

use veil_events::{Event, IncrementalSource, Value};

/// Masks events in place and reports what was changed, by rule.
pub fn mask_events(events: &mut [Event<'_>]) -> Report {
    let mut report = Report::default();
    for event in events.iter_mut() {
        if event.source() == Some(IncrementalSource::Input) {
            mask_input(&mut event.data, &mut report);
        }
    }
    report
}

/// An Input event carries the typed `text` (and `isChecked` for boxes,
/// which is state, not content, and kept).
fn mask_input(data: &mut Value<'_>, report: &mut Report) {
    if let Some(text) = data.get_mut("text")
        && let Some(masked) = text.as_str().and_then(stars)
    {
        text.set_str(masked);
        report.add("input_value");
    }
}

/// Same-length `*` for a value that is not already fully masked; `None`
/// when nothing would change (so masking is idempotent and not counted
/// twice).
fn stars(value: &str) -> Option<String> {
    if value.chars().all(|c| c == '*') {
        return None;
    }
    Some("*".repeat(value.chars().count()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use veil_events::EventType;

    fn input(text: &str) -> Event<'static> {
        Event::new(
            EventType::IncrementalSnapshot,
            1,
            Value::Map(vec![
                ("source".into(), Value::UInt(5)),
                ("id".into(), Value::UInt(7)),
                ("text".into(), Value::Str(text.to_owned().into())),
                ("isChecked".into(), Value::Bool(false)),
            ]),
        )
    }

    #[test]
    fn typed_values_become_same_length_stars() {
        let cases = [("secret", "******"), ("Jäné Dœ", "*******"), ("", ""), ("****", "****")];
        for (typed, expected) in cases {
            let mut events = vec![input(typed)];
            mask_events(&mut events);
            assert_eq!(events[0].data.get("text").and_then(Value::as_str), Some(expected), "{typed}");
            assert_eq!(events[0].data.get("isChecked").and_then(Value::as_bool), Some(false));
        }
    }

    #[test]
    fn masking_is_idempotent_and_counts_once() {
        let mut events = vec![input("4111 1111 1111 1111"), input("x")];
        assert_eq!(mask_events(&mut events).count("input_value"), 2);
        let once = events.clone();
        assert_eq!(mask_events(&mut events).count("input_value"), 0);
        assert_eq!(events, once);
    }

    #[test]
    fn other_events_are_untouched() {
        let mouse = Event::new(
            EventType::IncrementalSnapshot,
            1,
            Value::Map(vec![("source".into(), Value::UInt(2)), ("text".into(), Value::Str("kept".into()))]),
        );
        let mut events = vec![mouse.clone()];
        assert!(mask_events(&mut events).is_empty());
        assert_eq!(events, vec![mouse]);
    }
}
