//! Heatmap queries (SPEC §6). Every query reads the aggregated tables
//! only; `k_min` is applied in ClickHouse so hidden cells never leave it.
//! Filters: site, page key, device (`""` for all), an inclusive day range
//! (`YYYY-MM-DD`).

use clickhouse::Row;
use serde::Deserialize;

use crate::segments::SegmentFilter;
use crate::{Store, StoreError};

/// The filter shared by the heatmap queries; `?` order: site, page key,
/// device twice, from, to, then the segment's ([`SegmentFilter::bind`]).
macro_rules! page_filter {
    () => {
        "site = ? AND page_key = ? AND (? = '' OR toString(device) = ?) \
         AND day >= toDate(?) AND day <= toDate(?) /*segment*/"
    };
}
pub(crate) use page_filter;

/// Cells of one layer with at least `k_min` distinct visitors.
pub(crate) const SELECT_CELLS: &str = concat!(
    "SELECT col, row, sumMerge(clicks) AS count, sumMerge(rage) AS rage_count, ",
    "sumMerge(dead) AS dead_count, uniqMerge(visitors) AS visitor_count ",
    "FROM heatmap_clicks WHERE ",
    page_filter!(),
    " AND layer = ? GROUP BY col, row HAVING visitor_count >= ? ORDER BY row, col"
);

/// Cells of one layer when `k_min` cannot hide any (a cell with a click
/// has a visitor): no `uniq` state is merged, the costly part.
pub(crate) const SELECT_CELLS_UNFILTERED: &str = concat!(
    "SELECT col, row, sumMerge(clicks) AS count, sumMerge(rage) AS rage_count, ",
    "sumMerge(dead) AS dead_count FROM heatmap_clicks WHERE ",
    page_filter!(),
    " AND layer = ? GROUP BY col, row ORDER BY row, col"
);

/// All clicks and distinct visitors of one layer, hidden cells included.
pub(crate) const SELECT_CLICK_TOTALS: &str = concat!(
    "SELECT sumMerge(clicks) AS total, uniqMerge(visitors) AS visitor_count FROM heatmap_clicks WHERE ",
    page_filter!(),
    " AND layer = ?"
);

/// Page views that reached each depth bucket.
pub(crate) const SELECT_SCROLL: &str = concat!(
    "SELECT bucket, uniqMerge(page_views) AS reached FROM heatmap_scroll WHERE ",
    page_filter!(),
    " GROUP BY bucket ORDER BY bucket"
);

/// Elements by clicks, each seen by at least `k_min` visitors.
pub(crate) const SELECT_ELEMENTS: &str = concat!(
    "SELECT selector, sumMerge(clicks) AS count, sumMerge(rage) AS rage_count, sumMerge(dead) AS dead_count, ",
    "uniqMerge(visitors) AS visitor_count FROM heatmap_elements WHERE ",
    page_filter!(),
    " GROUP BY selector HAVING visitor_count >= ? ORDER BY count DESC, selector LIMIT ?"
);

/// Page keys by views; `?` order: site, device twice, from, to, the
/// segment's, k_min, limit.
pub(crate) const SELECT_PAGES: &str = "SELECT page_key, uniqMerge(page_views) AS views, sumMerge(clicks) AS click_count, \
     uniqMerge(visitors) AS visitor_count FROM page_stats \
     WHERE site = ? AND (? = '' OR toString(device) = ?) AND day >= toDate(?) AND day <= toDate(?) /*segment*/ \
     GROUP BY page_key HAVING visitor_count >= ? ORDER BY views DESC, page_key LIMIT ?";

/// What a heatmap query is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeatmapFilter {
    /// Site id.
    pub site: String,
    /// Page key.
    pub page_key: String,
    /// `desktop`, `tablet`, `mobile`, or empty for all.
    pub device: String,
    /// First day, `YYYY-MM-DD`.
    pub from: String,
    /// Last day, `YYYY-MM-DD`, inclusive.
    pub to: String,
    /// Only page views of this segment.
    pub segment: SegmentFilter,
}

/// One visible cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Row, Deserialize)]
pub struct CellCount {
    /// Column.
    pub col: u16,
    /// Row.
    pub row: u32,
    /// Clicks.
    pub count: u64,
    /// Of which rage clicks.
    pub rage: u64,
    /// Of which dead clicks.
    pub dead: u64,
}

#[derive(Debug, Clone, Copy, Row, Deserialize)]
struct FilteredCell {
    col: u16,
    row: u32,
    count: u64,
    rage: u64,
    dead: u64,
    _visitors: u64,
}

/// Clicks and visitors over a whole layer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Row, Deserialize)]
pub struct ClickTotals {
    /// Clicks, hidden cells included.
    pub total: u64,
    /// Distinct visitors.
    pub visitors: u64,
}

