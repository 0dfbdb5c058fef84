//! Browser family from the `User-Agent` header, for the sessions index.
//! The header itself is never stored or logged (SPEC §4): only one word of
//! a closed set leaves this function, so no rare string can single out a
//! visitor.

/// The families the sessions index knows, plus `other`.
pub const FAMILIES: &[&str] =
    &["chrome", "edge", "firefox", "safari", "opera", "samsung", "chromium", "bot", "other"];

/// The browser family of a user agent. Order matters: Edge, Opera and
/// Samsung Internet also claim to be Chrome and Safari; Chrome claims to be
/// Safari; iOS browsers claim Safari but name themselves (`CriOS`,
/// `FxiOS`, `EdgiOS`).
pub fn family(user_agent: &str) -> &'static str {
    let ua = user_agent;
    let has = |needle: &str| ua.contains(needle);
    if ua.is_empty() {
        return "other";
    }
    let lower = ua.to_ascii_lowercase();
    if ["bot", "crawler", "spider", "headlesschrome", "lighthouse"].iter().any(|n| lower.contains(n)) {
        return "bot";
    }
    if has("Edg/") || has("EdgA/") || has("EdgiOS/") || has("Edge/") {
        "edge"
    } else if has("OPR/") || has("Opera") || has("OPT/") {
        "opera"
    } else if has("SamsungBrowser/") {
        "samsung"
    } else if has("Firefox/") || has("FxiOS/") {
        "firefox"
    } else if has("Chromium/") {
        "chromium"
    } else if has("Chrome/") || has("CriOS/") {
        "chrome"
    } else if has("Safari/") && (has("Version/") || has("iPhone") || has("iPad") || has("Macintosh")) {
        "safari"
    } else {
        "other"
    }
}

#[cfg(test)]
mod tests {
    use super::{FAMILIES, family};

    #[test]
    fn common_user_agents_map_to_their_family() {
        let cases = [
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
                "chrome",
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
                "edge",
            ),
            ("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", "firefox"),
            (
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
                "safari",
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
                "safari",
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1",
                "chrome",
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/133.0 Mobile/15E148 Safari/605.1.15",
                "firefox",
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 OPR/115.0.0.0",
                "opera",
            ),
            (
                "Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36",
                "samsung",
            ),
            (
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chromium/130.0.0.0 Chrome/130.0.0.0 Safari/537.36",
                "chromium",
            ),
            (
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36",
                "bot",
            ),
            ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "bot"),
            ("curl/8.5.0", "other"),
            ("", "other"),
        ];
        for (ua, expected) in cases {
            assert_eq!(family(ua), expected, "{ua}");
            assert!(FAMILIES.contains(&family(ua)));
        }
    }
}
