//! Clicks: from `veil.click` custom events, or derived from rrweb's
//! MouseInteraction clicks when a batch carries no `veil.click` at all.
//!
//! **`veil.click`** (SPEC §4): `data.payload` holds the document position
//! `x`, `y` and document width `w` (required, numbers, integer or float),
//! `fixed` (target inside a fixed/sticky element), `rage` and `dead`
//! (recorder's flags), `selector` (masked CSS selector; all four optional,
//! `null` reads as absent) and the sizes `h`, `vw`, `vh` (`vw` required for
//! fixed clicks). A fixed click is placed in viewport coordinates: `vx`/`vy`
//! if the payload has them, else `x`/`y` minus the document's scroll
//! position as the batch tells it ([`crate::scroll`]); it must fall inside
//! the viewport (`0..=vw`, `0..=vh`).
//!
//! **Derived clicks**: rrweb MouseInteraction events of type Click carry
//! viewport coordinates; the scroll position at that moment is added to get
//! document coordinates, and the column is taken against the batch's
//! `document` width (the viewport width if the batch has none). They are
//! always in the document layer, carry no recorder flags, and get a
//! selector only when the batch serialises the target node: then it is
//! `tag#id.class…` from that node (at most three classes), leaving out
//! names that are not plain CSS identifiers or that [`crate::looks_like_id`]. A batch gets here only if the visitor granted
//! `recording`: the purpose filter removes rrweb clicks otherwise.
//!
//! A click that cannot be placed is skipped with an [`InvalidReason`].

use std::borrow::Cow;

use veil_events::Value;

use crate::grid::{Cell, Grid, Layer};
use crate::payload::{InvalidReason, coordinate, flag, number, positive, size, string};
use crate::scroll::Position;

/// Longest selector kept, in characters; longer ones are cut (they are
/// already over-specific, the head is what identifies the element).
pub const MAX_SELECTOR_CHARS: usize = 512;

/// One placed click.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Click<'a> {
    /// Timestamp, ms.
    pub(crate) t: i64,
    /// Layer of `cell`.
    pub(crate) layer: Layer,
    /// Where it lands.
    pub(crate) cell: Cell,
    /// Document position, for rage detection.
    pub(crate) document: Position,
    /// Selector of the target, already cut to [`MAX_SELECTOR_CHARS`];
    /// `None` if unknown or blank.
    pub(crate) selector: Option<Cow<'a, str>>,
    /// Flagged by the recorder.
    pub(crate) rage: bool,
    /// Flagged by the recorder: the click changed nothing on the page.
    pub(crate) dead: bool,
}

/// Reads a `veil.click` event's `data`, `scroll` being the document's
/// scroll position at that moment.
pub(crate) fn veil_click<'a>(
    t: i64,
    data: &'a Value<'_>,
    scroll: Position,
    grid: &Grid,
) -> Result<Click<'a>, InvalidReason> {
    let payload = data.get("payload").filter(|p| p.as_map().is_some()).ok_or(InvalidReason::NoPayload)?;
    let x = coordinate(payload, "x")?;
    let y = coordinate(payload, "y")?;
    let width = size(payload, "w")?;
    let fixed = flag(payload, "fixed")?;
    let rage = flag(payload, "rage")?;
    let dead = flag(payload, "dead")?;
    let selector = string(payload, "selector")?.and_then(cut);
    // Sizes not needed for this click must still be numbers if present.
    for key in ["h", "vw", "vh", "vx", "vy"] {
        number(payload, key)?;
    }

    let (layer, cell) = if fixed {
        let viewport_width = size(payload, "vw")?;
        let viewport_height = number(payload, "vh")?.map(positive).transpose()?;
        let vx = number(payload, "vx")?.unwrap_or(x - scroll.x);
        let vy = number(payload, "vy")?.unwrap_or(y - scroll.y);
        let inside = (0.0..=viewport_width).contains(&vx)
            && vy >= 0.0
            && viewport_height.is_none_or(|height| vy <= height);
        if !inside {
            return Err(InvalidReason::OutsideViewport);
        }
        (Layer::Fixed, grid.cell(vx, vy, viewport_width).ok_or(InvalidReason::TooDeep)?)
    } else {
        (Layer::Document, grid.cell(x, y, width).ok_or(InvalidReason::TooDeep)?)
    };
    Ok(Click {
        t,
        layer,
        cell,
        document: Position { x, y },
        selector: selector.map(Cow::Borrowed),
        rage,
        dead,
    })
}

