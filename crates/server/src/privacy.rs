//! Erasure (SPEC §7, GDPR art. 17): everything stored about a visitor is
//! deleted, whoever asks (an admin through the API, the visitor through a
//! withdrawal with `erase: true`), and the access log says so.
//!
//! One erasure, in order:
//! 1. every consent of the visitor is revoked on this node at once, and a
//!    withdrawal marker without the visitor id is written for each, so every
//!    node refuses the visitor's tokens from now on (within
//!    `consent.revocation_poll_interval`) and keeps refusing them;
//! 2. this node's queue is shipped up to the moment of the request, so no
//!    batch it accepted earlier lands after the delete;
//! 3. the rows of every table holding the visitor id are deleted
//!    ([`veil_store::erasure::VISITOR_TABLES`]) and the deletes awaited;
//! 4. the access log gets an entry naming the visitor only by a one-way
//!    reference, and the caller a receipt;
//! 5. a second pass runs [`SECOND_PASS_DELAY`] later for batches another
//!    node accepted in the seconds before it learned the revocation.
//!
//! Heatmap aggregates are anonymous (no visitor id, `uniq` states of
//! hashes) and are not changed: nothing in them can be attributed.

use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::Serialize;
use veil_consent::ConsentId;
use veil_ingest::{ErasureRequest, Revocations, clock};
use veil_queue::Queue;
use veil_store::erasure::{DeletedRows, SESSION_TABLES, VISITOR_TABLES};
use veil_store::rows::{AuditRow, ConsentAction, ConsentLogRow};
use veil_store::{Store, StoreError};

/// When the second pass runs: past the revocation poll interval and the
/// shipper interval of every node, with margin.
pub const SECOND_PASS_DELAY: Duration = Duration::from_secs(30);
/// Longest wait for this node's queue to ship before deleting anyway (the
/// second pass and the sweep catch what ships later).
const FLUSH_WAIT: Duration = Duration::from_secs(10);
/// Longest wait for ClickHouse to apply deletes.
const MUTATION_WAIT: Duration = Duration::from_secs(120);
/// How often withdrawals with erasure that were not handled at once (a
/// crash, a full channel) are looked for.
pub const SWEEP_INTERVAL: Duration = Duration::from_secs(60);

/// Who did something, for the access log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// API key name, `visitor` or `veil`.
    pub name: String,
    /// `analyst`, `admin`, `visitor` or `system`.
    pub role: String,
}

impl Actor {
    /// The visitor, through a withdrawal.
    pub fn visitor() -> Actor {
        Actor { name: "visitor".into(), role: "visitor".into() }
    }

    /// Veil itself (sweeps, second passes).
    pub fn system() -> Actor {
        Actor { name: "veil".into(), role: "system".into() }
    }
}

/// What an erasure did; the API answers it as the receipt.
#[derive(Debug, Clone, Serialize)]
pub struct Receipt {
    /// Receipt id, also in the access log entry.
    pub receipt: String,
    /// Site id.
    pub site: String,
    /// The erased visitor, as the caller named it.
    pub visitor: String,
    /// How the access log refers to the visitor.
    pub subject: String,
    /// When, RFC 3339.
    pub erased_at: String,
    /// Rows deleted per table.
    pub deleted: std::collections::BTreeMap<&'static str, u64>,
    /// Sessions of the visitor that were deleted.
    pub sessions: usize,
    /// Consents revoked (tokens that will be refused from now on).
    pub consents_revoked: usize,
    /// What was left and why.
    pub aggregates: &'static str,
}

/// Does erasures; shared by the API handlers and the background workers.
pub struct Privacy {
    store: Store,
    revocations: Arc<Revocations>,
    queue: Queue,
    erasures: prometheus::IntCounterVec,
}

/// What asked for an erasure (the `trigger` label of `veil_erasures_total`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// An admin, through the API.
    Admin,
    /// The visitor, withdrawing with `erase: true`.
    Withdrawal,
    /// The sweep, redoing a withdrawal's erasure.
    Sweep,
}

