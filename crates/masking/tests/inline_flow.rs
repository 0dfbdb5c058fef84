//! Personal data split by inline markup (`<span>06</span> 12345678`) is
//! masked whole where the layout makes it one value; block elements and
//! line breaks keep separate values apart.

#![allow(clippy::unwrap_used, missing_docs)]

use veil_events::{decode, encode};
use veil_masking::{MaskingRules, Report, SessionState, SiteRules, mask_batch};

/// Masks a snapshot whose body holds `body` (rrweb nodes as JSON, ids
/// from 10 up) and returns the batch as JSON and the report.
fn mask(body: &str, rules: &MaskingRules) -> (String, Report) {
    let batch = format!(
        r#"{{"v":1,"site":"shop","session":"7d1e5c3a-2b4f-4e6a-9c8d-0f1e2d3c4b5a","seq":0,
        "page":{{"url":"https://shop.example/"}},"viewport":{{"w":1,"h":1}},"events":[
        {{"type":2,"timestamp":1,"data":{{"node":{{"type":0,"id":1,"childNodes":[
          {{"type":2,"id":2,"tagName":"html","attributes":{{}},"childNodes":[
            {{"type":2,"id":3,"tagName":"body","attributes":{{}},"childNodes":[{body}]}}]}}]}}}}}}]}}"#
    );
    let mut batch = decode::batch_from_json(batch.as_bytes()).unwrap();
    let report = mask_batch(&mut batch, rules, &mut SessionState::new());
    (String::from_utf8(encode::to_json(&batch).unwrap()).unwrap(), report)
}

fn text(id: u32, text: &str) -> String {
    format!(r#"{{"type":3,"id":{id},"textContent":"{text}"}}"#)
}

fn el(id: u32, tag: &str, children: &[String]) -> String {
    format!(
        r#"{{"type":2,"id":{id},"tagName":"{tag}","attributes":{{}},"childNodes":[{}]}}"#,
        children.join(",")
    )
}

#[test]
fn values_split_by_inline_elements_are_masked_whole() {
    let cases: &[(&str, String, &[&str])] = &[
        (
            "phone",
            el(10, "p", &[text(11, "Bel "), el(12, "span", &[text(13, "06")]), text(14, " 12345678")]),
            &["06", "12345678"],
        ),
        (
            "card",
            el(10, "div", &[el(11, "b", &[text(12, "4111")]), text(13, " 1111 1111 1111")]),
            &["4111", "1111"],
        ),
        (
            "email",
            el(10, "p", &[text(11, "jan"), el(12, "wbr", &[]), text(13, "@example.nl")]),
            &["jan", "example.nl"],
        ),
        (
            "email",
            el(10, "p", &[el(11, "strong", &[text(12, "jan")]), text(13, "@example.nl")]),
            &["jan", "example.nl"],
        ),
        (
            "iban",
            el(
                10,
                "td",
                &[
                    el(11, "span", &[text(12, "NL91 ABNA")]),
                    el(13, "span", &[el(14, "em", &[text(15, " 0417 1643 00")])]),
                ],
            ),
            &["NL91", "ABNA", "0417", "1643"],
        ),
        (
            // React separates interpolated strings with empty comments.
            "phone",
            el(
                10,
                "span",
                &[
                    text(11, "06"),
                    r#"{"type":5,"id":12,"textContent":" "}"#.to_owned(),
                    el(13, "a", &[text(14, "-12345678")]),
                ],
            ),
            &["06", "12345678"],
        ),
    ];
    for (rule, body, leaked) in cases {
        let (out, report) = mask(body, &MaskingRules::default());
        for value in *leaked {
            assert!(!out.contains(&format!("\"{value}")) && !out.contains(value), "{value} left in {out}");
        }
        assert!(report.count(rule) >= 1, "{rule} not counted for {body}: {report:?}");
    }
}

#[test]
fn blocks_breaks_and_unscanned_text_end_a_value() {
    let cases: Vec<String> = vec![
        // Two table cells: a count next to a count, not one phone number.
        el(10, "tr", &[el(11, "td", &[text(12, "06")]), el(13, "td", &[text(14, " 12345678")])]),
        // List items and line breaks.
        el(10, "ul", &[el(11, "li", &[text(12, "4111 1111")]), el(13, "li", &[text(14, " 1111 1111")])]),
        el(10, "p", &[el(11, "b", &[text(12, "4111 1111")]), el(13, "br", &[]), text(14, " 1111 1111")]),
        // A paragraph per half.
        el(10, "div", &[el(11, "p", &[text(12, "06")]), el(13, "span", &[text(14, " 12345678")])]),
    ];
    for body in &cases {
        let (out, report) = mask(body, &MaskingRules::default());
        assert!(report.is_empty(), "masked across a break: {out}: {report:?}");
    }
    // Text under an unmasked inline element is not scanned, so it is no
    // part of a value either.
    let rules =
        MaskingRules::new(SiteRules { unmask_selectors: vec![".open".into()], ..SiteRules::default() })
            .unwrap();
    let body = format!(
        r#"{{"type":2,"id":10,"tagName":"p","attributes":{{}},"childNodes":[{},{}]}}"#,
        r#"{"type":2,"id":11,"tagName":"span","attributes":{"class":"open"},"childNodes":[{"type":3,"id":12,"textContent":"06"}]}"#,
        text(13, " 12345678")
    );
    let (out, report) = mask(&body, &rules);
    assert!(out.contains(r#""textContent":"06""#) && out.contains(" 12345678"), "{out}");
    assert!(report.is_empty(), "{report:?}");
}

#[test]
fn a_value_already_masked_in_one_node_is_counted_once() {
    let body =
        el(10, "p", &[text(11, "Mail jan@example.nl of bel "), el(12, "b", &[text(13, "06-12345678")])]);
    let (out, report) = mask(&body, &MaskingRules::default());
    assert!(!out.contains("jan@") && !out.contains("12345678"), "{out}");
    assert_eq!((report.count("email"), report.count("phone")), (1, 1), "{report:?}");
}

#[test]
fn deeply_nested_inline_elements_mask_on_a_small_stack() {
    // As deep as the decoder admits, all inline, on a 2 MiB thread like
    // tokio's and actix's workers; the number's halves at either end.
    let mut node = text(100_000, "12345678");
    for i in 0..245 {
        node = el(10 + i, "span", &[node]);
    }
    let body = el(9, "p", &[text(8, "06 "), node]);
    let out = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || mask(&body, &MaskingRules::default()))
        .unwrap()
        .join()
        .unwrap();
    assert!(!out.0.contains("12345678"), "not masked");
    assert_eq!(out.1.count("phone"), 1);
}
