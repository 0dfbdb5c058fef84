#![allow(clippy::unwrap_used)]

use proptest::prelude::*;

use super::*;

fn rules(params: &[&str], groups: &[(&str, &str)]) -> PageKeyRules {
    PageKeyRules::new(
        params.iter().map(|p| p.to_string()).collect(),
        groups.iter().map(|(p, r)| (p.to_string(), r.to_string())).collect(),
    )
    .unwrap()
}

fn key(url: &str) -> Result<String, PageKeyError> {
    page_key(url, &PageKeyRules::default())
}

#[test]
fn realistic_urls_with_default_rules() {
    let cases = [
        // Scheme, host, port, user info, trailing slash.
        ("https://shop.example/cart?x=1", "https://shop.example/cart"),
        ("HTTPS://Shop.EXAMPLE:443/Cart/", "https://shop.example/Cart"),
        ("http://shop.example:80/", "http://shop.example/"),
        ("http://shop.example:8080/a", "http://shop.example:8080/a"),
        ("https://shop.example", "https://shop.example/"),
        ("https://shop.example/?", "https://shop.example/"),
        ("https://user:secret@shop.example/private", "https://shop.example/private"),
        ("https://MÜNCHEN.example/Stadtplan", "https://xn--mnchen-3ya.example/Stadtplan"),
        ("https://[2001:DB8::1]:8443/status", "https://[2001:db8::1]:8443/status"),
        ("https://SHOP.example/Index.HTML", "https://shop.example/Index.HTML"),
        // Shops.
        ("https://shop.example/products/12345", "https://shop.example/products/:id"),
        (
            "https://shop.example/c/winter-scarves?utm_source=mail&utm_medium=email",
            "https://shop.example/c/winter-scarves",
        ),
        (
            "https://shop.example/product/blue-wool-scarf-1234",
            "https://shop.example/product/blue-wool-scarf-1234",
        ),
        ("https://shop.example/order/ORD-12345678/track", "https://shop.example/order/:id/track"),
        (
            "https://shop.example/orders/3f2c1a9e-7b4d-4c2a-9e1f-0a1b2c3d4e5f/invoice",
            "https://shop.example/orders/:id/invoice",
        ),
        ("https://shop.example/nl-nl/checkout/step-2", "https://shop.example/nl-nl/checkout/step-2"),
        ("https://shop.example/checkout?email=jane%40example.com", "https://shop.example/checkout"),
        ("https://shop.example/search?q=wool+scarf", "https://shop.example/search"),
        ("https://shop.example/p/SKU12345678901234567890", "https://shop.example/p/:id"),
        ("https://shop.example/search;jsessionid=ABC1DEF2GHI3JKL4MNO5PQ", "https://shop.example/:id"),
        ("https://cdn.example/img/5f2b9c0d1e3a4b6c7d8e9f00.webp", "https://cdn.example/img/:id"),
        ("https://shop.example/track/0612345678", "https://shop.example/track/:id"),
        // People.
        (
            "https://shop.example/account/jane.doe@example.com/settings",
            "https://shop.example/account/:id/settings",
        ),
        ("https://shop.example/account/jane.doe%40example.com", "https://shop.example/account/:id"),
        ("https://shop.example/u/Jane%2Edoe%40Example%2Ecom", "https://shop.example/u/:id"),
        ("https://social.example/@jane", "https://social.example/@jane"),
        // Tokens.
        (
            "https://git.example/commit/9fceb02d0ae598e95dc970b74767f19372d61af8",
            "https://git.example/commit/:id",
        ),
        (
            "https://shop.example/reset/eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
            "https://shop.example/reset/:id",
        ),
        ("https://shop.example/verify/Zk3xQ9bT7LmN2pR5sV8wYc", "https://shop.example/verify/:id"),
        ("https://shop.example/invite/k9Fq-2Lm_8Zx4Tb7Wc1Nd0", "https://shop.example/invite/:id"),
        // Blogs and docs.
        ("https://blog.example/2024/05/my-first-post/", "https://blog.example/:id/:id/my-first-post"),
        (
            "https://blog.example/posts/how-to-knit-a-winter-scarf-in-10-steps",
            "https://blog.example/posts/how-to-knit-a-winter-scarf-in-10-steps",
        ),
        (
            "https://en.wikipedia.org/wiki/Windows_10_Anniversary_Update",
            "https://en.wikipedia.org/wiki/Windows_10_Anniversary_Update",
        ),
        (
            "https://en.wikipedia.org/wiki/Donaudampfschifffahrtsgesellschaft",
            "https://en.wikipedia.org/wiki/Donaudampfschifffahrtsgesellschaft",
        ),
        ("https://docs.example/v2/api/reference#authentication", "https://docs.example/v2/api/reference"),
        ("https://news.example/article/20240501-budget-vote", "https://news.example/article/:id"),
        ("https://news.example/2024-05-01/budget-vote", "https://news.example/2024-05-01/budget-vote"),
        // Single-page apps.
        ("https://app.example/#/orders/123?tab=details", "https://app.example/orders/:id"),
        ("https://app.example/dashboard#settings", "https://app.example/dashboard"),
        ("https://app.example/#!/inbox/42", "https://app.example/inbox/:id"),
        ("https://app.example/app/#/", "https://app.example/app"),
        (
            "https://app.example/index.html#/users/jane%40example.com/profile",
            "https://app.example/index.html/users/:id/profile",
        ),
        ("https://app.example/#/a/../b/./c", "https://app.example/b/c"),
        ("https://app.example/#", "https://app.example/"),
        ("https://app.example/#top", "https://app.example/"),
        // Encoding and dot segments.
        ("https://shop.example/a/./b/../c", "https://shop.example/a/c"),
        ("https://shop.example/a/%2e%2E/c", "https://shop.example/c"),
        ("https://shop.example//double//slash//", "https://shop.example/double/slash"),
        ("https://shop.example/caf%C3%A9", "https://shop.example/caf%C3%A9"),
        ("https://shop.example/café", "https://shop.example/caf%C3%A9"),
        ("https://shop.example/%7Ejane/page", "https://shop.example/~jane/page"),
        ("https://shop.example/a%2Fb", "https://shop.example/a%2Fb"),
        ("https://shop.example/files/report%20Q1.pdf", "https://shop.example/files/report%20Q1.pdf"),
        ("https://shop.example/100%", "https://shop.example/100%25"),
        ("https://shop.example/a%ZZb", "https://shop.example/a%25ZZb"),
        ("https://shop.example/%FF", "https://shop.example/%FF"),
        ("  https://shop.example/trimmed  ", "https://shop.example/trimmed"),
    ];
    assert!(cases.len() >= 40);
    for (url, expected) in cases {
        assert_eq!(key(url).as_deref(), Ok(expected), "{url}");
        assert_eq!(key(expected).as_deref(), Ok(expected), "key of {url} is not a fixed point");
    }
}

