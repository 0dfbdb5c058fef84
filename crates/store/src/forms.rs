//! Form analytics queries (docs/forms.md): per form of a page, the page
//! views that started, submitted and abandoned it; per field, its reach,
//! median time, refills, errors and abandonments. Everything is read from
//! `form_fields`; groups seen by fewer than `k_min` distinct visitors
//! never leave ClickHouse. Filters as the heatmaps': site, page key,
//! device (`""` for all), an inclusive day range.

use clickhouse::Row;
use serde::Deserialize;

use crate::heatmaps::{HeatmapFilter, bind_filter, page_filter};
use crate::{Store, StoreError};

/// The forms of a page with at least `k_min` visitors, most started
/// first; `?`: the heatmaps' page filter, k_min, limit.
pub(crate) const SELECT_FORMS: &str = concat!(
    "SELECT form, uniqMerge(engaged) AS started, uniqIfMerge(submitted) AS submits, ",
    "uniqIfMerge(abandoned) AS abandons, uniqMerge(visitors) AS visitor_count FROM form_fields WHERE ",
    page_filter!(),
    " GROUP BY form HAVING visitor_count >= ? ORDER BY started DESC, form LIMIT ?"
);

/// The fields of a page's forms with at least `k_min` visitors, in form
/// order; `?`: the filter, k_min, limit. Run beside [`SELECT_FORMS`], not
/// after it: the answer takes as long as the slower of the two.
pub(crate) const SELECT_FIELDS: &str = concat!(
    "SELECT form, field, minMerge(position) AS place, uniqIfMerge(reached) AS reach, ",
    "quantileIfMerge(0.5)(time_ms) AS median_ms, uniqIfMerge(refilled) AS refills, ",
    "uniqIfMerge(errored) AS errors, uniqIfMerge(abandoned) AS abandons, uniqMerge(visitors) AS visitor_count ",
    "FROM form_fields WHERE ",
    page_filter!(),
    " AND field != '' GROUP BY form, field HAVING visitor_count >= ? ORDER BY form, place, field LIMIT ?"
);

/// One form of a page.
#[derive(Debug, Clone, PartialEq, Eq, Row, Deserialize)]
pub struct FormSummary {
    /// The form's masked selector (empty: fields outside any form).
    pub form: String,
    /// Page views that touched a field of it or submitted it.
    pub started: u64,
    /// Page views that submitted it.
    pub submitted: u64,
    /// Page views that left it started and not submitted.
    pub abandoned: u64,
    /// Distinct visitors.
    pub visitors: u64,
}

/// One field of a form.
#[derive(Debug, Clone, PartialEq, Row, Deserialize)]
pub struct FieldSummary {
    /// The form's masked selector.
    pub form: String,
    /// The field's masked selector.
    pub field: String,
    /// Its place in the form (the lowest seen).
    pub position: u16,
    /// Page views that left the field after focusing it.
    pub reached: u64,
    /// Median time from focus to blur, ms (over every visit of the field).
    pub median_ms: f64,
    /// Page views that corrected or refilled it.
    pub refilled: u64,
    /// Page views in which it showed an error.
    pub errored: u64,
    /// Page views whose abandonment it was the last field of.
    pub abandoned: u64,
    /// Distinct visitors.
    pub visitors: u64,
}

impl Store {
    /// The forms of a page (at most `forms_limit`, most started first) and
    /// their fields (at most `fields_limit` in all), read at once.
    pub async fn forms(
        &self,
        filter: &HeatmapFilter,
        k_min: u32,
        forms_limit: u32,
        fields_limit: u32,
    ) -> Result<(Vec<FormSummary>, Vec<FieldSummary>), StoreError> {
        let forms = bind_filter(&self.db, SELECT_FORMS, filter).bind(k_min).bind(forms_limit);
        let fields = bind_filter(&self.db, SELECT_FIELDS, filter).bind(k_min).bind(fields_limit);
        let context = "reading forms";
        let (forms, mut fields) = self
            .bounded(context, async move {
                let (forms, fields) =
                    tokio::join!(forms.fetch_all::<FormSummary>(), fields.fetch_all::<FieldSummary>());
                Ok((
                    forms.map_err(StoreError::clickhouse(context))?,
                    fields.map_err(StoreError::clickhouse(context))?,
                ))
            })
            .await?;
        fields.retain(|field| forms.iter().any(|form| form.form == field.form));
        Ok((forms, fields))
    }
}
