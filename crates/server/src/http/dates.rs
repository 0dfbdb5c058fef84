//! Date ranges of query parameters: `YYYY-MM-DD`, inclusive, UTC; the
//! default is the last 30 days.

use std::time::{Duration, SystemTime};

/// Longest range one query may cover.
const MAX_DAYS: u64 = 3660;

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
            Some(to) => day(to).ok_or("to must be a date, YYYY-MM-DD")?,
            None => now,
        };
        let from = match from {
            Some(from) => day(from).ok_or("from must be a date, YYYY-MM-DD")?,
            None => to.checked_sub(Duration::from_secs(29 * 86_400)).unwrap_or(to),
        };
        let span = to.duration_since(from).map_err(|_| "from must not be after to")?;
        if span > Duration::from_secs(MAX_DAYS * 86_400) {
            return Err(format!("a range may cover at most {MAX_DAYS} days"));
        }
        Ok(DateRange { from: format_day(from), to: format_day(to) })
    }
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
}
