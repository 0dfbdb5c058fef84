#![allow(clippy::unwrap_used)]

use std::borrow::Cow;

use super::*;
use crate::error::{DecodeError, Format};
use crate::kinds::EventType;
use crate::testing::*;
use crate::value::Value;

#[test]
fn strings_borrow_from_the_input() {
    let input =
        batch_json(r#"[{"type":5,"timestamp":1,"data":{"tag":"veil.click","note":"line\nbreak"}}]"#, "");
    let b = batch_from_json(input.as_bytes()).unwrap();
    assert!(matches!(b.site, Cow::Borrowed(_)));
    assert!(matches!(b.page.url, Cow::Borrowed(_)));
    let data = &b.events[0].data;
    assert!(matches!(data.get("tag"), Some(Value::Str(Cow::Borrowed(_)))));
    // JSON strings with escapes must be unescaped into a new string.
    assert!(matches!(data.get("note"), Some(Value::Str(Cow::Owned(s))) if s == "line\nbreak"));

    let packed = to_msgpack(&input);
    let b = batch_from_msgpack(&packed).unwrap();
    let data = &b.events[0].data;
    assert!(matches!(data.get("note"), Some(Value::Str(Cow::Borrowed(_)))));
    assert!(matches!(data.as_map().unwrap()[0].0, Cow::Borrowed("tag")));
}

#[test]
fn trailing_bytes_are_refused() {
    let input = batch_json("[]", "");
    assert!(batch_from_json(input.as_bytes()).is_ok());
    assert!(batch_from_json(format!("{input} \n").as_bytes()).is_ok());
    assert_eq!(err_json(&format!("{input}{{}}")), DecodeError::TrailingBytes);
    assert_eq!(err_json(&format!("{input} x")), DecodeError::TrailingBytes);
    assert_eq!(events_from_json(b"[] []").unwrap_err(), DecodeError::TrailingBytes);

    let packed = to_msgpack(&input);
    assert!(batch_from_msgpack(&packed).is_ok());
    for tail in [&[0xc0][..], &[0xc1], &[0x91], &[0xd9], &[0x00, 0x00]] {
        let mut with_tail = packed.clone();
        with_tail.extend_from_slice(tail);
        assert_eq!(batch_from_msgpack(&with_tail).unwrap_err(), DecodeError::TrailingBytes, "{tail:?}");
    }
    assert_eq!(events_from_msgpack(&[0x90, 0x90]).unwrap_err(), DecodeError::TrailingBytes);
}

#[test]
fn malformed_inputs() {
    for input in [&b""[..], b"{", b"{\"v\":1,", b"nul", br#"{"v":1,}"#, b"\xff"] {
        let err = batch_from_json(input).unwrap_err();
        assert!(matches!(err, DecodeError::Malformed { format: Format::Json, .. }), "{input:?}: {err:?}");
    }
    // truncated map, reserved marker, truncated string
    for input in [&[0x81][..], &[0xc1], &[0x81, 0xa1, b'v'], &[0xa5, b'a'], &[]] {
        let err = batch_from_msgpack(input).unwrap_err();
        assert!(matches!(err, DecodeError::Malformed { format: Format::MsgPack, .. }), "{input:?}: {err:?}");
    }
}

#[test]
fn msgpack_map_keys_must_be_strings() {
    // {1: 2}
    let err = value::from_msgpack(&[0x81, 0x01, 0x02]).unwrap_err();
    assert_eq!(err, DecodeError::malformed(Format::MsgPack, "map key is not a string"));
    // {[]: 2}
    let err = value::from_msgpack(&[0x81, 0x90, 0x02]).unwrap_err();
    assert_eq!(err, DecodeError::malformed(Format::MsgPack, "map key is not a string"));
    // {bin "a": 2}
    let err = value::from_msgpack(&[0x81, 0xc4, 0x01, b'a', 0x02]).unwrap_err();
    assert_eq!(err, DecodeError::malformed(Format::MsgPack, "map key is not a string"));
    // batch root keyed by an integer
    let err = batch_from_msgpack(&[0x81, 0x01, 0x02]).unwrap_err();
    assert_eq!(err, DecodeError::malformed(Format::MsgPack, "map key is not a string"));
}

#[test]
fn msgpack_bin_is_bytes_but_invalid_utf8_str_is_refused() {
    // [bin8 [0xff, 0xfe]]
    let v = value::from_msgpack(&[0x91, 0xc4, 0x02, 0xff, 0xfe]).unwrap();
    assert_eq!(v, Value::Array(vec![Value::Bytes(Cow::Borrowed(&[0xff, 0xfe]))]));
    // [fixstr "\xff\xfe"]: masking scans strings, so text must not hide as bytes
    let err = value::from_msgpack(&[0x91, 0xa2, 0xff, 0xfe]).unwrap_err();
    assert_eq!(err, DecodeError::malformed(Format::MsgPack, "string is not valid UTF-8"));
    // str8 of the same
    let err = value::from_msgpack(&[0xd9, 0x02, 0xff, 0xfe]).unwrap_err();
    assert_eq!(err, DecodeError::malformed(Format::MsgPack, "string is not valid UTF-8"));
}

#[test]
fn msgpack_extension_types_are_refused() {
    // fixext1 type 1, data 0
    let err = value::from_msgpack(&[0xd4, 0x01, 0x00]).unwrap_err();
    assert_eq!(err, DecodeError::malformed(Format::MsgPack, "extension types are not supported"));
}

#[test]
fn duplicate_keys_inside_data_are_refused() {
    let err = value::from_json(br#"{"value":"masked","value":"secret"}"#).unwrap_err();
    assert_eq!(err, DecodeError::malformed(Format::Json, "duplicate map key"));
    let err = value::from_msgpack(
        &to_msgpack(r#"{"a":1,"b":2}"#).iter().map(|&b| if b == b'b' { b'a' } else { b }).collect::<Vec<_>>(),
    )
    .unwrap_err();
    assert_eq!(err, DecodeError::malformed(Format::MsgPack, "duplicate map key"));
}

#[test]
fn integers_are_canonical() {
    let v =
        value::from_json(b"[0, 5, -5, 9223372036854775807, 9223372036854775808, -9223372036854775808, 1.0]")
            .unwrap();
    assert_eq!(
        v,
        Value::Array(vec![
            Value::Int(0),
            Value::Int(5),
            Value::Int(-5),
            Value::Int(i64::MAX),
            Value::UInt(i64::MAX as u64 + 1),
            Value::Int(i64::MIN),
            Value::Float(1.0),
        ])
    );
    let packed = rmp_serde::to_vec_named(&v).unwrap();
    let again = value::from_msgpack(&packed).unwrap();
    assert_eq!(again, v);
}

#[test]
fn json_non_finite_floats_become_null() {
    let e = vec![crate::Event::new(
        EventType::Custom,
        1,
        Value::Array(vec![Value::Float(f64::NAN), Value::Float(f64::NEG_INFINITY)]),
    )];
    let out = crate::encode::events_to_json(&e).unwrap();
    let back = events_from_json(&out).unwrap();
    assert_eq!(back[0].data, Value::Array(vec![Value::Null, Value::Null]));
    // JSON input cannot express them at all: literals and overflow are refused.
    assert!(value::from_json(b"[NaN]").is_err());
    assert!(value::from_json(b"[1e400]").is_err());
    // MessagePack carries them.
    let packed = crate::encode::events_to_msgpack(&e).unwrap();
    let back = events_from_msgpack(&packed).unwrap();
    assert!(
        matches!(back[0].data.as_array(), Some([Value::Float(a), Value::Float(b)]) if a.is_nan() && *b == f64::NEG_INFINITY)
    );
}

#[test]
fn error_messages_never_quote_input() {
    let secret = "jane.doe@example.com";
    let inputs: Vec<String> = vec![
        batch_json("[]", "").replace("shop\"", &format!("{secret}\"")),
        batch_json("[]", "").replace(SESSION, secret),
        batch_json(&format!(r#"[{{"type":"{secret}","timestamp":1,"data":{{}}}}]"#), ""),
        batch_json(&format!(r#"[{{"type":1,"timestamp":"{secret}","data":{{}}}}]"#), ""),
        batch_json(&format!(r#"["{secret}"]"#), ""),
        format!(r#""{secret}""#),
        format!(r#"{{"{secret}":1,"{secret}":2}}"#),
        batch_json("[]", "")
            .replace(r#""url":"https://shop.example/cart?x=1""#, &format!(r#""url":["{secret}"]"#)),
        format!("{}{secret}", batch_json("[]", "")),
        format!(r#"{{"v":1,"site":"{secret}"#),
    ];
    for input in inputs {
        for err in
            [batch_from_json(input.as_bytes()).unwrap_err(), events_from_json(input.as_bytes()).unwrap_err()]
        {
            assert!(!err.to_string().contains("jane"), "{err}");
            assert!(!format!("{err:?}").contains("jane"), "{err:?}");
        }
        if let Ok(v) = value::from_json(input.as_bytes()) {
            let packed = rmp_serde::to_vec_named(&v).unwrap();
            let err = batch_from_msgpack(&packed).unwrap_err();
            assert!(!format!("{err:?}").contains("jane"), "{err:?}");
        }
    }
}

#[test]
fn huge_declared_lengths_do_not_preallocate() {
    // array32 claiming 4 billion elements, then nothing: must fail fast
    // with an end-of-input error, not try to reserve memory for them.
    let input = [0xdd, 0xff, 0xff, 0xff, 0xff];
    let err = value::from_msgpack(&input).unwrap_err();
    assert_eq!(err, DecodeError::malformed(Format::MsgPack, "unexpected end of input"));
}
