//! Inserting queued rows: one INSERT per table per call (ClickHouse wants
//! few, large inserts), and a verdict on failures: retry later, or set the
//! rows aside because ClickHouse will never take them.

use clickhouse::Row;
use serde::Serialize;

use crate::rows::{
    ConsentLogRow, FormEventRow, HeatmapClickRow, HeatmapElementRow, HeatmapScrollRow, PageSignalRow,
    PageStatsRow, QueuedRow, RecordingRow, SessionIndexRow,
};
use crate::{Store, StoreError};

/// ClickHouse error codes that mean the data itself is refused: retrying
/// the same rows can never succeed. (TYPE_MISMATCH 53, CANNOT_PARSE_* 6,
/// 27, 38, 41, INCORRECT_DATA 117, CANNOT_READ_ALL_DATA 33, TOO_LARGE_STRING_SIZE
/// 131, ILLEGAL_COLUMN 44, NO_SUCH_COLUMN_IN_TABLE 16.)
const DATA_ERROR_CODES: &[u32] = &[6, 16, 27, 33, 38, 41, 44, 53, 117, 131];

/// Why an insert failed.
#[derive(Debug, thiserror::Error)]
pub enum InsertError {
    /// ClickHouse is down, slow or overloaded: keep the rows, try later.
    #[error("retryable: {0}")]
    Retryable(StoreError),
    /// ClickHouse refuses these rows: retrying cannot help.
    #[error("rows refused by ClickHouse: {0}")]
    Refused(StoreError),
}

/// Which tables of one round of rows ClickHouse has already taken, so a
/// retry after a partial failure re-sends only the others: recordings
/// collapse duplicates at read, but heatmap sums would count twice. One
/// bit per table; [`TABLES`] of them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InsertProgress(u16);

/// Tables one round inserts into (bits of [`InsertProgress`]).
const TABLES: usize = 9;
const _: () = assert!(TABLES <= u16::BITS as usize, "InsertProgress has a bit per table");

impl InsertProgress {
    /// True when this row's table was already inserted in this round.
    pub fn covers(self, row: &QueuedRow) -> bool {
        let table = match row {
            QueuedRow::ConsentLog(_) => 0,
            QueuedRow::Recording(_) => 1,
            QueuedRow::HeatmapClick(_) => 2,
            QueuedRow::HeatmapElement(_) => 3,
            QueuedRow::HeatmapScroll(_) => 4,
            QueuedRow::PageStats(_) => 5,
            QueuedRow::SessionIndex(_) => 6,
            QueuedRow::FormEvent(_) => 7,
            QueuedRow::PageSignal(_) => 8,
        };
        self.done(table)
    }

    fn done(self, table: usize) -> bool {
        debug_assert!(table < TABLES);
        self.0 & (1 << table) != 0
    }

    fn mark(&mut self, table: usize) {
        self.0 |= 1 << table;
    }
}

impl Store {
    /// Inserts rows, one INSERT per table. `progress` records the tables
    /// done; pass the same value to retry the same rows after an error.
    pub async fn insert_rows(
        &self,
        rows: &[QueuedRow],
        progress: &mut InsertProgress,
    ) -> Result<(), InsertError> {
        let mut consent = Vec::new();
        let mut recordings = Vec::new();
        let mut clicks = Vec::new();
        let mut elements = Vec::new();
        let mut scroll = Vec::new();
        let mut pages = Vec::new();
        let mut sessions = Vec::new();
        let mut forms = Vec::new();
        let mut signals = Vec::new();
        for row in rows {
            match row {
                QueuedRow::ConsentLog(row) => consent.push(row),
                QueuedRow::Recording(row) => recordings.push(row),
                QueuedRow::HeatmapClick(row) => clicks.push(row),
                QueuedRow::HeatmapElement(row) => elements.push(row),
                QueuedRow::HeatmapScroll(row) => scroll.push(row),
                QueuedRow::PageStats(row) => pages.push(row),
                QueuedRow::SessionIndex(row) => sessions.push(row),
                QueuedRow::FormEvent(row) => forms.push(row),
                QueuedRow::PageSignal(row) => signals.push(row),
            }
        }
        if !progress.done(0) {
            self.insert_table::<ConsentLogRow>("consent_log", &consent).await?;
            progress.mark(0);
        }
        if !progress.done(1) {
            self.insert_table::<RecordingRow>("recordings", &recordings).await?;
            progress.mark(1);
        }
        if !progress.done(2) {
            self.insert_table::<HeatmapClickRow>("heatmap_clicks_input", &clicks).await?;
            progress.mark(2);
        }
        if !progress.done(3) {
            self.insert_table::<HeatmapElementRow>("heatmap_elements_input", &elements).await?;
            progress.mark(3);
        }
        if !progress.done(4) {
            self.insert_table::<HeatmapScrollRow>("heatmap_scroll_input", &scroll).await?;
            progress.mark(4);
        }
        if !progress.done(5) {
            self.insert_table::<PageStatsRow>("page_stats_input", &pages).await?;
            progress.mark(5);
        }
        if !progress.done(7) {
            self.insert_table::<FormEventRow>("form_events_input", &forms).await?;
            progress.mark(7);
        }
        if !progress.done(8) {
            self.insert_table::<PageSignalRow>("page_signals", &signals).await?;
            progress.mark(8);
        }
        if !progress.done(6) {
            self.insert_table::<SessionIndexRow>("session_index", &sessions).await?;
            progress.mark(6);
        }
        Ok(())
    }