/// Reads an rrweb MouseInteraction click's `data`, `scroll` being the
/// document's scroll position at that moment and `document_width` the
/// width columns are relative to.
pub(crate) fn rrweb_click<'a>(
    t: i64,
    data: &Value<'_>,
    scroll: Position,
    document_width: f64,
    selector: Option<&str>,
    grid: &Grid,
) -> Result<Click<'a>, InvalidReason> {
    let x = coordinate(data, "x")? + scroll.x;
    let y = coordinate(data, "y")? + scroll.y;
    let width = positive(document_width)?;
    let cell = grid.cell(x, y, width).ok_or(InvalidReason::TooDeep)?;
    let selector = selector.and_then(cut).map(|s| Cow::Owned(s.to_string()));
    Ok(Click {
        t,
        layer: Layer::Document,
        cell,
        document: Position { x, y },
        selector,
        rage: false,
        dead: false,
    })
}

/// A selector cut to [`MAX_SELECTOR_CHARS`]; `None` if blank.
fn cut(selector: &str) -> Option<&str> {
    if selector.trim().is_empty() {
        return None;
    }
    Some(match selector.char_indices().nth(MAX_SELECTOR_CHARS) {
        Some((end, _)) => &selector[..end],
        None => selector,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{map, s};

    fn click(fields: Vec<(&'static str, Value<'static>)>) -> Value<'static> {
        map(vec![("tag", s("veil.click")), ("payload", map(fields))])
    }

    fn base() -> Vec<(&'static str, Value<'static>)> {
        vec![
            ("x", Value::Int(640)),
            ("y", Value::Int(410)),
            ("w", Value::Int(1280)),
            ("h", Value::Int(4100)),
            ("vw", Value::Int(1280)),
            ("vh", Value::Int(720)),
        ]
    }

    fn with(extra: Vec<(&'static str, Value<'static>)>) -> Value<'static> {
        let mut fields = base();
        for (key, value) in extra {
            fields.retain(|(k, _)| *k != key);
            fields.push((key, value));
        }
        click(fields)
    }

    fn without(key: &str) -> Value<'static> {
        click(base().into_iter().filter(|(k, _)| *k != key).collect())
    }

    fn place(data: &Value<'static>, scroll_y: f64) -> Result<(Layer, u32, u32), InvalidReason> {
        let scroll = Position { x: 0.0, y: scroll_y };
        veil_click(7, data, scroll, &Grid::default()).map(|c| (c.layer, c.cell.col, c.cell.row))
    }

    #[test]
    fn veil_click_table() {
        use InvalidReason::*;
        use Layer::*;
        type Case = (&'static str, Value<'static>, f64, Result<(Layer, u32, u32), InvalidReason>);
        let cases: Vec<Case> = vec![
            ("plain", with(vec![]), 0.0, Ok((Document, 32, 25))),
            ("floats", with(vec![("x", 639.7.into()), ("y", 15.99.into())]), 0.0, Ok((Document, 31, 0))),
            ("right edge", with(vec![("x", Value::Int(1280))]), 0.0, Ok((Document, 63, 25))),
            (
                "narrow page",
                with(vec![("x", Value::Int(100)), ("w", Value::Int(375))]),
                0.0,
                Ok((Document, 17, 25)),
            ),
            ("null flag", with(vec![("rage", Value::Null)]), 0.0, Ok((Document, 32, 25))),
            ("missing x", without("x"), 0.0, Err(MissingField)),
            ("missing y", without("y"), 0.0, Err(MissingField)),
            ("missing w", without("w"), 0.0, Err(MissingField)),
            ("null x", with(vec![("x", Value::Null)]), 0.0, Err(MissingField)),
            ("string x", with(vec![("x", "640".into())]), 0.0, Err(WrongType)),
            ("negative y", with(vec![("y", Value::Int(-1))]), 0.0, Err(OutOfRange)),
            ("NaN x", with(vec![("x", f64::NAN.into())]), 0.0, Err(OutOfRange)),
            ("zero width", with(vec![("w", Value::Int(0))]), 0.0, Err(OutOfRange)),
            ("string flag", with(vec![("dead", "true".into())]), 0.0, Err(WrongType)),
            ("number selector", with(vec![("selector", Value::Int(5))]), 0.0, Err(WrongType)),
            ("string h", with(vec![("h", "tall".into())]), 0.0, Err(WrongType)),
            ("too deep", with(vec![("y", Value::Int(100_000))]), 0.0, Err(TooDeep)),
            ("no payload", map(vec![("tag", s("veil.click"))]), 0.0, Err(NoPayload)),
            ("payload not a map", map(vec![("payload", s("x"))]), 0.0, Err(NoPayload)),
            // Fixed clicks: viewport coordinates.
            (
                "fixed at the top",
                with(vec![("fixed", true.into()), ("y", Value::Int(40))]),
                0.0,
                Ok((Fixed, 32, 2)),
            ),
            (
                "fixed, scrolled",
                with(vec![("fixed", true.into()), ("y", Value::Int(3040))]),
                3000.0,
                Ok((Fixed, 32, 2)),
            ),
            (
                "fixed with vx/vy",
                with(vec![
                    ("fixed", true.into()),
                    ("y", Value::Int(3040)),
                    ("vx", Value::Int(0)),
                    ("vy", Value::Int(700)),
                ]),
                0.0,
                Ok((Fixed, 0, 43)),
            ),
            (
                "fixed below the viewport",
                with(vec![("fixed", true.into()), ("y", Value::Int(3040))]),
                0.0,
                Err(OutsideViewport),
            ),
            (
                "fixed without vw",
                click(vec![
                    ("x", Value::Int(1)),
                    ("y", Value::Int(1)),
                    ("w", Value::Int(9)),
                    ("fixed", true.into()),
                ]),
                0.0,
                Err(MissingField),
            ),
            (
                "fixed, narrow viewport",
                with(vec![
                    ("fixed", true.into()),
                    ("vw", Value::Int(375)),
                    ("x", Value::Int(370)),
                    ("y", Value::Int(10)),
                ]),
                0.0,
                Ok((Fixed, 63, 0)),
            ),
            (
                "fixed, wider than the viewport",
                with(vec![
                    ("fixed", true.into()),
                    ("vw", Value::Int(375)),
                    ("x", Value::Int(380)),
                    ("y", Value::Int(10)),
                ]),
                0.0,
                Err(OutsideViewport),
            ),
        ];
        for (name, data, scroll_y, expected) in cases {
            assert_eq!(place(&data, scroll_y), expected, "{name}");
        }
    }

    #[test]
    fn flags_and_selectors() {
        let data =
            with(vec![("rage", true.into()), ("dead", true.into()), ("selector", s("main > button.buy"))]);
        let c = veil_click(7, &data, Position::default(), &Grid::default()).expect("valid");
        assert!(c.rage && c.dead);
        assert_eq!(c.selector.as_deref(), Some("main > button.buy"));
        assert_eq!(c.document, Position { x: 640.0, y: 410.0 });
        assert_eq!(c.t, 7);

        let long = "é".repeat(600);
        assert_eq!(cut(&long).map(|s| s.chars().count()), Some(MAX_SELECTOR_CHARS));
        assert_eq!(cut("   "), None);
        assert_eq!(cut(""), None);
        assert_eq!(cut("a"), Some("a"));
    }

    #[test]
    fn rrweb_clicks_add_the_scroll_position() {
        let data = map(vec![
            ("source", Value::Int(2)),
            ("type", Value::Int(2)),
            ("id", Value::Int(70)),
            ("x", Value::Int(640)),
            ("y", Value::Int(410)),
        ]);
        let grid = Grid::default();
        let scroll = Position { x: 0.0, y: 1000.0 };
        let c = rrweb_click(1, &data, scroll, 1280.0, Some("button#buy"), &grid).expect("valid");
        assert_eq!((c.layer, c.cell), (Layer::Document, Cell { col: 32, row: 88 }));
        assert_eq!(c.document, Position { x: 640.0, y: 1410.0 });
        assert_eq!(c.selector.as_deref(), Some("button#buy"));
        assert!(!c.rage && !c.dead);

        let missing = map(vec![("source", Value::Int(2)), ("type", Value::Int(2)), ("id", Value::Int(70))]);
        assert_eq!(rrweb_click(1, &missing, scroll, 1280.0, None, &grid), Err(InvalidReason::MissingField));
        assert_eq!(rrweb_click(1, &data, scroll, 0.0, None, &grid), Err(InvalidReason::OutOfRange));
        let deep = Position { x: 0.0, y: 99_900.0 };
        assert_eq!(rrweb_click(1, &data, deep, 1280.0, None, &grid), Err(InvalidReason::TooDeep));
    }
}
