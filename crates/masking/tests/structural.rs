//! Structural masking on hand-written rrweb fixtures: a checkout page as
//! a recorder with masking switched off would send it (every typed value
//! raw), then a later batch of the same session.

#![allow(clippy::unwrap_used, missing_docs)]

use veil_events::{Batch, Value, decode, encode};
use veil_masking::{FieldKind, MaskingRules, Report, SessionState, SiteRules, mask_batch};

mod common;

use common::{fixture, rules};

fn json(batch: &Batch<'_>) -> String {
    String::from_utf8(encode::to_json(batch).unwrap()).unwrap()
}

/// Everything the visitor typed or the page showed about them, per batch
/// (`batch0`, `batch1`); shared with the server's end-to-end test.
fn typed(batch: &str) -> Vec<String> {
    let all: serde_json::Value =
        serde_json::from_str(include_str!("fixtures/checkout_typed.json")).expect("typed values fixture");
    all[batch].as_array().expect("a list").iter().map(|v| v.as_str().expect("a string").to_owned()).collect()
}

fn assert_absent(out: &str, typed: &[String]) {
    let leaked: Vec<_> = typed.iter().filter(|t| out.contains(*t)).collect();
    assert!(leaked.is_empty(), "leaked {leaked:?} in\n{out}");
}

fn find_node<'v>(v: &'v Value<'v>, id: i64) -> Option<&'v Value<'v>> {
    if v.get("id").and_then(Value::as_i64) == Some(id) && v.get("type").is_some() {
        return Some(v);
    }
    match v {
        Value::Array(items) => items.iter().find_map(|i| find_node(i, id)),
        Value::Map(entries) => entries.iter().find_map(|(_, i)| find_node(i, id)),
        _ => None,
    }
}

fn attr<'v>(batch: &'v Batch<'v>, id: i64, name: &str) -> Option<&'v Value<'v>> {
    let node = find_node(&batch.events[1].data, id).unwrap();
    node.get("attributes").unwrap().get(name)
}

fn input_text<'v>(batch: &'v Batch<'v>, id: i64) -> Vec<&'v str> {
    batch
        .events
        .iter()
        .filter(|e| e.data.get("source").and_then(Value::as_i64) == Some(5))
        .filter(|e| e.data.get("id").and_then(Value::as_i64) == Some(id))
        .filter_map(|e| e.data.get("text").and_then(Value::as_str))
        .collect()
}

fn mask0() -> (Vec<u8>, SessionState) {
    let body = fixture("checkout_batch0.json");
    let mut state = SessionState::new();
    let mut batch = decode::batch_from_json(&body).unwrap();
    mask_batch(&mut batch, &rules(), &mut state);
    (encode::to_json(&batch).unwrap(), state)
}

#[test]
fn hostile_batch_leaves_no_typed_value() {
    let body = fixture("checkout_batch0.json");
    let mut batch = decode::batch_from_json(&body).unwrap();
    let before = batch.events.len();
    let report = mask_batch(&mut batch, &rules(), &mut SessionState::new());
    let out = json(&batch);
    assert_absent(&out, &typed("batch0"));
    // Labels and unmasked help text survive.
    assert!(out.contains("Bestelling plaatsen"), "{out}");
    assert!(out.contains("Klantenservice 020-1234567"), "{out}");
    assert!(out.contains("Bijna klaar, Jan!"), "{out}");
    // Input events of the password, cc-number and one-time-code fields are gone.
    assert_eq!(batch.events.len(), before - 3);
    assert_eq!(report.events_removed(), 3);
    assert_eq!(report.count_kind("removed_field", FieldKind::RemovedField), 3 + 5);
    assert!(input_text(&batch, 22).is_empty());
    assert_eq!(input_text(&batch, 20), ["************"]);
    assert_eq!(input_text(&batch, 33), ["**************"]);
    assert_eq!(input_text(&batch, 34), ["Bestelling plaatsen"]);
    assert_eq!(input_text(&batch, 26), ["**"]);
    assert_eq!(input_text(&batch, 50), ["***********"]);
}

