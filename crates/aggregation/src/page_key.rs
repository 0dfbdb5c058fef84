//! Page keys (SPEC §6): the normalised URL a heatmap belongs to.
//!
//! A heatmap is only useful when every visit of "the same page" lands on
//! the same key, and a key must never carry personal data, because keys are
//! stored for `heatmap_retention_days` and shown to every analyst. So
//! [`page_key`] keeps the parts of a URL that name a page (scheme, host,
//! path) and drops or replaces everything that names a visitor or an
//! object (query strings, fragments, ids in the path).
//!
//! The rules, in order:
//!
//! 1. The URL is parsed as the browser does (WHATWG URL): scheme and host
//!    are lower-cased (international hosts become punycode), default ports
//!    and `user:password@` are dropped, `.` and `..` segments are resolved.
//!    Only `http` and `https` URLs have keys.
//! 2. **Hash routes**: a fragment that starts with `/` or `!/` (`#/orders`,
//!    `#!/orders`) is a single-page app's route and its path is appended to
//!    the URL's path, so `https://app.example/#/orders/7` and
//!    `https://app.example/orders/7` share the key `https://app.example/orders/:id`;
//!    a `?query` inside the route is treated like the URL's own query.
//!    Every other fragment (`#reviews`) is dropped: it marks a place on the
//!    page, not another page.
//! 3. Each path segment is percent-decoded and, if it looks like an id
//!    (see [`looks_like_id`]), replaced by `:id`; other segments are
//!    re-encoded in one canonical form. Empty segments are dropped, so a
//!    trailing slash disappears (`/cart/` → `/cart`); the root stays `/`.
//! 4. The query string is dropped except parameters on the site's allow-list,
//!    which are kept with their values (sorted by name, equal names in their
//!    original order); a value that looks like an id, an e-mail or a long
//!    number (six or more digits, phone punctuation allowed) becomes `:id`.
//! 5. The site's grouping rules are tried in order on the normalised key;
//!    the first regex that matches produces the key from its replacement
//!    (`$1`, `${name}` expand to captures; the replacement is the whole key,
//!    not a substitution inside it).
//!
//! Steps 1–4 are idempotent: a key read back as a URL gives itself. Grouping
//! keeps that property when each replacement is itself a key its rule maps
//! to itself (for example `^https://shop\.example/p/[^/]+$` →
//! `https://shop.example/p/:slug`), which is what a site wants anyway.

use std::sync::LazyLock;

use percent_encoding::{AsciiSet, CONTROLS, percent_decode_str, percent_encode};
use regex::Regex;
use url::Url;
use url::form_urlencoded;

/// What replaces an id-like path segment or parameter value.
pub const ID_PLACEHOLDER: &str = ":id";

/// Longest key produced, in bytes. Keys are part of the ClickHouse sort key
/// and shown in the console; a longer URL is almost always an id-laden one
/// the rules failed to recognise.
pub const MAX_PAGE_KEY_LEN: usize = 2048;

/// Bytes written percent-encoded in path segments of a key: everything the
/// URL parser would encode itself, so a key re-parses unchanged, plus `%`
/// (so decoding and re-encoding is a fixed point), the separators `/` and
/// `\` (a decoded `%2F` stays inside its segment) and a few characters
/// browsers disagree on. Non-ASCII bytes are always encoded.
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'%')
    .add(b'/')
    .add(b'\\')
    .add(b'^')
    .add(b'|')
    .add(b'[')
    .add(b']');

/// Bytes written percent-encoded in query names and values of a key: those
/// of [`SEGMENT`] plus the query's own delimiters and `'`, which the URL
/// parser encodes in queries of http(s) URLs. Spaces become `%20`, never `+`.
const QUERY: &AsciiSet = &SEGMENT.add(b'&').add(b'=').add(b'+').add(b'\'');