/// Page views that reached a depth bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Row, Deserialize)]
pub struct ScrollBucket {
    /// 0..=20, 5 % steps.
    pub bucket: u8,
    /// Page views.
    pub reached: u64,
}

/// Clicks on one element.
#[derive(Debug, Clone, PartialEq, Eq, Row, Deserialize)]
pub struct ElementCount {
    /// Masked selector.
    pub selector: String,
    /// Clicks.
    pub count: u64,
    /// Of which rage clicks.
    pub rage: u64,
    /// Of which dead clicks.
    pub dead: u64,
    /// Distinct visitors.
    pub visitors: u64,
}

/// One page of the pages list.
#[derive(Debug, Clone, PartialEq, Eq, Row, Deserialize)]
pub struct PageCount {
    /// Page key.
    pub page_key: String,
    /// Distinct page views.
    pub views: u64,
    /// Clicks.
    pub clicks: u64,
    /// Distinct visitors.
    pub visitors: u64,
}

impl Store {
    /// Visible cells of a layer (`document` or `fixed`): those seen by at
    /// least `k_min` distinct visitors.
    pub async fn heatmap_cells(
        &self,
        filter: &HeatmapFilter,
        layer: &str,
        k_min: u32,
    ) -> Result<Vec<CellCount>, StoreError> {
        if k_min <= 1 {
            let query = bind_filter(&self.db, SELECT_CELLS_UNFILTERED, filter).bind(layer);
            return self
                .bounded("reading heatmap cells", async move {
                    query.fetch_all().await.map_err(StoreError::clickhouse("reading heatmap cells"))
                })
                .await;
        }
        let query = bind_filter(&self.db, SELECT_CELLS, filter).bind(layer).bind(k_min);
        let cells: Vec<FilteredCell> = self
            .bounded("reading heatmap cells", async move {
                query.fetch_all().await.map_err(StoreError::clickhouse("reading heatmap cells"))
            })
            .await?;
        Ok(cells
            .into_iter()
            .map(|c| CellCount { col: c.col, row: c.row, count: c.count, rage: c.rage, dead: c.dead })
            .collect())
    }

    /// Totals of a layer.
    pub async fn heatmap_totals(
        &self,
        filter: &HeatmapFilter,
        layer: &str,
    ) -> Result<ClickTotals, StoreError> {
        let query = bind_filter(&self.db, SELECT_CLICK_TOTALS, filter).bind(layer);
        self.bounded("reading heatmap totals", async move {
            Ok(query
                .fetch_optional()
                .await
                .map_err(StoreError::clickhouse("reading heatmap totals"))?
                .unwrap_or_default())
        })
        .await
    }

    /// Scroll-depth buckets.
    pub async fn heatmap_scroll(&self, filter: &HeatmapFilter) -> Result<Vec<ScrollBucket>, StoreError> {
        let query = bind_filter(&self.db, SELECT_SCROLL, filter);
        self.bounded("reading scroll depth", async move {
            query.fetch_all().await.map_err(StoreError::clickhouse("reading scroll depth"))
        })
        .await
    }

    /// The most clicked elements.
    pub async fn heatmap_elements(
        &self,
        filter: &HeatmapFilter,
        k_min: u32,
        limit: u32,
    ) -> Result<Vec<ElementCount>, StoreError> {
        let query = bind_filter(&self.db, SELECT_ELEMENTS, filter).bind(k_min).bind(limit);
        self.bounded("reading element clicks", async move {
            query.fetch_all().await.map_err(StoreError::clickhouse("reading element clicks"))
        })
        .await
    }

    /// Pages by views; `filter.page_key` is not used.
    pub async fn pages(
        &self,
        filter: &HeatmapFilter,
        k_min: u32,
        limit: u32,
    ) -> Result<Vec<PageCount>, StoreError> {
        let query = self
            .db
            .query(&filter.segment.apply(SELECT_PAGES))
            .bind(filter.site.as_str())
            .bind(filter.device.as_str())
            .bind(filter.device.as_str())
            .bind(filter.from.as_str())
            .bind(filter.to.as_str());
        let query = filter.segment.bind(query).bind(k_min).bind(limit);
        self.bounded("reading pages", async move {
            query.fetch_all().await.map_err(StoreError::clickhouse("reading pages"))
        })
        .await
    }
}

/// `sql` (which holds [`page_filter!`]) narrowed to the filter's segment,
/// with the filter's values bound.
pub(crate) fn bind_filter(
    client: &clickhouse::Client,
    sql: &str,
    filter: &HeatmapFilter,
) -> clickhouse::query::Query {
    let query = client
        .query(&filter.segment.apply(sql))
        .bind(filter.site.as_str())
        .bind(filter.page_key.as_str())
        .bind(filter.device.as_str())
        .bind(filter.device.as_str())
        .bind(filter.from.as_str())
        .bind(filter.to.as_str());
    filter.segment.bind(query)
}
