//! The heatmap grid (SPEC §6): where a click lands.
//!
//! Columns are relative to the width (layouts stretch, so "the right edge"
//! must stay the right edge across window sizes of one device class); rows
//! are absolute CSS px (content flows down, so row 40 is the same content
//! whatever the page's height). Raw coordinates are never stored, only
//! cells.

/// Depth in CSS px below which no click is placed. Rows are part of the
/// storage key, so their number must be bounded; 100 000 px is about a
/// hundred screens, deeper than any page a heatmap is useful for (infinite
/// scroll feeds excepted, and those are better grouped than mapped).
pub const MAX_DEPTH_PX: u32 = 100_000;

/// Most columns a grid may have.
pub const MAX_COLS: u32 = 1024;

/// Which coordinate space a click belongs to.
///
/// A click on a fixed or sticky element (a cookie bar, a sticky header)
/// hits the same element at any scroll position; in document coordinates it
/// would smear down the page. Such clicks are placed in viewport coordinates
/// and kept apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Layer {
    /// Document coordinates: column relative to the document width, row from
    /// the top of the document.
    Document,
    /// Viewport coordinates: column relative to the viewport width, row from
    /// the top of the viewport.
    Fixed,
}

impl Layer {
    /// The name used in storage and the query API.
    pub fn as_str(self) -> &'static str {
        match self {
            Layer::Document => "document",
            Layer::Fixed => "fixed",
        }
    }
}

/// One cell of a [`Grid`]: zero-based column and row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cell {
    /// Column, `0..grid.cols()`.
    pub col: u32,
    /// Row, `0..grid.max_rows()`.
    pub row: u32,
}

/// A grid setting that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GridError {
    /// `cols` is 0 or above [`MAX_COLS`].
    #[error("grid columns must be between 1 and {max}, got {got}")]
    Cols {
        /// The value given.
        got: u32,
        /// [`MAX_COLS`].
        max: u32,
    },
    /// `row_px` is 0 or above [`MAX_DEPTH_PX`].
    #[error("grid row height must be between 1 and {max} px, got {got}")]
    RowPx {
        /// The value given.
        got: u32,
        /// [`MAX_DEPTH_PX`].
        max: u32,
    },
}

/// Column count and row height of a heatmap grid (SPEC §6; defaults 64
/// columns, 16 px rows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Grid {
    cols: u32,
    row_px: u32,
}

impl Default for Grid {
    fn default() -> Self {
        Grid { cols: 64, row_px: 16 }
    }
}

impl Grid {
    /// A grid of `cols` columns and rows `row_px` CSS px high.
    pub fn new(cols: u32, row_px: u32) -> Result<Self, GridError> {
        if !(1..=MAX_COLS).contains(&cols) {
            return Err(GridError::Cols { got: cols, max: MAX_COLS });
        }
        if !(1..=MAX_DEPTH_PX).contains(&row_px) {
            return Err(GridError::RowPx { got: row_px, max: MAX_DEPTH_PX });
        }
        Ok(Grid { cols, row_px })
    }

    /// Number of columns.
    pub fn cols(&self) -> u32 {
        self.cols
    }

    /// Row height in CSS px.
    pub fn row_px(&self) -> u32 {
        self.row_px
    }

    /// Number of rows: those that start above [`MAX_DEPTH_PX`].
    pub fn max_rows(&self) -> u32 {
        MAX_DEPTH_PX.div_ceil(self.row_px)
    }