/// Why a URL has no page key.
///
/// Messages never quote the URL: it may hold the very data keys exist to
/// keep out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub enum PageKeyError {
    /// Not an absolute URL the browser would accept.
    #[error("page URL cannot be parsed")]
    Unparsable,
    /// Not `http` or `https`: `file:`, `about:blank`, extension pages, …
    #[error("page URL scheme is not http or https")]
    UnsupportedScheme,
    /// The key would be longer than [`MAX_PAGE_KEY_LEN`] bytes.
    #[error("page key longer than {limit} bytes")]
    TooLong {
        /// [`MAX_PAGE_KEY_LEN`].
        limit: usize,
    },
}

/// Why a site's page-key rules were refused. Each variant names the
/// position of the offending entry in its list, so a config error can point
/// at it.
#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    /// An allow-listed parameter name is empty.
    #[error("allowed parameter {index} is empty")]
    EmptyParam {
        /// Position in the allow-list.
        index: usize,
    },
    /// A grouping rule's regex does not compile.
    #[error("grouping rule {index}: invalid regex: {source}")]
    InvalidPattern {
        /// Position in the list of grouping rules.
        index: usize,
        /// What the regex compiler said.
        source: regex::Error,
    },
    /// A grouping rule's replacement is empty.
    #[error("grouping rule {index}: the replacement is empty")]
    EmptyReplacement {
        /// Position in the list of grouping rules.
        index: usize,
    },
    /// A replacement names a capture group its regex does not have. This
    /// catches `$1foo`, which means the group named `1foo`: write `${1}foo`.
    #[error(
        "grouping rule {index}: the replacement refers to group `{group}`, which the regex does not have"
    )]
    UnknownGroup {
        /// Position in the list of grouping rules.
        index: usize,
        /// The group name or number as written.
        group: String,
    },
}

/// A site's page-key settings, validated.
#[derive(Debug, Clone, Default)]
pub struct PageKeyRules {
    allowed_params: Vec<String>,
    groups: Vec<(Regex, String)>,
}

impl PageKeyRules {
    /// Validates a site's allow-listed query parameters (exact, case-sensitive
    /// names) and grouping rules (`(regex, replacement)`, tried in order).
    pub fn new(allowed_params: Vec<String>, groups: Vec<(String, String)>) -> Result<Self, RulesError> {
        if let Some(index) = allowed_params.iter().position(String::is_empty) {
            return Err(RulesError::EmptyParam { index });
        }
        let groups = groups
            .into_iter()
            .enumerate()
            .map(|(index, (pattern, replacement))| {
                let regex =
                    Regex::new(&pattern).map_err(|source| RulesError::InvalidPattern { index, source })?;
                if replacement.is_empty() {
                    return Err(RulesError::EmptyReplacement { index });
                }
                if let Some(group) = unknown_group(&regex, &replacement) {
                    return Err(RulesError::UnknownGroup { index, group });
                }
                Ok((regex, replacement))
            })
            .collect::<Result<_, _>>()?;
        Ok(PageKeyRules { allowed_params, groups })
    }

    /// The allow-listed query parameters.
    pub fn allowed_params(&self) -> &[String] {
        &self.allowed_params
    }

    /// The grouping rules, in the order they are tried.
    pub fn groups(&self) -> impl Iterator<Item = (&Regex, &str)> {
        self.groups.iter().map(|(regex, replacement)| (regex, replacement.as_str()))
    }

    fn allows(&self, name: &str) -> bool {
        self.allowed_params.iter().any(|allowed| allowed == name)
    }
}

