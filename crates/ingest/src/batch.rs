//! `POST /v1/ingest` (SPEC §4): the checks in their order, the CPU
//! pipeline on a blocking thread, then the durable queue. `202` means the
//! batch is on disk (fsynced) and will reach ClickHouse.

use std::borrow::Cow;
use std::time::Duration;

use actix_web::web::Bytes;

use actix_web::http::StatusCode;
use actix_web::http::header::CONTENT_ENCODING;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use crate::decompress::Encoding;
use crate::guard;
use crate::pipeline::{self, Format};
use crate::reject::Reject;
use crate::state::IngestState;

/// `POST /v1/ingest`.
pub async fn ingest(
    request: HttpRequest,
    payload: web::Payload,
    state: web::Data<IngestState>,
) -> Result<HttpResponse, Reject> {
    let result = ingest_inner(&request, payload, &state).await;
    crate::count(&state, "ingest", &result);
    // The request's budget is back in the pool by now.
    let gauge = |bytes: usize| i64::try_from(bytes).unwrap_or(i64::MAX);
    state.metrics.memory_in_use.set(gauge(state.memory.in_use()));
    state.metrics.memory_peak.set(gauge(state.memory.peak()));
    state.metrics.masking_sessions.set(gauge(state.sessions.len()));
    state.metrics.masking_session_nodes.set(gauge(state.sessions.total_nodes()));
    let (held, bytes) = state.heatmap_sessions.usage();
    state.metrics.heatmap_sessions.set(gauge(held));
    state.metrics.heatmap_session_bytes.set(gauge(bytes));
    result
}

async fn ingest_inner(
    request: &HttpRequest,
    payload: web::Payload,
    state: &web::Data<IngestState>,
) -> Result<HttpResponse, Reject> {
    let limits = state.settings.limits;
    guard::rate_limit(state, request)?;
    crate::body::check_length(request, limits.max_body_bytes)?;
    let token = guard::token_of(request).ok_or(Reject::MissingToken)?;
    let (claims, policy) = guard::consent(state, request, &token)?;
    let (format, encoding) = body_kind(request)?;
    // Everything this request holds from here on is charged to its
    // budget, drawn from the process's pool; the raw body first (its
    // buffer may double while it streams in).
    let mut budget = veil_events::Budget::new(limits.max_request_memory_bytes, Some(state.memory.clone()));
    let declared = crate::body::declared_length(request).unwrap_or(limits.max_body_bytes);
    budget.charge(declared.min(limits.max_body_bytes).saturating_mul(2))?;
    let body = crate::body::read(payload, limits.max_body_bytes).await?;
    state.metrics.received_bytes.with_label_values(&[encoding.as_str()]).inc_by(body.len() as u64);

    let granted = claims.purposes.iter().filter(|p| policy.purposes.contains(*p)).collect();
    let received_at = crate::clock::clamp_u32(crate::clock::now_secs());
    let permit = state
        .pipeline_permits
        .acquire()
        .await
        .map_err(|_| Reject::Unavailable { retry_after: state.settings.retry_after })?;
    let page_keys = policy.page_keys.clone();
    let segments = policy.segments.clone();
    let masking = policy.masking.clone();
    let user_id_key = policy.user_id_key;
    // Only the family leaves this line; the header is never kept.
    let browser = crate::browser::family(
        request
            .headers()
            .get(actix_web::http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or(""),
    );
    // Decompression is bounded (by size and budget) and fast; it runs
    // here so the plain size can choose where the rest runs.
    let plain = match crate::decompress::decompress_within(
        &body,
        encoding,
        limits.max_decompressed_bytes,
        &mut budget,
    ) {
        Ok(Cow::Owned(plain)) => Plain::Decompressed(plain),
        Ok(Cow::Borrowed(_)) => Plain::Body(body.clone()),
        Err(error) => return Err(error.into()),
    };
    let run = move |plain: &[u8], budget: &mut veil_events::Budget, state: &IngestState| {
        let context = pipeline::Context {
            encoding,
            format,
            claims: &claims,
            granted,
            limits: &limits,
            page_keys: &page_keys,
            segments: &segments,
            masking: &masking,
            sessions: &state.sessions,
            heatmap_sessions: &state.heatmap_sessions,
            received_at,
            browser,
            user_id_key: user_id_key.as_ref(),
        };
        pipeline::process_plain(plain, &context, budget)
    };
    // A panic while processing (a bug, not the request's fault) is
    // answered 503 so the recorder retries it later.
    let crashed = || Reject::Unavailable { retry_after: Duration::from_secs(1) };
    let (processed, budget) = if plain.len() <= INLINE_PLAIN_BYTES {
        // Nearly every batch is under the cut: processing it here saves
        // handing it to another thread and back (in the load bench's
        // 2-core profile those hops and their cold caches were a fifth of
        // the server's CPU).
        // A panic is answered 503 as one on the blocking pool would be,
        // rather than taking the worker's other connections with it.
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let processed = run(&plain, &mut budget, state);
            (processed, budget)
        }))
        .map_err(|_| crashed())?
    } else {
        let ingest_state = state.clone();
        web::block(move || {
            let processed = run(&plain, &mut budget, &ingest_state);
            (processed, budget)
        })
        .await
        .map_err(|_| crashed())?
    };
    drop(permit);
    let processed = processed?;
    let mut budget = budget;

    let metrics = &state.metrics;
    metrics.decompressed_bytes.inc_by(processed.decompressed_bytes as u64);
    metrics.decode_duration.observe(processed.decode_time.as_secs_f64());
    if processed.dropped > 0 {
        metrics.events_dropped.with_label_values(&["purpose_not_granted"]).inc_by(processed.dropped as u64);
    }
    let removed = processed.redactions.events_removed();
    if removed > 0 {
        metrics.events_dropped.with_label_values(&["masked_field"]).inc_by(removed);
    }
    for (rule, kind, count) in processed.redactions.iter() {
        metrics.redactions.with_label_values(&[rule, kind.as_str()]).inc_by(count);
    }
    if processed.user_id_dropped {
        metrics.user_ids_dropped.inc();
    }
    if !processed.rows.is_empty() {
        crate::append(state, &processed.rows, &mut budget).await?;
    }
    drop(budget);
    for (kind, count) in &processed.events_by_type {
        metrics.events.with_label_values(&[kind]).inc_by(*count);
    }
    // Every event sent is accounted for: kept, or dropped for a purpose
    // not granted or because masking removed it (a password field's input).
    let dropped = processed.dropped.saturating_add(usize::try_from(removed).unwrap_or(usize::MAX));
    Ok(HttpResponse::build(StatusCode::ACCEPTED)
        .json(json!({"accepted": processed.accepted, "dropped": dropped})))
}