#[test]
fn urls_without_a_key() {
    let cases = [
        ("", PageKeyError::Unparsable),
        ("/relative/path", PageKeyError::Unparsable),
        ("https://", PageKeyError::Unparsable),
        ("http://exa mple.com/", PageKeyError::Unparsable),
        ("about:blank", PageKeyError::UnsupportedScheme),
        ("file:///home/jane/index.html", PageKeyError::UnsupportedScheme),
        ("chrome-extension://abcdef/popup.html", PageKeyError::UnsupportedScheme),
        ("ftp://files.example/x", PageKeyError::UnsupportedScheme),
    ];
    for (url, error) in cases {
        assert_eq!(key(url), Err(error), "{url}");
    }
    let long = format!("https://shop.example{}", "/page".repeat(MAX_PAGE_KEY_LEN / 5));
    assert_eq!(key(&long), Err(PageKeyError::TooLong { limit: MAX_PAGE_KEY_LEN }));
    // Dropped parts do not count towards the limit.
    let long_query = format!("https://shop.example/?utm={}", "a".repeat(MAX_PAGE_KEY_LEN));
    assert_eq!(key(&long_query).as_deref(), Ok("https://shop.example/"));
}

#[test]
fn error_messages_do_not_quote_the_url() {
    for url in ["mailto:jane@example.com", "jane@example.com"] {
        let message = key(url).unwrap_err().to_string();
        assert!(!message.contains("jane"), "{message}");
    }
}