/// The page key of `url` under a site's `rules` (see the module
/// documentation for the rules).
pub fn page_key(url: &str, rules: &PageKeyRules) -> Result<String, PageKeyError> {
    let parsed = Url::parse(url).map_err(|_| PageKeyError::Unparsable)?;
    let scheme = parsed.scheme();
    if scheme != "http" && scheme != "https" {
        return Err(PageKeyError::UnsupportedScheme);
    }
    // http(s) URLs always have a host once parsed; the fallback only keeps
    // this function free of panics.
    let host = parsed.host_str().ok_or(PageKeyError::Unparsable)?;

    let mut segments = Vec::new();
    push_segments(&mut segments, parsed.path());
    let mut params = Vec::new();
    push_params(&mut params, parsed.query().unwrap_or(""), rules);
    if let Some(route) = parsed.fragment().and_then(hash_route) {
        let route = route.split('#').next().unwrap_or("");
        let (path, query) = route.split_once('?').unwrap_or((route, ""));
        push_segments(&mut segments, path);
        push_params(&mut params, query, rules);
    }
    // Stable: equal names keep their original order.
    params.sort_by(|a, b| a.0.cmp(&b.0));

    let mut key = format!("{scheme}://{host}");
    if let Some(port) = parsed.port() {
        key.push(':');
        key.push_str(&port.to_string());
    }
    if segments.is_empty() {
        key.push('/');
    }
    for segment in &segments {
        key.push('/');
        key.push_str(segment);
    }
    for (i, (name, value)) in params.iter().enumerate() {
        key.push(if i == 0 { '?' } else { '&' });
        key.extend(percent_encode(name.as_bytes(), QUERY));
        key.push('=');
        key.extend(percent_encode(value.as_bytes(), QUERY));
    }
    check_len(&key)?;

    match rules.groups.iter().find_map(|(regex, replacement)| Some((regex.captures(&key)?, replacement))) {
        Some((captures, replacement)) => {
            let mut grouped = String::new();
            captures.expand(replacement, &mut grouped);
            check_len(&grouped)?;
            Ok(grouped)
        }
        None => Ok(key),
    }
}

fn check_len(key: &str) -> Result<(), PageKeyError> {
    if key.len() > MAX_PAGE_KEY_LEN { Err(PageKeyError::TooLong { limit: MAX_PAGE_KEY_LEN }) } else { Ok(()) }
}

/// The route of a hash-router fragment (`/orders?tab=2` of `#/orders?tab=2`
/// or `#!/orders?tab=2`), `None` for a plain in-page anchor.
fn hash_route(fragment: &str) -> Option<&str> {
    let route = fragment.strip_prefix('!').unwrap_or(fragment);
    route.starts_with('/').then_some(route)
}

/// Appends the normalised segments of a percent-encoded path.
fn push_segments(segments: &mut Vec<String>, path: &str) {
    for raw in path.split('/').filter(|s| !s.is_empty()) {
        let bytes: Vec<u8> = percent_decode_str(raw).collect();
        match bytes.as_slice() {
            // The URL parser resolves these in paths (also as `%2e`), but
            // not in fragments; a key must not contain them or it would not
            // re-parse to itself.
            b"." => continue,
            b".." => {
                segments.pop();
                continue;
            }
            _ => {}
        }
        if looks_like_id(&String::from_utf8_lossy(&bytes)) {
            segments.push(ID_PLACEHOLDER.to_string());
        } else {
            segments.push(percent_encode(&bytes, SEGMENT).to_string());
        }
    }
}

/// Appends the allow-listed parameters of a query string, decoded, with
/// id-like values replaced.
fn push_params(params: &mut Vec<(String, String)>, query: &str, rules: &PageKeyRules) {
    if rules.allowed_params.is_empty() {
        return;
    }
    for (name, value) in form_urlencoded::parse(query.as_bytes()) {
        if !rules.allows(&name) {
            continue;
        }
        let value = if value_looks_like_id(&value) { ID_PLACEHOLDER.to_string() } else { value.into_owned() };
        params.push((name.into_owned(), value));
    }
}

static EMAIL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[^\s@]+@[^\s@.]+\.[^\s@.]+").expect("constant pattern"));
static UUID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}").expect("constant pattern")
});
static HEX_RUN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[0-9a-fA-F]{16,}").expect("constant pattern"));