    /// Inserts rows now, not through the queue: for rare, human-driven
    /// writes (the access log, reports) that must be visible as soon as
    /// they are answered. Whether a retry could help is the caller's
    /// question; the error says what failed.
    pub(crate) async fn insert_now<T>(&self, table: &'static str, rows: &[&T]) -> Result<(), StoreError>
    where
        T: Row + Serialize + Send + Sync + 'static,
        for<'a> T: Row<Value<'a> = T>,
    {
        self.insert_table(table, rows).await.map_err(|error| match error {
            InsertError::Retryable(error) | InsertError::Refused(error) => error,
        })
    }

    async fn insert_table<T>(&self, table: &'static str, rows: &[&T]) -> Result<(), InsertError>
    where
        T: Row + Serialize + Send + Sync + 'static,
        for<'a> T: Row<Value<'a> = T>,
    {
        if rows.is_empty() {
            return Ok(());
        }
        let context = format!("inserting {} rows into {table}", rows.len());
        let result = self
            .bounded(&context, async {
                let mut insert =
                    self.db.insert::<T>(table).await.map_err(StoreError::clickhouse(context.clone()))?;
                for row in rows {
                    insert.write(*row).await.map_err(StoreError::clickhouse(context.clone()))?;
                }
                insert.end().await.map_err(StoreError::clickhouse(context.clone()))
            })
            .await;
        result.map_err(classify)
    }
}

fn classify(error: StoreError) -> InsertError {
    let refused = match &error {
        StoreError::ClickHouse { source, .. } => {
            error_code(&source.to_string()).is_some_and(|code| DATA_ERROR_CODES.contains(&code))
        }
        _ => false,
    };
    if refused { InsertError::Refused(error) } else { InsertError::Retryable(error) }
}

/// The ClickHouse error code in a message: `Code: 16, e.displayText() …`
/// (18.16) or `Code: 16. DB::Exception …` (current releases).
fn error_code(message: &str) -> Option<u32> {
    let rest = &message[message.find("Code: ")? + "Code: ".len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::{InsertProgress, TABLES, error_code};

    #[test]
    fn progress_has_a_bit_for_every_table() {
        let mut progress = InsertProgress::default();
        for table in 0..TABLES {
            assert!(!progress.done(table));
            progress.mark(table);
            assert!(progress.done(table), "table {table}");
        }
        assert_eq!(progress.0.count_ones() as usize, TABLES);
    }

    #[test]
    fn error_codes_of_old_and_new_clickhouse_are_read() {
        let cases = [
            ("bad response: Code: 16, e.displayText() = DB::Exception: No such column payload", Some(16)),
            ("bad response: Code: 53. DB::Exception: Type mismatch (TYPE_MISMATCH)", Some(53)),
            ("bad response: Code: 241. DB::Exception: Memory limit exceeded", Some(241)),
            ("connection refused", None),
            ("Code: x", None),
        ];
        for (message, expected) in cases {
            assert_eq!(error_code(message), expected, "{message}");
        }
    }
}
