//! Date ranges of query parameters: `YYYY-MM-DD`, inclusive, UTC; the
//! default is the last 30 days.

use std::time::{Duration, SystemTime};

/// Longest range one query may cover.
const MAX_DAYS: u64 = 3660;

/// Days the store can hold: ClickHouse's `Date` counts days since 1970 in
/// 16 bits (to 2149) and `DateTime` seconds in 32 (to 2106-02-07); a day
/// outside is not an empty answer but a query ClickHouse would refuse, so
/// it is refused here as the client's mistake (400), not retried (503).
const FIRST_DAY: &str = "1970-01-01";
const LAST_DAY: &str = "2105-12-31";

/// An inclusive range of days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateRange {
    /// First day.
    pub from: String,
    /// Last day.
    pub to: String,
}

impl DateRange {
    /// Parses `from` and `to`; `to` defaults to today, `from` to 29 days
    /// before `to`.
    pub fn parse(from: Option<&str>, to: Option<&str>) -> Result<DateRange, String> {
        Self::parse_at(from, to, SystemTime::now())
    }

    fn parse_at(from: Option<&str>, to: Option<&str>, now: SystemTime) -> Result<DateRange, String> {
        let to = match to {
            Some(to) => supported_day(to, "to")?,
            None => now,
        };
        let from = match from {
            Some(from) => supported_day(from, "from")?,
            None => to.checked_sub(Duration::from_secs(29 * 86_400)).unwrap_or(to),
        };
        let span = to.duration_since(from).map_err(|_| "from must not be after to")?;
        if span > Duration::from_secs(MAX_DAYS * 86_400) {
            return Err(format!("a range may cover at most {MAX_DAYS} days"));
        }
        Ok(DateRange { from: format_day(from), to: format_day(to) })
    }
}

/// Midnight UTC of a date the store can hold, or why not.
fn supported_day(text: &str, name: &str) -> Result<SystemTime, String> {
    let time = day(text).ok_or_else(|| format!("{name} must be a date, YYYY-MM-DD"))?;
    // `YYYY-MM-DD` strings of the same length compare as dates.
    if !(FIRST_DAY..=LAST_DAY).contains(&text.trim()) {
        return Err(format!("{name} must be between {FIRST_DAY} and {LAST_DAY}"));
    }
    Ok(time)
}

/// Midnight UTC of a `YYYY-MM-DD` date.
pub(crate) fn day(text: &str) -> Option<SystemTime> {
    let text = text.trim();
    let shape_ok = text.len() == 10 && text.as_bytes()[4] == b'-' && text.as_bytes()[7] == b'-';
    if !shape_ok {
        return None;
    }
    humantime::parse_rfc3339(&format!("{text}T00:00:00Z")).ok()
}

fn format_day(time: SystemTime) -> String {
    humantime::format_rfc3339_seconds(time).to_string()[..10].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(date: &str) -> SystemTime {
        day(date).expect("valid date")
    }

    #[test]
    fn ranges_parse_and_default_to_thirty_days() {
        let now = at("2026-11-24");
        let range = |from, to| DateRange::parse_at(from, to, now);
        assert_eq!(range(None, None), Ok(DateRange { from: "2026-10-26".into(), to: "2026-11-24".into() }));
        assert_eq!(
            range(Some("2026-11-01"), Some("2026-11-30")),
            Ok(DateRange { from: "2026-11-01".into(), to: "2026-11-30".into() })
        );
        assert_eq!(range(None, Some("2026-03-01")).map(|r| r.from), Ok("2026-01-31".into()));
        for bad in
            ["2026-13-01", "2026-02-30", "24-11-2026", "2026/11/24", "yesterday", "2026-11-24T00:00:00Z"]
        {
            assert!(range(Some(bad), None).is_err(), "{bad}");
        }
        assert!(range(Some("2026-11-25"), Some("2026-11-24")).is_err());
    }

    #[test]
    fn days_the_store_cannot_hold_are_refused() {
        let now = at("2026-11-24");
        let range = |from, to| DateRange::parse_at(from, to, now);
        let cases = [
            (Some("1970-01-01"), Some("1970-01-30"), true),
            (Some("2105-12-01"), Some("2105-12-31"), true),
            (Some("1969-12-31"), Some("1970-01-05"), false),
            (Some("0000-01-01"), Some("0000-01-02"), false),
            (Some("2106-01-01"), Some("2106-01-02"), false),
            (None, Some("9999-12-31"), false),
            (Some("2149-06-06"), Some("2149-06-07"), false),
        ];
        for (from, to, ok) in cases {
            let parsed = range(from, to);
            assert_eq!(parsed.is_ok(), ok, "{from:?}..{to:?}: {parsed:?}");
            // Years before 1970 are no date at all for the parser; later
            // ones are dates out of range.
            if !ok && from.is_none_or(|from| from >= FIRST_DAY) {
                assert!(
                    parsed.expect_err("refused").contains("between 1970-01-01 and 2105-12-31"),
                    "{from:?}..{to:?}"
                );
            }
        }
    }
}