#[test]
fn allow_listed_parameters() {
    let rules = rules(&["q", "page", "lang", "ref"], &[]);
    let cases = [
        (
            "https://shop.example/search?q=wool+scarf&page=2&utm_source=x",
            "https://shop.example/search?page=2&q=wool%20scarf",
        ),
        ("https://shop.example/search?q=jane%40example.com", "https://shop.example/search?q=:id"),
        ("https://shop.example/search?q=call+me+jane@example.com", "https://shop.example/search?q=:id"),
        ("https://shop.example/list?page=12345678", "https://shop.example/list?page=:id"),
        ("https://shop.example/list?page=12345", "https://shop.example/list?page=12345"),
        ("https://shop.example/?ref=3f2c1a9e-7b4d-4c2a-9e1f-0a1b2c3d4e5f", "https://shop.example/?ref=:id"),
        ("https://shop.example/?q=%2B31%206%201234%205678", "https://shop.example/?q=:id"),
        ("https://shop.example/?q=(020)+123-4567", "https://shop.example/?q=:id"),
        ("https://shop.example/?lang=nl&lang=en", "https://shop.example/?lang=nl&lang=en"),
        ("https://shop.example/?q=", "https://shop.example/?q="),
        ("https://shop.example/?q", "https://shop.example/?q="),
        ("https://shop.example/?Q=x&QUERY=y", "https://shop.example/"),
        ("https://shop.example/?q=a%26b%3Dc%2Bd", "https://shop.example/?q=a%26b%3Dc%2Bd"),
        ("https://shop.example/?q=caf%C3%A9&lang=fr", "https://shop.example/?lang=fr&q=caf%C3%A9"),
        ("https://shop.example/?q=it's", "https://shop.example/?q=it%27s"),
        ("https://app.example/#/search?q=shoes&page=3&tab=x", "https://app.example/search?page=3&q=shoes"),
        ("https://app.example/list?page=2#/search?q=shoes", "https://app.example/list/search?page=2&q=shoes"),
        ("https://shop.example/search?q=wool#results?page=2", "https://shop.example/search?q=wool"),
    ];
    for (url, expected) in cases {
        assert_eq!(page_key(url, &rules).as_deref(), Ok(expected), "{url}");
        assert_eq!(page_key(expected, &rules).as_deref(), Ok(expected), "key of {url} is not a fixed point");
    }
}

#[test]
fn grouping_rules() {
    let rules = rules(
        &[],
        &[
            (r"^https://shop\.example/p/[^/]+$", "https://shop.example/p/:slug"),
            (r"^(https://[^/]+)/blog/.+$", "$1/blog/:post"),
            (r"^(?P<origin>https://[^/]+)/(?P<lang>[a-z]{2})/.*$", "${origin}/${lang}/*"),
            (r"^https://[^/]+/.*$", "https://catch-all.example/"),
        ],
    );
    let cases = [
        ("https://shop.example/p/blue-wool-scarf", "https://shop.example/p/:slug"),
        ("https://shop.example/p/blue-wool-scarf/", "https://shop.example/p/:slug"),
        ("https://shop.example/p/blue/reviews", "https://catch-all.example/"),
        ("https://SHOP.example/blog/2024/05/hello?x=1", "https://shop.example/blog/:post"),
        ("https://shop.example/nl/winkelwagen", "https://shop.example/nl/*"),
        ("https://shop.example/about", "https://catch-all.example/"),
        ("http://shop.example/about", "http://shop.example/about"),
    ];
    for (url, expected) in cases {
        assert_eq!(page_key(url, &rules).as_deref(), Ok(expected), "{url}");
    }
}