/// `Content-Type` and `Content-Encoding`, or for a beacon (which can set
/// neither header: it sends `text/plain` or no type) the `format` and
/// `encoding` query parameters.
fn body_kind(request: &HttpRequest) -> Result<(Format, Encoding), Reject> {
    let media_type = guard::content_type(request).unwrap_or_default();
    let beacon = matches!(media_type.as_str(), "" | "text/plain" | "application/octet-stream");
    let format = match Format::from_media_type(&media_type) {
        Some(format) => format,
        None if beacon => guard::query_param(request, "format")
            .and_then(|f| Format::from_param(&f))
            .ok_or(Reject::UnsupportedContentType)?,
        None => return Err(Reject::UnsupportedContentType),
    };
    let header = request.headers().get(CONTENT_ENCODING).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let encoding = header.or_else(|| if beacon { guard::query_param(request, "encoding") } else { None });
    let encoding = Encoding::from_header(encoding.as_deref()).map_err(|_| Reject::UnsupportedEncoding)?;
    Ok((format, encoding))
}

/// Decompressed bodies up to this size are processed on the HTTP worker;
/// larger ones on the blocking pool, so one large batch does not hold up
/// the small requests (and health checks) queued behind it on a worker.
/// 256 KiB covers the full snapshots of ordinary pages (the load
/// bench's largest batch is 158 kB) and takes about 10 ms on one core
/// here; the load bench's end-to-end rate rose 12 % over a 64 KiB cut.
const INLINE_PLAIN_BYTES: usize = 256 << 10;

/// The decompressed body: the request body itself when it was sent
/// uncompressed, so it is not copied to move to another thread.
enum Plain {
    Body(Bytes),
    Decompressed(Vec<u8>),
}

impl std::ops::Deref for Plain {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            Plain::Body(body) => body,
            Plain::Decompressed(plain) => plain,
        }
    }
}
