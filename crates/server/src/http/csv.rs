//! CSV exports of the analysis endpoints (`format=csv`): the figures an
//! analyst takes into a spreadsheet, as the JSON answer has them, one
//! table per answer.
//!
//! Cells are quoted as RFC 4180 says, and a text cell that a spreadsheet
//! would run as a formula (it starts with `=`, `+`, `-`, `@`, tab or CR)
//! is prefixed with `'`: selectors and page keys come from visitors'
//! browsers, and an export must not become a way into the analyst's
//! machine.

use actix_web::HttpResponse;
use actix_web::http::header;
use serde_json::Value;

use super::bad_request;
use veil_ingest::ApiError;

/// What `format=` asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The JSON answer (the default).
    Json,
    /// One CSV table.
    Csv,
}

impl Format {
    /// Reads `format=`: `json` (or absent) or `csv`.
    pub fn parse(value: Option<&str>) -> Result<Format, ApiError> {
        match value.unwrap_or("json") {
            "json" => Ok(Format::Json),
            "csv" => Ok(Format::Csv),
            _ => Err(bad_request("format must be json or csv")),
        }
    }
}

/// One cell as text.
fn cell(value: &Value) -> String {
    let text = match value {
        Value::Null => return String::new(),
        Value::String(text) => {
            if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
                format!("'{text}")
            } else {
                text.clone()
            }
        }
        other => other.to_string(),
    };
    if text.contains([',', '"', '\n', '\r']) { format!("\"{}\"", text.replace('"', "\"\"")) } else { text }
}

/// A CSV table: a header of `columns`, then one line per row, each row's
/// cells taken from its object by the column names.
pub fn table(columns: &[&str], rows: &[Value]) -> String {
    let mut out = columns.join(",");
    out.push_str("\r\n");
    for row in rows {
        let cells: Vec<String> = columns.iter().map(|c| cell(row.get(*c).unwrap_or(&Value::Null))).collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out
}

/// The answer for a CSV export, offered as a download named `name`.
pub fn response(name: &str, body: String) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}.csv\"")))
        .body(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn cells_are_quoted_and_formulas_defused() {
        let rows = vec![
            json!({"selector": "a,b", "count": 3, "rate": 0.25}),
            json!({"selector": "say \"hi\"", "count": 0}),
            json!({"selector": "=HYPERLINK(\"x\")", "count": 1}),
            json!({"selector": "-1", "count": -1}),
        ];
        assert_eq!(
            table(&["selector", "count", "rate"], &rows),
            "selector,count,rate\r\n\"a,b\",3,0.25\r\n\"say \"\"hi\"\"\",0,\r\n\"'=HYPERLINK(\"\"x\"\")\",1,\r\n'-1,-1,\r\n"
        );
    }

    #[test]
    fn only_json_and_csv_are_formats() {
        assert_eq!(Format::parse(None).ok(), Some(Format::Json));
        assert_eq!(Format::parse(Some("csv")).ok(), Some(Format::Csv));
        assert!(Format::parse(Some("xlsx")).is_err());
    }
}