#[test]
fn form_fields_in_the_snapshot() {
    let body = fixture("checkout_batch0.json");
    let mut batch = decode::batch_from_json(&body).unwrap();
    mask_batch(&mut batch, &rules(), &mut SessionState::new());
    let s = |v: Option<&Value<'_>>| v.and_then(Value::as_str).map(str::to_owned);
    assert_eq!(s(attr(&batch, 20, "value")).as_deref(), Some("************"));
    assert_eq!(s(attr(&batch, 20, "placeholder")).as_deref(), Some("Naam"));
    assert_eq!(s(attr(&batch, 21, "placeholder")).as_deref(), Some("***@*********.**"));
    for removed in [22, 23, 35, 36] {
        assert_eq!(attr(&batch, removed, "value"), None, "node {removed}");
    }
    assert_eq!(attr(&batch, 33, "checked"), Some(&Value::Bool(true)));
    assert_eq!(s(attr(&batch, 33, "value")).as_deref(), Some("**************"));
    assert_eq!(s(attr(&batch, 34, "value")).as_deref(), Some("Bestelling plaatsen"));
    assert_eq!(s(attr(&batch, 26, "value")).as_deref(), Some("**"));
    assert_eq!(attr(&batch, 27, "selected"), None);
    assert_eq!(s(attr(&batch, 10, "action")).as_deref(), Some("/pay?session=******"));
    // Split card: both text nodes carry their share of the mask.
    let text = |id| s(find_node(&batch.events[1].data, id).and_then(|n| n.get("textContent")));
    assert_eq!(text(41).as_deref(), Some("Betaald met kaart **** **** "));
    assert_eq!(text(42).as_deref(), Some("**** ****, bedankt!"));
    assert_eq!(text(25).as_deref(), Some("********************************"));
    assert_eq!(text(28).as_deref(), Some("*********"));
    assert_eq!(text(32).as_deref(), Some("******************************"));
    assert_eq!(text(7).as_deref(), Some(" user: ***@*******.** "));
    // The blocked element keeps its tag and size only.
    let block = find_node(&batch.events[1].data, 43).unwrap();
    assert_eq!(block.get("tagName").and_then(Value::as_str), Some("div"));
    assert_eq!(block.get("childNodes").and_then(Value::as_array).map(<[_]>::len), Some(0));
    let kept: Vec<_> =
        block.get("attributes").and_then(Value::as_map).unwrap().iter().map(|(k, _)| k.as_ref()).collect();
    assert_eq!(kept, ["class", "style"]);
    assert_eq!(s(attr(&batch, 43, "style")).as_deref(), Some("width: 320px;height: 80px"));
}

#[test]
fn urls_and_custom_events() {
    let body = fixture("checkout_batch0.json");
    let mut batch = decode::batch_from_json(&body).unwrap();
    let report = mask_batch(&mut batch, &rules(), &mut SessionState::new());
    let url = "https://shop.example/checkout?step=2&email=***%*********.**&utm_source=mail";
    assert_eq!(batch.page.url, url);
    assert_eq!(batch.events[0].data.get("href").and_then(Value::as_str), Some(url));
    assert_eq!(report.count_kind("personal_query", FieldKind::Url), 2);
    let custom = batch.events.iter().find(|e| e.custom_tag() == Some("app.profile")).unwrap();
    let payload = custom.data.get("payload").unwrap();
    assert_eq!(payload.get("email").and_then(Value::as_str), Some("***@*******.**"));
    assert_eq!(payload.get("plan").and_then(Value::as_str), Some("pro"));
    assert_eq!(report.count_kind("email", FieldKind::CustomEvent), 1);
    assert_eq!(report.count_kind("phone", FieldKind::CustomEvent), 1);
    let click = batch.events.iter().find(|e| e.custom_tag() == Some("veil.click")).unwrap();
    assert_eq!(
        click.data.get("payload").and_then(|p| p.get("selector")).and_then(Value::as_str),
        Some("#checkout > input:nth-child(2)")
    );
}

