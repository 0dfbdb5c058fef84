//! Streamed JSON answers: a long session (or a visitor's whole export) is
//! sent batch by batch as ClickHouse returns it, never held whole. Once the
//! `200` has started an error can no longer change the status, so the
//! stream is cut instead: the client sees truncated JSON, never a
//! complete-looking partial answer.

use actix_web::HttpResponse;
use actix_web::web::Bytes;
use veil_store::archives::{BatchBody, SessionBatch};
use veil_store::recordings::SessionCursor;
use veil_store::{Store, StoreError};

use crate::replay::{ReplayError, Timeline};

/// One piece of a streamed body.
pub(crate) type Chunk = Result<Bytes, std::io::Error>;

/// Chunks waiting to be written per response: a slow client holds back
/// ClickHouse instead of filling memory.
const CHANNEL_CHUNKS: usize = 4;

/// Bytes per chunk (one large event may make a larger one): with
/// [`CHANNEL_CHUNKS`], what a response holds in flight stays near 1 MiB
/// however large a stored batch is.
const CHUNK_BYTES: usize = 256 * 1024;

/// Why a stream stopped early.
#[derive(Debug, thiserror::Error)]
pub(crate) enum StreamError {
    /// ClickHouse failed or timed out.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A stored batch is unreadable.
    #[error(transparent)]
    Replay(#[from] ReplayError),
    /// The client went away.
    #[error("client disconnected")]
    Gone,
}

/// A `200 application/json` answer whose body is what is sent into the
/// returned sender.
pub(crate) fn json_stream() -> (tokio::sync::mpsc::Sender<Chunk>, HttpResponse) {
    let (sender, receiver) = tokio::sync::mpsc::channel::<Chunk>(CHANNEL_CHUNKS);
    let body = futures_util::stream::unfold(receiver, |mut receiver| async move {
        receiver.recv().await.map(|chunk| (chunk, receiver))
    });
    let response = HttpResponse::Ok()
        .content_type("application/json")
        .insert_header(("Cache-Control", "no-store"))
        .streaming(body);
    (sender, response)
}

/// Sends bytes, or reports the client gone.
pub(crate) async fn send(
    sender: &tokio::sync::mpsc::Sender<Chunk>,
    bytes: Vec<u8>,
) -> Result<(), StreamError> {
    sender.send(Ok(Bytes::from(bytes))).await.map_err(|_| StreamError::Gone)
}

/// Cuts the stream after an error (logged without request data).
pub(crate) async fn abort(sender: &tokio::sync::mpsc::Sender<Chunk>, error: &StreamError) {
    if !matches!(error, StreamError::Gone) {
        tracing::warn!(%error, "streamed answer cut short");
        let _ = sender.send(Err(std::io::Error::other("stream cut short"))).await;
    }
}

/// A session's stored batches, with the first one already fetched so a
/// ClickHouse failure can still be answered `503` before anything is sent.
pub(crate) struct SessionBatches {
    cursor: SessionCursor,
    first: Option<SessionBatch>,
}

impl SessionBatches {
    /// Starts reading a session's batches.
    pub(crate) async fn open(
        store: &Store,
        site: &str,
        session: &str,
        horizon: &str,
    ) -> Result<SessionBatches, StoreError> {
        let mut cursor = store.session_payloads(site, session, horizon).await?;
        let first = cursor.next().await?;
        Ok(SessionBatches { cursor, first })
    }

    /// Sends every event of the session, in timestamp order, as JSON
    /// values separated by commas (the caller writes the brackets).
    /// Returns how many events were sent.
    pub(crate) async fn send_events(
        mut self,
        sender: &tokio::sync::mpsc::Sender<Chunk>,
    ) -> Result<u64, StreamError> {
        let mut timeline = Timeline::new();
        let mut first_event = true;
        let mut row = self.first.take();
        while let Some(batch) = row {
            let ready = match &batch.body {
                BatchBody::Zstd(payload) => timeline.push(batch.seq, batch.first_ts, payload)?,
                BatchBody::Json(json) => timeline.push_json(batch.seq, batch.first_ts, json)?,
            };
            send_joined(sender, ready, &mut first_event).await?;
            row = self.cursor.next().await?;
        }
        send_joined(sender, timeline.finish(), &mut first_event).await?;
        Ok(timeline.emitted())
    }
}

async fn send_joined(
    sender: &tokio::sync::mpsc::Sender<Chunk>,
    events: Vec<Vec<u8>>,
    first_event: &mut bool,
) -> Result<(), StreamError> {
    if events.is_empty() {
        return Ok(());
    }
    let mut chunk = Vec::new();
    for event in events {
        if !*first_event {
            chunk.push(b',');
        }
        *first_event = false;
        chunk.extend_from_slice(&event);
        if chunk.len() >= CHUNK_BYTES {
            send(sender, std::mem::take(&mut chunk)).await?;
        }
    }
    if chunk.is_empty() { Ok(()) } else { send(sender, chunk).await }
}
