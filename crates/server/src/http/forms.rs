//! `GET /v1/sites/{site}/forms` (docs/forms.md), for analysts: the forms
//! of a page as funnels of their fields. Everything comes from the
//! aggregated `form_fields`; forms and fields seen by fewer than the
//! site's `k_min` distinct visitors never leave ClickHouse. No value of
//! any field was ever sent, so none can be answered.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::json;
use veil_ingest::ApiError;
use veil_store::forms::{FieldSummary, FormSummary};
use veil_store::heatmaps::HeatmapFilter;

use super::auth::Analyst;
use super::csv::{self, Format};
use super::dates::DateRange;
use super::{AppState, bad_request, unavailable as storage};

/// Most forms answered for one page.
const FORMS_LIMIT: u32 = 20;
/// Most fields answered over those forms.
const FIELDS_LIMIT: u32 = 500;

/// Query of the forms endpoint.
#[derive(Debug, Deserialize)]
pub struct FormsQuery {
    page: Option<String>,
    device: Option<String>,
    from: Option<String>,
    to: Option<String>,
    format: Option<String>,
}

/// `part` of `whole` as a fraction, 4 decimals; 0 of nothing.
fn rate(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        return 0.0;
    }
    let fraction = (part as f64 / whole as f64).min(1.0);
    (fraction * 10_000.0).round() / 10_000.0
}

fn field_json(field: &FieldSummary, started: u64) -> serde_json::Value {
    json!({
        "field": field.field,
        "position": field.position,
        "reached": field.reached,
        "reach_rate": rate(field.reached, started),
        "drop_off": ((1.0 - rate(field.reached, started)) * 10_000.0).round() / 10_000.0,
        "median_ms": if field.median_ms.is_finite() { field.median_ms.round() as u64 } else { 0 },
        "refilled": field.refilled,
        "refill_rate": rate(field.refilled, field.reached),
        "errored": field.errored,
        "error_rate": rate(field.errored, field.reached),
        "abandoned": field.abandoned,
        "visitors": field.visitors,
    })
}

fn form_json(form: &FormSummary, fields: &[&FieldSummary]) -> serde_json::Value {
    // The field most abandonments ended at; ties go to the earlier field.
    let last_field = fields
        .iter()
        .filter(|f| f.abandoned > 0)
        .max_by(|a, b| a.abandoned.cmp(&b.abandoned).then(b.position.cmp(&a.position)))
        .map(|f| f.field.clone());
    json!({
        "form": form.form,
        "started": form.started,
        "submitted": form.submitted,
        "submit_rate": rate(form.submitted, form.started),
        "abandoned": form.abandoned,
        "abandon_rate": rate(form.abandoned, form.started),
        "last_field": last_field,
        "visitors": form.visitors,
        "fields": fields.iter().map(|f| field_json(f, form.started)).collect::<Vec<_>>(),
    })
}

/// The forms as one CSV table: a line per field, with its form's figures.
fn csv_export(forms: &[serde_json::Value]) -> HttpResponse {
    let mut rows = Vec::new();
    for form in forms {
        for field in form["fields"].as_array().into_iter().flatten() {
            let mut row = field.clone();
            row["abandoned_here"] = field["abandoned"].clone();
            for key in ["form", "started", "submitted", "submit_rate", "abandoned", "abandon_rate"] {
                row[key] = form[key].clone();
            }
            rows.push(row);
        }
    }
    let columns = [
        "form",
        "started",
        "submitted",
        "submit_rate",
        "abandoned",
        "abandon_rate",
        "field",
        "position",
        "reached",
        "reach_rate",
        "drop_off",
        "median_ms",
        "refilled",
        "refill_rate",
        "errored",
        "error_rate",
        "abandoned_here",
    ];
    csv::response("forms", csv::table(&columns, &rows))
}

/// `GET /v1/sites/{site}/forms`.
pub async fn forms(
    _caller: Analyst,
    site: web::Path<String>,
    query: web::Query<FormsQuery>,
    request: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let site = site.into_inner();
    let k_min = super::site_config(&state, &site)?.k_min;
    let segment = super::segments::segment_filter(&state, &site, request.query_string())?;
    let page = query.page.clone().filter(|p| !p.is_empty()).ok_or_else(|| bad_request("page is required"))?;
    let page = super::page_key_param(&state, &site, page);
    let (device_label, device) = super::device_filter(query.device.as_deref())?;
    let range = DateRange::parse(query.from.as_deref(), query.to.as_deref()).map_err(bad_request)?;
    let format = Format::parse(query.format.as_deref())?;
    let filter = HeatmapFilter {
        site,
        page_key: page.clone(),
        device: device.to_owned(),
        from: range.from.clone(),
        to: range.to.clone(),
        segment,
    };
    let (forms, fields) =
        state.store.forms(&filter, k_min, FORMS_LIMIT, FIELDS_LIMIT).await.map_err(storage)?;
    let body: Vec<serde_json::Value> = forms
        .iter()
        .map(|form| {
            let own: Vec<&FieldSummary> = fields.iter().filter(|f| f.form == form.form).collect();
            form_json(form, &own)
        })
        .collect();
    if format == Format::Csv {
        return Ok(csv_export(&body));
    }
    Ok(HttpResponse::Ok().json(json!({
        "page": page, "device": device_label, "from": range.from, "to": range.to, "k_min": k_min,
        "segment": super::segments::segment_json(&filter.segment),
        "forms": body,
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_fractions_of_their_whole() {
        assert_eq!(rate(1, 3), 0.3333);
        assert_eq!(rate(0, 0), 0.0);
        assert_eq!(rate(5, 4), 1.0, "a submit without a focused field cannot make more than all");
    }

    #[test]
    fn the_last_field_is_where_most_abandonments_ended() {
        let field = |name: &str, position: u16, abandoned: u64| FieldSummary {
            form: "form#f".into(),
            field: name.into(),
            position,
            reached: 4,
            median_ms: 1200.4,
            refilled: 1,
            errored: 0,
            abandoned,
            visitors: 4,
        };
        let form = FormSummary { form: "form#f".into(), started: 4, submitted: 1, abandoned: 3, visitors: 4 };
        let fields = [field("input#a", 0, 1), field("input#b", 1, 2), field("input#c", 2, 0)];
        let refs: Vec<&FieldSummary> = fields.iter().collect();
        let json = form_json(&form, &refs);
        assert_eq!(json["last_field"], "input#b");
        assert_eq!(json["submit_rate"], 0.25);
        assert_eq!(json["fields"][0]["median_ms"], 1200);
        assert_eq!(json["fields"][1]["reach_rate"], 1.0);
        assert_eq!(json["fields"][1]["drop_off"], 0.0);
        let tie = [field("input#a", 0, 2), field("input#b", 1, 2)];
        let refs: Vec<&FieldSummary> = tie.iter().collect();
        assert_eq!(form_json(&form, &refs)["last_field"], "input#a");
    }
}
