//! `veil token mint`: a consent token for tests and server-side
//! integrations, signed exactly as `/v1/consent` signs. It does not write
//! the consent log: whoever mints by hand answers for the consent.

use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context, anyhow, bail};
use rand::TryRngCore;
use rand::rngs::OsRng;
use veil_consent::{ClaimsInput, ConsentId, Purposes, SiteId, VisitorId};

use crate::config::Config;

/// Mints a token for `site` and `purposes`, refusing what `/v1/consent`
/// would refuse (unknown site, purpose the site has not enabled).
pub fn mint(
    config: &Config,
    site: &str,
    purposes: &[String],
    ttl: Option<Duration>,
    visitor: Option<&str>,
) -> anyhow::Result<String> {
    let keyring =
        config.keyring().ok_or_else(|| anyhow!("`consent.keys`: no usable signing key is configured"))?;
    let site_config = config
        .sites
        .iter()
        .find(|s| s.id == site)
        .ok_or_else(|| anyhow!("--site: site `{site}` is not configured"))?;
    let requested = Purposes::from_names(purposes.iter().map(String::as_str)).context("--purposes")?;
    let enabled =
        Purposes::from_names(site_config.purposes.iter().map(String::as_str)).context("site purposes")?;
    if requested.is_empty() {
        bail!("--purposes: at least one purpose is needed");
    }
    if !requested.is_subset(enabled) {
        bail!("--purposes: site `{site}` enables only {:?}", site_config.purposes);
    }
    let visitor = match visitor {
        Some(visitor) => VisitorId::from_str(visitor).context("--visitor")?,
        None => {
            let mut bytes = [0u8; 16];
            OsRng.try_fill_bytes(&mut bytes).map_err(|e| anyhow!("reading the OS random generator: {e}"))?;
            VisitorId::from_str(&hex::encode(bytes)).context("random visitor id")?
        }
    };
    let issued_at =
        SystemTime::now().duration_since(UNIX_EPOCH).context("system clock before 1970")?.as_secs();
    Ok(keyring.mint(ClaimsInput {
        site: SiteId::from_str(site).context("--site")?,
        consent_id: ConsentId::generate(),
        visitor,
        purposes: requested,
        issued_at,
        ttl: ttl.unwrap_or(config.consent.token_ttl),
    }))
}