/// Whether a decoded path segment names an object or a person rather than a
/// page. True when the segment
///
/// - is a number (all ASCII digits) or contains a run of six or more
///   digits (order and phone numbers, `ORD-12345678`; a date written as
///   `20240501-title` goes too, which a grouping rule can undo),
/// - contains an e-mail address (`local@domain.tld`, also when it arrived
///   as `%40`: segments are decoded first),
/// - contains a UUID (8-4-4-4-12 hex digits),
/// - contains a run of 16 or more hex digits (hashes, object ids),
/// - contains a letters-and-digits run of 20 or more characters with at
///   least two digits (order numbers, tokens), or
/// - contains a base64url run (`[A-Za-z0-9_-]`) of 22 or more characters
///   that switches between letters and digits or from lower to upper case
///   at least once every five characters, as random data does (a 128-bit
///   token is 22 characters) and slugs like `Windows_10_Anniversary_Update`
///   do not.
pub fn looks_like_id(segment: &str) -> bool {
    (!segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit()))
        || runs(segment, |c| c.is_ascii_digit()).any(|run| run.len() >= 6)
        || EMAIL.is_match(segment)
        || UUID.is_match(segment)
        || HEX_RUN.is_match(segment)
        || runs(segment, |c| c.is_ascii_alphanumeric())
            .any(|run| run.len() >= 20 && run.bytes().filter(u8::is_ascii_digit).count() >= 2)
        || runs(segment, |c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            .any(|run| run.len() >= 22 && class_switches(run) * 5 >= run.len())
}

/// Whether an allow-listed parameter's value must not be kept: anything
/// [`looks_like_id`] except short numbers (`page=2`, `year=2024` are kept),
/// and long numbers written with phone punctuation (`+31 6 1234 5678`).
fn value_looks_like_id(value: &str) -> bool {
    let digits = value.bytes().filter(u8::is_ascii_digit).count();
    let numeric = value.bytes().all(|b| b.is_ascii_digit() || b" +-().".contains(&b));
    if numeric {
        return digits >= 6;
    }
    looks_like_id(value)
}

/// Maximal runs of characters satisfying `keep`.
fn runs(text: &str, keep: impl Fn(char) -> bool) -> impl Iterator<Item = &str> {
    text.split(move |c: char| !keep(c)).filter(|run| !run.is_empty())
}

/// How often a run switches between letters and digits or from a lower-case
/// to an upper-case letter.
fn class_switches(run: &str) -> usize {
    run.as_bytes()
        .windows(2)
        .filter(|pair| {
            let (a, b) = (pair[0], pair[1]);
            (a.is_ascii_alphabetic() && b.is_ascii_digit())
                || (a.is_ascii_digit() && b.is_ascii_alphabetic())
                || (a.is_ascii_lowercase() && b.is_ascii_uppercase())
        })
        .count()
}

/// The first group a replacement refers to that `regex` does not have,
/// following the `regex` crate's replacement syntax: `$$` is a literal `$`,
/// `${name}` and `$name` (the longest run of `[0-9A-Za-z_]`) refer to a
/// group by number or name, and a `$` followed by anything else is literal.
fn unknown_group(regex: &Regex, replacement: &str) -> Option<String> {
    let mut rest = replacement;
    while let Some(at) = rest.find('$') {
        rest = &rest[at + 1..];
        let name = if let Some(after) = rest.strip_prefix('$') {
            rest = after;
            continue;
        } else if let Some(braced) = rest.strip_prefix('{') {
            let Some(end) = braced.find('}') else { continue };
            rest = &braced[end + 1..];
            &braced[..end]
        } else {
            let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(rest.len());
            let name = &rest[..end];
            rest = &rest[end..];
            name
        };
        if name.is_empty() {
            continue;
        }
        let known = match name.parse::<usize>() {
            Ok(n) => n < regex.captures_len(),
            Err(_) => regex.capture_names().flatten().any(|group| group == name),
        };
        if !known {
            return Some(name.to_string());
        }
    }
    None
}

#[cfg(test)]
#[path = "page_key_tests.rs"]
mod tests;