#[test]
fn later_batch_of_the_same_session() {
    let (_, mut state) = mask0();
    let body = fixture("checkout_batch1.json");
    let mut batch = decode::batch_from_json(&body).unwrap();
    let report = mask_batch(&mut batch, &rules(), &mut state);
    let out = json(&batch);
    assert_absent(&out, &typed("batch1"));
    // Password and blocked-node inputs are dropped; the others are masked.
    assert!(input_text(&batch, 22).is_empty());
    assert!(input_text(&batch, 44).is_empty());
    assert_eq!(input_text(&batch, 50), ["**********"]);
    assert_eq!(input_text(&batch, 21), ["********************"]);
    assert_eq!(report.events_removed(), 2);
    // Unmasked help text is not scanned; the blocked node's text and its
    // removal are dropped, the placeholder keeps only its size.
    assert!(out.contains("Bel 06-87654321"), "{out}");
    let mutation = batch.events.iter().find(|e| e.data.get("texts").is_some()).unwrap();
    let texts = mutation.data.get("texts").and_then(Value::as_array).unwrap();
    assert_eq!(texts.len(), 2);
    assert_eq!(mutation.data.get("removes").and_then(Value::as_array).map(<[_]>::len), Some(0));
    assert_eq!(mutation.data.get("adds").and_then(Value::as_array).map(<[_]>::len), Some(1));
    assert!(out.contains(r#"{"id":43,"attributes":{"style":"width: 320px;height: 120px"}}"#), "{out}");
    assert!(report.count_kind("blocked_element", FieldKind::BlockedElement) >= 4);
}

#[test]
fn later_batch_after_eviction_fails_closed() {
    let body = fixture("checkout_batch1.json");
    let mut batch = decode::batch_from_json(&body).unwrap();
    let mut fresh = SessionState::new();
    let report = mask_batch(&mut batch, &rules(), &mut fresh);
    let out = json(&batch);
    // What is not known is masked: nothing typed survives, even without the
    // snapshot that said which nodes were sensitive. (The style of the
    // unknown block root is only scanned: an image file name is no PII.)
    let typed: Vec<String> = typed("batch1").into_iter().filter(|t| t != "jan.png").collect();
    assert_absent(&out, &typed);
    assert!(out.contains(r#""title":"***""#), "{out}");
    assert!(!out.contains("06-87654321"));
    assert!(report.count("unknown_node") >= 3, "{report:?}");
    assert!(!fresh.is_primed());
}

#[test]
fn masking_is_idempotent_on_the_fixtures() {
    let (once, mut state) = mask0();
    let mut again = decode::batch_from_json(&once).unwrap();
    let report = mask_batch(&mut again, &rules(), &mut SessionState::new());
    assert_eq!(encode::to_json(&again).unwrap(), once);
    assert!(report.is_empty(), "{report:?}");

    let body = fixture("checkout_batch1.json");
    let mut batch = decode::batch_from_json(&body).unwrap();
    mask_batch(&mut batch, &rules(), &mut state);
    let once = encode::to_json(&batch).unwrap();
    let mut again = decode::batch_from_json(&once).unwrap();
    let report: Report = mask_batch(&mut again, &rules(), &mut state);
    assert_eq!(encode::to_json(&again).unwrap(), once);
    assert!(report.is_empty(), "{report:?}");
}

#[test]
fn unmask_semantics() {
    let rules = MaskingRules::new(SiteRules {
        unmask_selectors: vec!["input[name=q]".into(), ".open".into(), "input[type=password]".into()],
        ..SiteRules::default()
    })
    .unwrap();
    let body = br#"{"v":1,"site":"shop","session":"7d1e5c3a-2b4f-4e6a-9c8d-0f1e2d3c4b5a","seq":0,
      "page":{"url":"https://shop.example/"},"viewport":{"w":1,"h":1},"events":[
      {"type":2,"timestamp":1,"data":{"node":{"type":0,"id":1,"childNodes":[
        {"type":2,"id":2,"tagName":"input","attributes":{"name":"q","value":"winterjas jan@example.nl"},"childNodes":[]},
        {"type":2,"id":3,"tagName":"div","attributes":{"class":"open"},"childNodes":[
          {"type":3,"id":4,"textContent":"Hulp: 06-12345678"},
          {"type":2,"id":5,"tagName":"input","attributes":{"value":"in open div"},"childNodes":[]},
          {"type":2,"id":6,"tagName":"textarea","attributes":{},"childNodes":[{"type":3,"id":7,"textContent":"notitie"}]}]},
        {"type":2,"id":8,"tagName":"input","attributes":{"type":"password","value":"pw"},"childNodes":[]}]}}},
      {"type":3,"timestamp":2,"data":{"source":5,"id":2,"text":"winterjas","isChecked":false}},
      {"type":3,"timestamp":3,"data":{"source":5,"id":5,"text":"typed","isChecked":false}},
      {"type":3,"timestamp":4,"data":{"source":5,"id":8,"text":"pw2","isChecked":false}}]}"#;
    let mut batch = decode::batch_from_json(body).unwrap();
    mask_batch(&mut batch, &rules, &mut SessionState::new());
    let out = json(&batch);
    // Explicitly unmasked field: scanned, not masked.
    assert!(out.contains(r#""value":"winterjas ***@*******.**""#), "{out}");
    assert_eq!(input_text(&batch, 2), ["winterjas"]);
    // Text under an unmasked element is left alone; form values under it
    // stay masked.
    assert!(out.contains("Hulp: 06-12345678"), "{out}");
    assert!(out.contains(r#""value":"***********""#), "{out}");
    assert_eq!(input_text(&batch, 5), ["*****"]);
    assert!(out.contains(r#""textContent":"*******""#), "{out}");
    // Password fields are never unmasked.
    assert!(!out.contains("pw"), "{out}");
    assert!(input_text(&batch, 8).is_empty());
}

/// The attribute names of node `id` in the snapshot, in order.
fn attr_names(batch: &Batch<'_>, id: i64) -> Vec<String> {
    let node = find_node(&batch.events[1].data, id).unwrap();
    node.get("attributes").and_then(Value::as_map).unwrap().iter().map(|(k, _)| k.to_string()).collect()
}

#[test]
fn removed_fields_are_empty_boxes_of_their_type_and_size() {
    let body = br#"{"v":1,"site":"shop","session":"7d1e5c3a-2b4f-4e6a-9c8d-0f1e2d3c4b5a","seq":0,
      "page":{"url":"https://shop.example/"},"viewport":{"w":1,"h":1},"events":[
      {"type":4,"timestamp":0,"data":{"href":"https://shop.example/","width":1,"height":1}},
      {"type":2,"timestamp":1,"data":{"node":{"type":0,"id":1,"childNodes":[
        {"type":2,"id":2,"tagName":"input","attributes":{"type":"password","id":"pw","class":"field","name":"wachtwoord-jan",
          "placeholder":"Wachtwoord van jan@example.nl","aria-label":"Wachtwoord","data-hint":"hunter","style":"width: 200px; color: red",
          "value":"hunter2"},"childNodes":[]},
        {"type":2,"id":3,"tagName":"textarea","attributes":{"autocomplete":"cc-number","title":"Kaart"},"childNodes":[
          {"type":3,"id":4,"textContent":"4111 1111 1111 1111"}]},
        {"type":2,"id":5,"tagName":"input","attributes":{"type":"text","data-rr-is-password":"true","value":"shown"},"childNodes":[]},
        {"type":2,"id":6,"tagName":"input","attributes":{"type":"hidden","name":"csrf","value":"t0k3n"},"childNodes":[]},
        {"type":2,"id":7,"tagName":"input","attributes":{"type":"text","name":"q","value":"jas"},"childNodes":[]}]}}},
      {"type":3,"timestamp":2,"data":{"source":5,"id":2,"text":"hunter22","isChecked":false}},
      {"type":3,"timestamp":3,"data":{"source":5,"id":5,"text":"shown2","isChecked":false}},
      {"type":3,"timestamp":4,"data":{"source":0,"texts":[{"id":4,"value":"5555"}],"removes":[],"adds":[
        {"parentId":3,"nextId":null,"node":{"type":3,"id":8,"textContent":"4000"}}],
        "attributes":[{"id":2,"attributes":{"placeholder":"nog eens, Jan","type":"text","rr_width":"210px"}}]}}]}"#;
    let mut batch = decode::batch_from_json(body).unwrap();
    let report = mask_batch(&mut batch, &MaskingRules::default(), &mut SessionState::new());
    let out = json(&batch);
    for gone in [
        "hunter",
        "wachtwoord",
        "Wachtwoord",
        "jan@",
        "4111",
        "5555",
        "4000",
        "Kaart",
        "shown",
        "t0k3n",
        "csrf",
        "Jan",
    ] {
        assert!(!out.contains(gone), "{gone} in {out}");
    }
    // Only what holds the box: type, id, class, the size of the style.
    assert_eq!(attr_names(&batch, 2), ["type", "id", "class", "style"]);
    assert_eq!(attr(&batch, 2, "style").and_then(Value::as_str), Some("width: 200px"));
    assert_eq!(attr_names(&batch, 3), ["autocomplete"]);
    assert_eq!(
        find_node(&batch.events[1].data, 3)
            .unwrap()
            .get("childNodes")
            .and_then(Value::as_array)
            .map(<[_]>::len),
        Some(0)
    );
    assert_eq!(attr_names(&batch, 5), ["type"]);
    assert_eq!(attr_names(&batch, 6), ["type"]);
    assert_eq!(attr(&batch, 6, "type").and_then(Value::as_str), Some("hidden"));
    // An ordinary field keeps its attributes, its value masked.
    assert_eq!(attr_names(&batch, 7), ["type", "name", "value"]);
    // No Input events; the mutation keeps only the type and size change.
    assert!(input_text(&batch, 2).is_empty() && input_text(&batch, 5).is_empty());
    let mutation = &batch.events.last().unwrap().data;
    assert_eq!(mutation.get("texts").and_then(Value::as_array).map(<[_]>::len), Some(0));
    assert_eq!(mutation.get("adds").and_then(Value::as_array).map(<[_]>::len), Some(0));
    assert!(
        out.contains(r#""attributes":[{"id":2,"attributes":{"type":"text","rr_width":"210px"}}]"#),
        "{out}"
    );
    assert_eq!(report.count_kind("removed_field", FieldKind::RemovedField), 4 + 2 + 1);
    assert_eq!(report.events_removed(), 2);
    // A fixed point.
    let once = encode::to_json(&batch).unwrap();
    let mut again = decode::batch_from_json(&once).unwrap();
    let report = mask_batch(&mut again, &MaskingRules::default(), &mut SessionState::new());
    assert_eq!(encode::to_json(&again).unwrap(), once);
    assert!(report.is_empty(), "{report:?}");
}

#[test]
fn blocked_elements_keep_their_recorded_size() {
    // `.secret` is blocked on the server; the recorder blocked `.ad`
    // itself, so rrweb sent it as a placeholder with its measured size.
    let body = br#"{"v":1,"site":"shop","session":"7d1e5c3a-2b4f-4e6a-9c8d-0f1e2d3c4b5a","seq":0,
      "page":{"url":"https://shop.example/"},"viewport":{"w":1,"h":1},"events":[
      {"type":4,"timestamp":0,"data":{"href":"https://shop.example/","width":1,"height":1}},
      {"type":2,"timestamp":1,"data":{"node":{"type":0,"id":1,"childNodes":[
        {"type":2,"id":2,"tagName":"div","attributes":{"class":"ad secret","rr_width":"728px","rr_height":"90px"},"childNodes":[]},
        {"type":2,"id":3,"tagName":"section","attributes":{"class":"secret","title":"Jan","rr_width":"300.5px","rr_height":"120px",
          "style":"height: 120px; background: url(/jan.png)"},"childNodes":[{"type":3,"id":4,"textContent":"Jan Jansen"}]},
        {"type":2,"id":5,"tagName":"img","attributes":{"class":"secret","src":"/avatars/jan.png","width":"64","height":"64","alt":"Jan"},"childNodes":[]}]}}},
      {"type":3,"timestamp":2,"data":{"source":0,"texts":[],"removes":[],"adds":[
        {"parentId":1,"nextId":null,"node":{"type":2,"id":6,"tagName":"aside","attributes":{"class":"secret","rr_width":"200px","rr_height":"50px","data-user":"jan"},
          "childNodes":[{"type":3,"id":7,"textContent":"Jan"}]}}],
        "attributes":[{"id":3,"attributes":{"rr_width":"310px","title":"Jan J.","style":{"width":"310px","color":"red"}}}]}}]}"#;
    let mut batch = decode::batch_from_json(body).unwrap();
    mask_batch(&mut batch, &rules(), &mut SessionState::new());
    let out = json(&batch);
    assert!(!out.contains("Jan") && !out.contains("jan"), "{out}");
    let kept = |id| {
        let node =
            find_node(&batch.events[1].data, id).or_else(|| find_node(&batch.events[2].data, id)).unwrap();
        assert_eq!(node.get("childNodes").and_then(Value::as_array).map(<[_]>::len), Some(0), "node {id}");
        let attrs = node.get("attributes").and_then(Value::as_map).unwrap();
        attrs.iter().map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or("?"))).collect::<Vec<_>>()
    };
    assert_eq!(kept(2), ["class=ad secret", "rr_width=728px", "rr_height=90px"]);
    assert_eq!(kept(3), ["class=secret", "rr_width=300.5px", "rr_height=120px", "style=height: 120px"]);
    assert_eq!(kept(5), ["class=secret", "width=64", "height=64"]);
    assert_eq!(kept(6), ["class=secret", "rr_width=200px", "rr_height=50px"]);
    // A later size change of a placeholder is kept, nothing else.
    assert!(
        out.contains(
            r#""attributes":[{"id":3,"attributes":{"rr_width":"310px","style":{"width":"310px"}}}]"#
        ),
        "{out}"
    );
}

#[test]
fn scrubbed_attributes_and_site_patterns() {
    let rules = MaskingRules::new(SiteRules {
        patterns: vec![("order_id".into(), "ORD-[0-9]{8}".into())],
        scrub_attributes: vec!["data-customer".into(), "data-user-*".into()],
        ..SiteRules::default()
    })
    .unwrap();
    let body = br#"{"v":1,"site":"shop","session":"7d1e5c3a-2b4f-4e6a-9c8d-0f1e2d3c4b5a","seq":0,
      "page":{"url":"https://shop.example/orders/ORD-20261124"},"viewport":{"w":1,"h":1},"events":[
      {"type":2,"timestamp":1,"data":{"node":{"type":0,"id":1,"childNodes":[
        {"type":2,"id":2,"tagName":"div","attributes":{"data-customer":"Jan","data-user-id":"77","data-sku":"X1"},"childNodes":[
          {"type":3,"id":3,"textContent":"Bestelling ORD-20261124 is verzonden"}]}]}}}]}"#;
    let mut batch = decode::batch_from_json(body).unwrap();
    let report = mask_batch(&mut batch, &rules, &mut SessionState::new());
    let out = json(&batch);
    assert!(out.contains(r#""data-customer":"***","data-user-id":"**","data-sku":"X1""#), "{out}");
    assert!(out.contains("Bestelling ***-******** is verzonden"), "{out}");
    assert_eq!(batch.page.url, "https://shop.example/orders/***-********");
    assert_eq!(report.count_kind("scrubbed_attribute", FieldKind::Attribute), 2);
    assert_eq!(report.count_kind("order_id", FieldKind::Text), 1);
    assert_eq!(report.count_kind("order_id", FieldKind::Url), 1);
}

#[test]
fn progressive_text_mutations_leave_no_prefix() {
    // A card preview widget mirrors typing into a text node, one mutation
    // per keystroke; only the last value is a whole card number.
    let mut events = String::new();
    let typed = "4111 1111 1111 1111";
    for n in (4..=typed.len()).step_by(5) {
        events.push_str(&format!(
            r#",{{"type":3,"timestamp":{n},"data":{{"source":0,"texts":[{{"id":3,"value":"{}"}}],"attributes":[],"removes":[],"adds":[]}}}}"#,
            &typed[..n]
        ));
    }
    let body = format!(
        r#"{{"v":1,"site":"shop","session":"7d1e5c3a-2b4f-4e6a-9c8d-0f1e2d3c4b5a","seq":0,
      "page":{{"url":"https://shop.example/"}},"viewport":{{"w":1,"h":1}},"events":[
      {{"type":2,"timestamp":1,"data":{{"node":{{"type":0,"id":1,"childNodes":[
        {{"type":2,"id":2,"tagName":"div","attributes":{{"class":"card-preview"}},"childNodes":[
          {{"type":3,"id":3,"textContent":""}}]}}]}}}}}}{events}]}}"#
    );
    let mut batch = decode::batch_from_json(body.as_bytes()).unwrap();
    mask_batch(&mut batch, &MaskingRules::default(), &mut SessionState::new());
    let out = json(&batch);
    assert!(!out.contains("4111") && !out.contains("1111"), "{out}");
    assert!(out.contains(r#""value":"**** ****""#), "{out}");
}

#[test]
fn deepest_decodable_tree_masks_on_a_small_stack() {
    // As deep as the decoder admits (MAX_DEPTH 512: two levels per DOM
    // level), on a 2 MiB thread like tokio's and actix's workers.
    let depth = 252;
    let mut node = r#"{"type":3,"id":100000,"textContent":"mail jan@example.nl"}"#.to_owned();
    for i in 0..depth {
        node = format!(
            r#"{{"type":2,"id":{i},"tagName":"div","attributes":{{"title":"06-12345678"}},"childNodes":[{node}]}}"#
        );
    }
    let body = format!(
        r#"{{"v":1,"site":"shop","session":"7d1e5c3a-2b4f-4e6a-9c8d-0f1e2d3c4b5a","seq":0,"page":{{"url":"https://shop.example/"}},
        "viewport":{{"w":1,"h":1}},"events":[{{"type":2,"timestamp":1,"data":{{"node":{node}}}}}]}}"#
    );
    let out = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            let mut batch = decode::batch_from_json(body.as_bytes()).unwrap();
            let report = mask_batch(&mut batch, &rules(), &mut SessionState::new());
            (json(&batch), report)
        })
        .unwrap()
        .join()
        .unwrap();
    assert!(!out.0.contains("jan@example.nl") && !out.0.contains("06-12345678"));
    assert_eq!(out.1.count("phone"), depth);
}