    /// The cell of a click at (`x`, `y`) in a space `width` px wide: column
    /// `floor(x / width * cols)`, row `floor(y / row_px)`.
    ///
    /// `x` at or beyond `width` (the right edge, or a horizontally
    /// overflowing page) lands in the last column. `None` when the click
    /// cannot be placed: a coordinate that is negative or not finite, a
    /// width that is not positive, or `y` at or below [`MAX_DEPTH_PX`];
    /// callers count those.
    pub fn cell(&self, x: f64, y: f64, width: f64) -> Option<Cell> {
        let valid =
            x.is_finite() && y.is_finite() && width.is_finite() && x >= 0.0 && y >= 0.0 && width > 0.0;
        if !valid || y >= f64::from(MAX_DEPTH_PX) {
            return None;
        }
        // `as u32` saturates and both values are non-negative, so the casts
        // cannot wrap.
        let col = ((x / width * f64::from(self.cols)).floor() as u32).min(self.cols - 1);
        let row = (y / f64::from(self.row_px)).floor() as u32;
        // Rounding can put a y just above the cap's last row onto it.
        (row < self.max_rows()).then_some(Cell { col, row })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use proptest::prelude::*;

    use super::*;

    #[test]
    fn cells_table() {
        let grid = Grid::default();
        type Case = (f64, f64, f64, Option<(u32, u32)>);
        let cases: &[Case] = &[
            (0.0, 0.0, 1280.0, Some((0, 0))),
            (19.99, 15.99, 1280.0, Some((0, 0))),
            (20.0, 16.0, 1280.0, Some((1, 1))),
            (640.0, 410.0, 1280.0, Some((32, 25))),
            (1279.9, 4099.0, 1280.0, Some((63, 256))),
            (1280.0, 0.0, 1280.0, Some((63, 0))),
            (5000.0, 0.0, 1280.0, Some((63, 0))),
            (187.5, 0.0, 375.0, Some((32, 0))),
            (0.5, 99_999.0, 1.0, Some((32, 6249))),
            (0.0, 100_000.0, 1280.0, None),
            (-0.1, 0.0, 1280.0, None),
            (0.0, -1.0, 1280.0, None),
            (f64::NAN, 0.0, 1280.0, None),
            (0.0, f64::NAN, 1280.0, None),
            (f64::INFINITY, 0.0, 1280.0, None),
            (0.0, 0.0, 0.0, None),
            (0.0, 0.0, -5.0, None),
            (0.0, 0.0, f64::NAN, None),
        ];
        for &(x, y, w, expected) in cases {
            let cell = grid.cell(x, y, w).map(|c| (c.col, c.row));
            assert_eq!(cell, expected, "({x}, {y}) in {w}");
        }
    }

    #[test]
    fn settings_are_validated() {
        assert_eq!(Grid::new(64, 16), Ok(Grid::default()));
        assert_eq!(Grid::new(0, 16), Err(GridError::Cols { got: 0, max: MAX_COLS }));
        assert_eq!(Grid::new(MAX_COLS + 1, 16), Err(GridError::Cols { got: MAX_COLS + 1, max: MAX_COLS }));
        assert_eq!(Grid::new(64, 0), Err(GridError::RowPx { got: 0, max: MAX_DEPTH_PX }));
        assert!(Grid::new(1, MAX_DEPTH_PX).is_ok());
        assert_eq!(Grid::default().max_rows(), 6250);
        assert_eq!(Grid::new(64, 3).unwrap().max_rows(), 33_334);
        assert_eq!(Layer::Document.as_str(), "document");
        assert_eq!(Layer::Fixed.as_str(), "fixed");
    }

    #[test]
    fn rows_stop_at_the_cap_for_every_row_height() {
        let below_cap = f64::from(MAX_DEPTH_PX).next_down();
        for row_px in [1, 3, 7, 10, 16, 25, 100, 333, 1000, MAX_DEPTH_PX] {
            let grid = Grid::new(64, row_px).unwrap();
            let cell = grid.cell(0.0, below_cap, 1.0);
            assert!(cell.is_none_or(|c| c.row < grid.max_rows()), "{row_px}");
        }
    }

    fn grid() -> impl Strategy<Value = Grid> {
        (1..=MAX_COLS, 1..=200u32).prop_map(|(cols, row_px)| Grid::new(cols, row_px).unwrap())
    }

    /// Finite, non-negative, including the extremes that break naive
    /// arithmetic.
    fn coordinate() -> impl Strategy<Value = f64> {
        prop_oneof![
            0.0..2e5f64,
            Just(0.0),
            Just(f64::MIN_POSITIVE),
            Just(f64::MAX),
            (0u32..5000).prop_map(f64::from)
        ]
    }

    proptest! {
        #[test]
        fn indices_are_in_range(grid in grid(), x in coordinate(), y in coordinate(), w in 1e-3..1e5f64) {
            if let Some(cell) = grid.cell(x, y, w) {
                prop_assert!(cell.col < grid.cols());
                prop_assert!(cell.row < grid.max_rows());
            } else {
                prop_assert!(y >= f64::from(MAX_DEPTH_PX));
            }
        }

        /// The cell's bounds contain the click, and the bounds of cells are
        /// half-open, so no other cell does.
        #[test]
        fn a_click_lands_in_exactly_one_cell(grid in grid(), x in 0.0..1e5f64, y in 0.0..1e5f64, w in 1.0..1e5f64) {
            if let Some(cell) = grid.cell(x, y, w) {
                let fx = (x / w * f64::from(grid.cols())).min(f64::from(grid.cols()) - 0.5);
                let fy = y / f64::from(grid.row_px());
                prop_assert!(f64::from(cell.col) <= fx && fx < f64::from(cell.col + 1), "{cell:?} {fx}");
                prop_assert!(f64::from(cell.row) <= fy && fy < f64::from(cell.row + 1), "{cell:?} {fy}");
            }
        }

        #[test]
        fn monotonic(grid in grid(), a in coordinate(), b in coordinate(), other in 0.0..1e5f64, w in 1.0..1e5f64) {
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            if let (Some(p), Some(q)) = (grid.cell(lo, other, w), grid.cell(hi, other, w)) {
                prop_assert!(p.col <= q.col && p.row == q.row);
            }
            if let (Some(p), Some(q)) = (grid.cell(other, lo, w), grid.cell(other, hi, w)) {
                prop_assert!(p.row <= q.row && p.col == q.col);
            }
        }
    }
}