impl Trigger {
    fn as_str(self) -> &'static str {
        match self {
            Trigger::Admin => "admin",
            Trigger::Withdrawal => "withdrawal",
            Trigger::Sweep => "sweep",
        }
    }
}

impl Privacy {
    /// The erasure service of this node.
    pub fn new(
        store: Store,
        revocations: Arc<Revocations>,
        queue: Queue,
        erasures: prometheus::IntCounterVec,
    ) -> Privacy {
        Privacy { store, revocations, queue, erasures }
    }

    /// Erases everything stored about `visitor` on `site` (see the module
    /// docs), writes the access log and schedules the second pass.
    pub async fn erase_visitor(
        self: &Arc<Self>,
        site: &str,
        visitor: &str,
        actor: &Actor,
        trigger: Trigger,
    ) -> Result<Receipt, StoreError> {
        // What this node accepted before the request (the visitor's grant,
        // their last batches) must be in ClickHouse before it is read back
        // and deleted.
        self.flush_queue().await;
        let consents = self.store.visitor_consents(site, visitor).await?;
        let now = clock::now_secs();
        let mut markers = Vec::new();
        for consent in &consents {
            if let Ok(id) = ConsentId::from_str(&consent.consent_id) {
                self.revocations.revoke(id, u64::from(consent.expires_at));
            }
            if u64::from(consent.expires_at) + 60 >= now {
                markers.push(marker(site, &consent.consent_id, consent.expires_at));
            }
        }
        if !markers.is_empty() {
            self.store.append_consent_rows(&markers).await?;
        }
        let sessions = self.store.visitor_sessions(site, visitor).await?;
        let deleted =
            self.store.delete_where(VISITOR_TABLES, "visitor", site, visitor, MUTATION_WAIT).await?;
        let receipt = Receipt {
            receipt: random_id(),
            site: site.to_owned(),
            visitor: visitor.to_owned(),
            subject: veil_store::audit::subject("visitor", site, visitor),
            erased_at: clock::rfc3339(now),
            deleted: deleted.iter().copied().collect(),
            sessions: sessions.len(),
            consents_revoked: consents.len(),
            aggregates: "heatmap aggregates hold no visitor id and cannot be attributed; they are kept",
        };
        let detail = serde_json::json!({
            "receipt": receipt.receipt, "deleted": receipt.deleted, "sessions": receipt.sessions,
            "consents_revoked": receipt.consents_revoked,
        });
        self.audit(actor, "visitor.erase", site, &receipt.subject, &detail).await?;
        self.erasures.with_label_values(&[trigger.as_str()]).inc();
        tracing::info!(site, receipt = receipt.receipt, rows = total(&deleted), "visitor erased");
        self.schedule_second_pass(site.to_owned(), visitor.to_owned());
        Ok(receipt)
    }

    /// Erases one session (an admin's verdict on a PII report).
    pub async fn erase_session(&self, site: &str, session: &str) -> Result<DeletedRows, StoreError> {
        self.flush_queue().await;
        self.store.delete_where(SESSION_TABLES, "session", site, session, MUTATION_WAIT).await
    }

    /// Writes an access log entry.
    pub async fn audit(
        &self,
        actor: &Actor,
        action: &str,
        site: &str,
        subject: &str,
        detail: &serde_json::Value,
    ) -> Result<(), StoreError> {
        let (at, at_ms) = now_parts();
        self.store
            .append_audit(&AuditRow {
                at,
                at_ms,
                actor: actor.name.clone(),
                role: actor.role.clone(),
                action: action.to_owned(),
                site: site.to_owned(),
                subject: subject.to_owned(),
                detail: detail.to_string(),
            })
            .await
    }