#[test]
fn rules_are_validated() {
    let err = |params: &[&str], groups: &[(&str, &str)]| {
        PageKeyRules::new(
            params.iter().map(|p| p.to_string()).collect(),
            groups.iter().map(|(p, r)| (p.to_string(), r.to_string())).collect(),
        )
        .unwrap_err()
    };
    let e = err(&[], &[("^a$", "a"), ("(unclosed", "b")]);
    assert!(matches!(e, RulesError::InvalidPattern { index: 1, .. }), "{e:?}");
    assert!(e.to_string().starts_with("grouping rule 1: invalid regex"), "{e}");
    assert!(matches!(err(&["q", ""], &[]), RulesError::EmptyParam { index: 1 }));
    assert!(matches!(err(&[], &[("^a$", "")]), RulesError::EmptyReplacement { index: 0 }));
    let e = err(&[], &[("^(a)$", "$1"), ("^(a)$", "$1foo")]);
    assert!(matches!(&e, RulesError::UnknownGroup { index: 1, group } if group == "1foo"), "{e:?}");
    assert!(e.to_string().contains("`1foo`"));
    assert!(matches!(err(&[], &[("^(a)$", "${2}")]), RulesError::UnknownGroup { index: 0, .. }));
    assert!(matches!(err(&[], &[("^(?P<x>a)$", "$y")]), RulesError::UnknownGroup { index: 0, .. }));
    assert!(matches!(err(&[], &[("^(?P<x>a)$", "${ x}")]), RulesError::UnknownGroup { index: 0, .. }));

    let ok = rules(&["q"], &[("^(?P<x>a)(b)$", "$$ ${1}z $x ${x} $2 $ $} ${ $0")]);
    assert_eq!(ok.allowed_params(), ["q"]);
    assert_eq!(ok.groups().count(), 1);
}

#[test]
fn id_detection_table() {
    let ids = [
        "0",
        "12345",
        "ORD-12345678",
        "3F2C1A9E-7B4D-4C2A-9E1F-0A1B2C3D4E5F",
        "order-3f2c1a9e-7b4d-4c2a-9e1f-0a1b2c3d4e5f",
        "deadbeefdeadbeef",
        "jane@example.com",
        "mailto:jane.doe+shop@mail.example.co.uk",
        "a1b2c3d4e5f6g7h8i9j0",
        "Zk3xQ9bT7LmN2pR5sV8wYc",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0",
    ];
    for id in ids {
        assert!(looks_like_id(id), "{id}");
    }
    let pages = [
        "",
        "cart",
        ":id",
        "v2",
        "step-2",
        "@jane",
        "index.html",
        "blue-wool-scarf-1234",
        "how-to-knit-a-winter-scarf-in-10-steps",
        "Windows_10_Anniversary_Update",
        "Donaudampfschifffahrtsgesellschaft",
        "iPhone15ProMax",
        "a1b2c3d4e5f6g7h8i9j",
        "2024-05-01",
        "Top-10-Winter-Scarves-of-2024",
    ];
    for page in pages {
        assert!(!looks_like_id(page), "{page}");
    }
}

// ---- properties -----------------------------------------------------------

fn segment() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z]{1,12}(-[a-z0-9]{1,8}){0,3}",
        "[0-9]{1,12}",
        "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
        "[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}",
        "[a-z]{1,8}(\\.[a-z]{1,5})?@[a-z]{1,8}\\.[a-z]{2,4}",
        "[a-z]{1,8}%40[a-z]{1,8}(\\.|%2E|%2e)[a-z]{2,4}",
        "[0-9a-f]{16,40}",
        Just(".".to_string()),
        Just("..".to_string()),
        Just("%2e%2E".to_string()),
        "%[0-9A-Fa-fZ]{2}",
        "\\PC{0,12}",
    ]
}

