//! Inserting queued rows: one INSERT per table per call (ClickHouse wants
//! few, large inserts), and a verdict on failures: retry later, or set the
//! rows aside because ClickHouse will never take them.

use clickhouse::Row;
use serde::Serialize;

use crate::rows::{ConsentLogRow, QueuedRow, RecordingRow};
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

impl Store {
    /// Inserts rows, grouped by table. On error nothing is known about
    /// which tables took their rows; the caller retries all (replays are
    /// collapsed at read, see the migrations).
    pub async fn insert_rows(&self, rows: &[QueuedRow]) -> Result<(), InsertError> {
        let mut consent = Vec::new();
        let mut recordings = Vec::new();
        for row in rows {
            match row {
                QueuedRow::ConsentLog(row) => consent.push(row),
                QueuedRow::Recording(row) => recordings.push(row),
            }
        }
        self.insert_table::<ConsentLogRow>("consent_log", &consent).await?;
        self.insert_table::<RecordingRow>("recordings", &recordings).await?;
        Ok(())
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
            let text = source.to_string();
            DATA_ERROR_CODES.iter().any(|code| text.contains(&format!("Code: {code}.")))
        }
        _ => false,
    };
    if refused { InsertError::Refused(error) } else { InsertError::Retryable(error) }
}
