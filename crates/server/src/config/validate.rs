//! Checks that need more than parsing: formats of ids, secrets and hashes,
//! uniqueness, ranges, regexes, origins. Every problem is reported (not
//! only the first) with the key it concerns.

use std::collections::HashSet;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use veil_consent::{KeyId, Keyring, Purposes, SecretKey, SigningKey, SiteId};

use super::Config;

/// One invalid value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    /// Dotted key with list indices (`sites[1].origins[0]`).
    pub key: String,
    /// What is wrong, never the (possibly secret) value itself.
    pub reason: String,
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}`: {}", self.key, self.reason)
    }
}

/// The longest retention we accept: ten years; beyond that it is a typo.
const MAX_RETENTION_DAYS: u32 = 3650;

#[derive(Default)]
struct Problems(Vec<ValidationError>);

impl Problems {
    fn add(&mut self, key: impl Into<String>, reason: impl Into<String>) {
        self.0.push(ValidationError { key: key.into(), reason: reason.into() });
    }
    fn check(&mut self, ok: bool, key: impl Into<String>, reason: impl Into<String>) {
        if !ok {
            self.add(key, reason);
        }
    }
}

impl Config {
    /// Checks every value; returns all problems found.
    pub fn validate(&self) -> Result<(), Vec<ValidationError>> {
        let mut problems = Problems::default();
        self.validate_server(&mut problems);
        self.validate_clickhouse(&mut problems);
        self.validate_consent(&mut problems);
        self.validate_ingest(&mut problems);
        self.validate_sites(&mut problems);
        self.validate_api_keys(&mut problems);
        if problems.0.is_empty() { Ok(()) } else { Err(problems.0) }
    }

    /// What `serve` needs beyond a valid file: something to sign tokens
    /// with and a site to record.
    pub fn validate_for_serving(&self) -> Result<(), Vec<ValidationError>> {
        let mut problems = Problems::default();
        problems.check(
            self.consent.keys.iter().any(|key| !key.retired),
            "consent.keys",
            "at least one key that is not retired is needed to sign consent tokens \
             (`veil keys generate` prints one)",
        );
        problems.check(!self.sites.is_empty(), "sites", "at least one [[sites]] entry is needed");
        if problems.0.is_empty() { Ok(()) } else { Err(problems.0) }
    }

    /// The consent keyring; `None` when no key is usable (validation
    /// reports why).
    pub fn keyring(&self) -> Option<Keyring> {
        let keys = self.consent.keys.iter().map(|key| {
            Some(SigningKey {
                id: KeyId::from_str(&key.id).ok()?,
                secret: SecretKey::from_str(&key.secret).ok()?,
                retired: key.retired,
            })
        });
        Keyring::new(keys.collect::<Option<Vec<_>>>()?).ok()
    }

    fn validate_server(&self, problems: &mut Problems) {
        problems.check(self.server.workers <= 1024, "server.workers", "must be at most 1024");
        problems.check(
            !self.server.shutdown_timeout.is_zero(),
            "server.shutdown_timeout",
            "must be greater than zero",
        );
        for (key, timeout) in [
            ("server.header_read_timeout", self.server.header_read_timeout),
            ("server.body_read_timeout", self.server.body_read_timeout),
        ] {
            problems.check(
                (std::time::Duration::from_millis(100)..=std::time::Duration::from_secs(3600))
                    .contains(&timeout),
                key,
                "must be between 100ms and 1h",
            );
        }
        if let Err(error) =
            veil_ingest::client::TrustedProxies::parse(self.server.trusted_proxies.iter().map(String::as_str))
        {
            problems.add("server.trusted_proxies", error.to_string());
        }
        if let Some(id) = &self.server.demo_site {
            match self.sites.iter().find(|site| &site.id == id) {
                None => {
                    problems.add("server.demo_site", format!("names site `{id}`, which is not configured"))
                }
                Some(site) if site.origins.is_empty() => problems
                    .add("server.demo_site", format!("site `{id}` has no origins to serve the demo on")),
                Some(_) => {}
            }
        }
    }

    fn validate_clickhouse(&self, problems: &mut Problems) {
        if let Err(veil_store::StoreError::InvalidOption { key, reason }) = self.connect_options().validate()
        {
            problems.add(format!("clickhouse.{key}"), reason);
        }
        let ch = &self.clickhouse;
        for (key, value) in [("probe_interval", ch.probe_interval), ("probe_timeout", ch.probe_timeout)] {
            problems.check(!value.is_zero(), format!("clickhouse.{key}"), "must be greater than zero");
        }
    }

    fn validate_consent(&self, problems: &mut Problems) {
        let ttl = self.consent.token_ttl;
        problems.check(
            ttl >= Duration::from_secs(60)
                && ttl <= Duration::from_secs(u64::from(MAX_RETENTION_DAYS) * 86_400),
            "consent.token_ttl",
            "must be between 1 minute and 3650 days",
        );
        let mut ids = HashSet::new();
        for (i, key) in self.consent.keys.iter().enumerate() {
            let at = format!("consent.keys[{i}]");
            if let Err(error) = KeyId::from_str(&key.id) {
                problems.add(format!("{at}.id"), error.to_string());
            }
            problems.check(ids.insert(&key.id), format!("{at}.id"), "is listed more than once");
            if let Err(error) = SecretKey::from_str(&key.secret) {
                problems.add(format!("{at}.secret"), error.to_string());
            }
        }
    }

    fn validate_ingest(&self, problems: &mut Problems) {
        let ingest = &self.ingest;
        let sizes = [
            ("ingest.max_body_bytes", ingest.max_body_bytes),
            ("ingest.max_decompressed_bytes", ingest.max_decompressed_bytes),
            ("ingest.max_consent_body_bytes", ingest.max_consent_body_bytes),
            ("ingest.max_stored_batch_bytes", ingest.max_stored_batch_bytes),
        ];
        for (key, value) in sizes {
            problems.check((1024..=1 << 30).contains(&value), key, "must be between 1 KiB and 1 GiB");
        }
        // A batch at the decompressed limit must fit its own request's
        // memory (body, decompressed copy, a tree a few times larger).
        problems.check(
            ingest.max_request_memory_bytes >= ingest.max_decompressed_bytes.saturating_mul(2),
            "ingest.max_request_memory_bytes",
            "must be at least 2 × ingest.max_decompressed_bytes (a decoded batch is larger than its body)",
        );
        problems.check(
            ingest.max_stored_batch_bytes <= crate::replay::MAX_PAYLOAD_BYTES,
            "ingest.max_stored_batch_bytes",
            "must be at most 64 MiB (what replay reads of one stored batch)",
        );
        problems.check(
            ingest.memory_budget_bytes >= ingest.max_request_memory_bytes,
            "ingest.memory_budget_bytes",
            "must be at least ingest.max_request_memory_bytes (one request must fit)",
        );
        problems.check(
            ingest.max_decompressed_bytes >= ingest.max_body_bytes,
            "ingest.max_decompressed_bytes",
            "must be at least ingest.max_body_bytes",
        );
        problems.check(
            ingest.rate_limit_per_second == 0 || ingest.rate_limit_burst >= 1,
            "ingest.rate_limit_burst",
            "must be at least 1 when a rate is set",
        );
        problems.check(
            ingest.session_idle_timeout >= std::time::Duration::from_secs(1),
            "ingest.session_idle_timeout",
            "must be at least 1s (below, masking forgets every session between its batches)",
        );
        let compaction = &self.compaction;
        problems.check(
            compaction.session_timeout >= std::time::Duration::from_secs(1),
            "compaction.session_timeout",
            "must be at least 1s",
        );
        problems.check(
            compaction.interval >= std::time::Duration::from_secs(1),
            "compaction.interval",
            "must be at least 1s",
        );
        problems.check(compaction.sessions_per_run >= 1, "compaction.sessions_per_run", "must be at least 1");
        problems.check(
            compaction.quality <= veil_archive::MAX_QUALITY,
            "compaction.quality",
            "must be between 0 and 11",
        );
        problems.check(compaction.chunk_min_bytes >= 64, "compaction.chunk_min_bytes", "must be at least 64");
        let queue = &self.queue;
        problems.check(!queue.dir.as_os_str().is_empty(), "queue.dir", "must not be empty");
        problems.check(queue.max_bytes >= 16 * 1024 * 1024, "queue.max_bytes", "must be at least 16 MiB");
        problems.check(
            queue.max_bytes >= 2 * ingest.max_decompressed_bytes as u64,
            "queue.max_bytes",
            "must hold at least two of the largest batches (2 × ingest.max_decompressed_bytes)",
        );
        problems.check(!queue.ship_interval.is_zero(), "queue.ship_interval", "must be greater than zero");
        problems.check(
            !self.consent.revocation_poll_interval.is_zero(),
            "consent.revocation_poll_interval",
            "must be greater than zero",
        );
    }

    fn validate_sites(&self, problems: &mut Problems) {
        let mut ids = HashSet::new();
        for (i, site) in self.sites.iter().enumerate() {
            let at = format!("sites[{i}]");
            if let Err(error) = SiteId::from_str(&site.id) {
                problems.add(format!("{at}.id"), error.to_string());
            }
            problems.check(ids.insert(&site.id), format!("{at}.id"), "is listed more than once");
            problems.check(
                !site.origins.is_empty(),
                format!("{at}.origins"),
                "at least one origin is needed: browsers of no other origin may send data",
            );
            for (j, origin) in site.origins.iter().enumerate() {
                if let Err(reason) = check_origin(origin) {
                    problems.add(format!("{at}.origins[{j}]"), reason);
                }
            }
            match Purposes::from_names(site.purposes.iter().map(String::as_str)) {
                Ok(purposes) => problems.check(
                    !purposes.is_empty(),
                    format!("{at}.purposes"),
                    "at least one purpose is needed",
                ),
                Err(error) => problems.add(format!("{at}.purposes"), error.to_string()),
            }
            for (key, days) in [
                ("retention_days", site.retention_days),
                ("heatmap_retention_days", site.heatmap_retention_days),
            ] {
                problems.check(
                    (1..=MAX_RETENTION_DAYS).contains(&days),
                    format!("{at}.{key}"),
                    format!("must be between 1 and {MAX_RETENTION_DAYS}"),
                );
            }
            problems.check(site.k_min >= 1, format!("{at}.k_min"), "must be at least 1");
            if let Some(Err(error)) = site.user_id_secret.as_deref().map(SecretKey::from_str) {
                problems.add(format!("{at}.user_id_secret"), error.to_string());
            }
            self.validate_masking(i, problems);
            let page_keys = &site.page_keys;
            for (j, param) in page_keys.allowed_params.iter().enumerate() {
                problems.check(
                    !param.trim().is_empty(),
                    format!("{at}.page_keys.allowed_params[{j}]"),
                    "must not be empty",
                );
            }
            let groups = page_keys.groups.iter().map(|g| (g.regex.clone(), g.key.clone())).collect();
            if let Err(error) = veil_aggregation::PageKeyRules::new(page_keys.allowed_params.clone(), groups)
            {
                problems.add(format!("{at}.page_keys"), error.to_string());
            }
            if let Err(error) =
                veil_aggregation::segment::SegmentRules::new(site.segments.utm_parameters.clone())
            {
                problems.add(format!("{at}.segments.utm_parameters"), error.to_string());
            }
            for (j, group) in page_keys.groups.iter().enumerate() {
                if let Err(error) = regex::RegexBuilder::new(&group.regex).size_limit(1 << 20).build() {
                    problems.add(format!("{at}.page_keys.groups[{j}].regex"), last_line(&error.to_string()));
                }
                problems.check(
                    group.key.starts_with('/') || group.key.contains("://"),
                    format!("{at}.page_keys.groups[{j}].key"),
                    "must be a page key: a path starting with / or a URL",
                );
            }
        }
    }

    fn validate_masking(&self, site: usize, problems: &mut Problems) {
        let masking = &self.sites[site].masking;
        let at = format!("sites[{site}].masking");
        // The masking crate is the judge of selectors and patterns; its
        // errors name the entry.
        if let Err(error) = self.sites[site].masking_rules() {
            problems.add(at.clone(), error.to_string());
        }
        let mut names = HashSet::new();
        for (i, pattern) in masking.patterns.iter().enumerate() {
            let name_ok = !pattern.name.is_empty()
                && pattern.name.len() <= 64
                && pattern.name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            problems.check(name_ok, format!("{at}.patterns[{i}].name"), "must be 1 to 64 of a-z, 0-9, '_'");
            problems.check(
                names.insert(&pattern.name),
                format!("{at}.patterns[{i}].name"),
                "is listed more than once",
            );
            if let Err(error) = regex::RegexBuilder::new(&pattern.regex).size_limit(1 << 20).build() {
                problems.add(format!("{at}.patterns[{i}].regex"), last_line(&error.to_string()));
            }
        }
        for (key, list) in
            [("block_selectors", &masking.block_selectors), ("unmask_selectors", &masking.unmask_selectors)]
        {
            for (i, selector) in list.iter().enumerate() {
                problems.check(!selector.trim().is_empty(), format!("{at}.{key}[{i}]"), "must not be empty");
            }
        }
        for (i, attribute) in masking.scrub_attributes.iter().enumerate() {
            let ok = !attribute.is_empty()
                && attribute
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b':');
            problems.check(ok, format!("{at}.scrub_attributes[{i}]"), "must be an attribute name");
        }
        for (i, detector) in masking.detectors.iter().enumerate() {
            if veil_masking::Builtin::opt_in_by_name(detector).is_none() {
                let names: Vec<&str> = veil_masking::Builtin::OPT_IN.iter().map(|b| b.rule_name()).collect();
                problems.add(format!("{at}.detectors[{i}]"), format!("must be one of {}", names.join(", ")));
            }
        }
    }

    fn validate_api_keys(&self, problems: &mut Problems) {
        let mut names = HashSet::new();
        let mut hashes = HashSet::new();
        for (i, key) in self.api_keys.iter().enumerate() {
            let at = format!("api_keys[{i}]");
            problems.check(!key.name.trim().is_empty(), format!("{at}.name"), "must not be empty");
            problems.check(names.insert(&key.name), format!("{at}.name"), "is listed more than once");
            let hash_ok = key.hash.strip_prefix("blake3:").is_some_and(|hex| {
                hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            });
            problems.check(
                hash_ok,
                format!("{at}.hash"),
                "must be `blake3:` and 64 lowercase hex digits (`veil apikey create` prints one)",
            );
            problems.check(hashes.insert(&key.hash), format!("{at}.hash"), "is listed more than once");
        }
    }

    /// The `[clickhouse]` section as the store takes it.
    pub fn connect_options(&self) -> veil_store::ConnectOptions {
        veil_store::ConnectOptions {
            url: self.clickhouse.url.clone(),
            database: self.clickhouse.database.clone(),
            user: self.clickhouse.user.clone(),
            password: self.clickhouse.password.clone(),
            request_timeout: self.clickhouse.request_timeout,
            cluster: self.clickhouse.cluster.clone(),
            shard_urls: self.clickhouse.shard_urls.clone(),
        }
    }
}

impl super::SiteConfig {
    /// The key of linked user id hashes, when configured (validation
    /// already refused a malformed one).
    pub fn user_id_key(&self) -> Option<[u8; 32]> {
        let secret = SecretKey::from_str(self.user_id_secret.as_deref()?).ok()?;
        Some(*secret.as_bytes())
    }

    /// The site's masking rules, built by the masking crate (which also
    /// validates them).
    pub fn masking_rules(&self) -> Result<veil_masking::MaskingRules, veil_masking::RuleError> {
        let masking = &self.masking;
        veil_masking::MaskingRules::new(veil_masking::SiteRules {
            patterns: masking.patterns.iter().map(|p| (p.name.clone(), p.regex.clone())).collect(),
            block_selectors: masking.block_selectors.clone(),
            unmask_selectors: masking.unmask_selectors.clone(),
            scrub_attributes: masking.scrub_attributes.clone(),
            detectors: masking.detectors.clone(),
        })
    }
}

/// An origin is what browsers send in `Origin`: scheme, host, optional
/// port, nothing else.
fn check_origin(origin: &str) -> Result<(), String> {
    let url = url::Url::parse(origin).map_err(|e| format!("not a URL ({e})"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("must start with http:// or https://".into());
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("must name a host".into());
    }
    let bare = url.path() == "/" && url.query().is_none() && url.fragment().is_none();
    if !bare || origin.ends_with('/') || !url.username().is_empty() {
        return Err("must be scheme://host[:port] only, without path, query or trailing slash".into());
    }
    Ok(())
}

/// The regex crate's errors span lines with a caret diagram; the last line
/// holds the reason.
fn last_line(text: &str) -> String {
    text.lines().rfind(|l| !l.trim().is_empty()).unwrap_or(text).trim().to_owned()
}
