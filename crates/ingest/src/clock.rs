//! Wall-clock time as the rows and answers carry it: Unix seconds (with
//! the milliseconds within them, to order events of one second) and
//! RFC 3339 text in UTC. One place, so the browser-facing endpoints and
//! the query API say time the same way.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Unix seconds and the milliseconds within that second.
pub fn now() -> (u64, u16) {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    (now.as_secs(), u16::try_from(now.subsec_millis()).unwrap_or(0))
}

/// Unix seconds now.
pub fn now_secs() -> u64 {
    now().0
}

/// Seconds as a ClickHouse 18.16 `DateTime` holds them (until 2106).
pub fn clamp_u32(secs: u64) -> u32 {
    u32::try_from(secs).unwrap_or(u32::MAX)
}

/// RFC 3339 in UTC, from Unix seconds.
pub fn rfc3339(secs: u64) -> String {
    humantime::format_rfc3339_seconds(UNIX_EPOCH + Duration::from_secs(secs)).to_string()
}

/// RFC 3339 in UTC with milliseconds, from Unix milliseconds.
pub fn rfc3339_ms(ms: u64) -> String {
    humantime::format_rfc3339_millis(UNIX_EPOCH + Duration::from_millis(ms)).to_string()
}

#[cfg(test)]
mod tests {
    use super::{rfc3339, rfc3339_ms};

    #[test]
    fn rfc3339_matches_known_instants() {
        let cases = [
            (0, "1970-01-01T00:00:00Z"),
            (951_782_400, "2000-02-29T00:00:00Z"),
            (1_700_000_000, "2023-11-14T22:13:20Z"),
            (1_795_514_400, "2026-11-24T10:00:00Z"),
            (4_102_444_799, "2099-12-31T23:59:59Z"),
        ];
        for (secs, expected) in cases {
            assert_eq!(rfc3339(secs), expected, "{secs}");
        }
        assert_eq!(rfc3339_ms(1_795_514_400_123), "2026-11-24T10:00:00.123Z");
    }
}