fn url() -> impl Strategy<Value = String> {
    let scheme = prop_oneof!["http", "https", "HTTP", "HtTpS"];
    let host = "[a-zA-Z][a-zA-Z0-9-]{0,10}(\\.[a-zA-Z]{2,5}){1,2}";
    let port = proptest::option::of(prop_oneof![Just(80u16), Just(443u16), 1u16..]);
    let path = proptest::collection::vec(segment(), 0..6);
    let query = proptest::option::of(
        "(q|page|lang|utm|email)=[a-zA-Z0-9@.+%-]{0,20}(&(q|page|x)=[a-z0-9@%.]{0,12}){0,3}",
    );
    let fragment = proptest::option::of(prop_oneof![
        proptest::collection::vec(segment(), 0..4).prop_map(|s| format!("/{}", s.join("/"))),
        proptest::collection::vec(segment(), 0..4).prop_map(|s| format!(
            "!/{}?q={}",
            s.join("/"),
            s.join(".")
        )),
        "[a-z-]{0,10}",
    ]);
    (scheme, host, port, path, query, fragment).prop_map(|(scheme, host, port, path, query, fragment)| {
        let mut url = format!("{scheme}://{host}");
        if let Some(port) = port {
            url.push_str(&format!(":{port}"));
        }
        url.push('/');
        url.push_str(&path.join("/"));
        if let Some(query) = query {
            url.push('?');
            url.push_str(&query);
        }
        if let Some(fragment) = fragment {
            url.push('#');
            url.push_str(&fragment);
        }
        url
    })
}

fn test_rules() -> PageKeyRules {
    rules(&["q", "page", "lang", "email"], &[(r"^(https?://[^/]+)/blog/[^/]+$", "${1}/blog/:post")])
}

/// The decoded path segments and query values of a key.
fn parts(key: &str) -> (Vec<String>, Vec<String>) {
    let parsed = Url::parse(key).unwrap();
    let segments =
        parsed.path().split('/').map(|s| percent_decode_str(s).decode_utf8_lossy().into_owned()).collect();
    let values = parsed.query_pairs().map(|(_, v)| v.into_owned()).collect();
    (segments, values)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn normalisation_is_idempotent(url in url()) {
        for rules in [PageKeyRules::default(), test_rules()] {
            if let Ok(key) = page_key(&url, &rules) {
                prop_assert_eq!(page_key(&key, &rules), Ok(key.clone()), "{} -> {}", url, key);
            }
        }
    }

    #[test]
    fn keys_never_keep_emails_numbers_or_uuids(url in url()) {
        for rules in [PageKeyRules::default(), test_rules()] {
            let Ok(key) = page_key(&url, &rules) else { continue };
            let (segments, values) = parts(&key);
            for segment in &segments {
                prop_assert!(segment.is_empty() || !segment.bytes().all(|b| b.is_ascii_digit()), "{} -> {}", url, key);
                prop_assert!(!UUID.is_match(segment), "{} -> {}", url, key);
                prop_assert!(!EMAIL.is_match(segment), "{} -> {}", url, key);
            }
            for value in &values {
                prop_assert!(!EMAIL.is_match(value), "{} -> {}", url, key);
                prop_assert!(!UUID.is_match(value), "{} -> {}", url, key);
                prop_assert!(runs(value, |c| c.is_ascii_digit()).all(|run| run.len() < 6), "{} -> {}", url, key);
            }
        }
    }

    #[test]
    fn any_input_is_safe(text in "\\PC{0,40}", tail in "\\PC{0,40}") {
        for input in [text.clone(), format!("https://shop.example/{text}"), format!("https://shop.example/{text}#{tail}")] {
            if let Ok(key) = page_key(&input, &test_rules()) {
                prop_assert_eq!(page_key(&key, &test_rules()), Ok(key.clone()), "{:?} -> {}", input, key);
            }
        }
    }
}