    /// Waits until this node's queue has shipped everything accepted before
    /// the call, at most [`FLUSH_WAIT`].
    async fn flush_queue(&self) {
        let target = self.queue.stats().accepted_records_total;
        let started = Instant::now();
        while self.queue.stats().committed_records_total < target {
            if started.elapsed() >= FLUSH_WAIT {
                tracing::warn!(
                    "queue did not ship within {FLUSH_WAIT:?}; erasing now, the second pass follows"
                );
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    fn schedule_second_pass(self: &Arc<Self>, site: String, visitor: String) {
        let privacy = Arc::clone(self);
        tokio::spawn(async move {
            tokio::time::sleep(SECOND_PASS_DELAY).await;
            match privacy.store.delete_where(VISITOR_TABLES, "visitor", &site, &visitor, MUTATION_WAIT).await
            {
                Ok(deleted) if total(&deleted) > 0 => {
                    let subject = veil_store::audit::subject("visitor", &site, &visitor);
                    let detail = serde_json::json!({
                        "deleted": deleted.iter().copied().collect::<std::collections::BTreeMap<_, _>>(),
                    });
                    if let Err(error) = privacy
                        .audit(&Actor::system(), "visitor.erase.second_pass", &site, &subject, &detail)
                        .await
                    {
                        tracing::error!(%error, "erasure second pass done but not logged");
                    }
                    tracing::info!(site, rows = total(&deleted), "erasure second pass deleted late rows");
                }
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "erasure second pass failed; the sweep retries"),
            }
        });
    }
}

/// Serves withdrawals with erasure as they come.
pub async fn serve_requests(
    privacy: Arc<Privacy>,
    mut requests: tokio::sync::mpsc::Receiver<ErasureRequest>,
) {
    while let Some(request) = requests.recv().await {
        if let Err(error) = privacy
            .erase_visitor(&request.site, &request.visitor, &Actor::visitor(), Trigger::Withdrawal)
            .await
        {
            tracing::warn!(%error, "erasure after a withdrawal failed; the sweep retries");
        }
    }
}

/// Finds withdrawals with erasure not yet done and does them, forever.
pub async fn sweep_forever(privacy: Arc<Privacy>) {
    loop {
        tokio::time::sleep(SWEEP_INTERVAL).await;
        match privacy.store.pending_erasures().await {
            Ok(pending) => {
                for erasure in pending {
                    if let Err(error) = privacy
                        .erase_visitor(&erasure.site, &erasure.visitor, &Actor::visitor(), Trigger::Sweep)
                        .await
                    {
                        tracing::warn!(%error, "pending erasure failed; retrying at the next sweep");
                    }
                }
            }
            Err(error) => tracing::warn!(%error, "cannot look for pending erasures"),
        }
    }
}

/// A withdrawal that names no visitor: keeps the consent revoked after its
/// visitor's rows are gone.
fn marker(site: &str, consent_id: &str, expires_at: u32) -> ConsentLogRow {
    let (at, at_ms) = now_parts();
    ConsentLogRow {
        site: site.to_owned(),
        consent_id: consent_id.to_owned(),
        visitor: String::new(),
        action: ConsentAction::Withdraw as i8,
        purposes: Vec::new(),
        cmp_framework: String::new(),
        cmp_proof: String::new(),
        erase: 1,
        key_id: String::new(),
        expires_at,
        at,
        at_ms,
    }
}

fn total(deleted: &DeletedRows) -> u64 {
    deleted.iter().map(|(_, rows)| rows).sum()
}

/// Unix seconds (as rows hold them) and milliseconds within them.
pub fn now_parts() -> (u32, u16) {
    let (secs, ms) = clock::now();
    (clock::clamp_u32(secs), ms)
}

/// 128 random bits as hex, for receipt ids. A receipt id is no secret:
/// without the OS generator a hash of the time is unique enough.
pub fn random_id() -> String {
    use rand::TryRngCore;
    let mut bytes = [0u8; 16];
    if rand::rngs::OsRng.try_fill_bytes(&mut bytes).is_err() {
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_nanos();
        bytes.copy_from_slice(&blake3::hash(&nanos.to_le_bytes()).as_bytes()[..16]);
    }
    hex::encode(bytes)
}
