//! `veil apikey create`: a new API key and the config entry that admits it.
//! Only the hash goes into the configuration, so a leaked config file does
//! not leak keys.

use rand::TryRngCore;
use rand::rngs::OsRng;

use crate::config::Role;

/// Prefix that makes Veil keys recognisable to secret scanners.
const PREFIX: &str = "veil_";

/// A new key (256 random bits) and its `[[api_keys]]` entry.
pub fn create(name: &str, role: Role) -> anyhow::Result<String> {
    if name.trim().is_empty() {
        anyhow::bail!("--name must not be empty");
    }
    let mut bytes = [0u8; 32];
    OsRng.try_fill_bytes(&mut bytes).map_err(|e| anyhow::anyhow!("reading the OS random generator: {e}"))?;
    let key = format!("{PREFIX}{}", hex::encode(bytes));
    let role = role.as_str();
    // A JSON string literal is a valid TOML basic string.
    let name = serde_json::to_string(name)?;
    Ok(format!("{key}\n\n[[api_keys]]\nname = {name}\nrole = \"{role}\"\nhash = \"{}\"\n", hash(&key)))
}

/// `blake3:` and the hex BLAKE3 of the key's UTF-8 bytes (SPEC §2).
pub fn hash(key: &str) -> String {
    format!("blake3:{}", blake3::hash(key.as_bytes()).to_hex())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_holds_the_hash_of_the_printed_key_and_parses_as_config() {
        let out = create("alice \"the analyst\"", Role::Analyst).expect("created");
        let (key, entry) = out.split_once('\n').expect("key on the first line");
        assert!(key.starts_with(PREFIX) && key.len() == PREFIX.len() + 64, "{key}");
        assert!(!entry.contains(key), "the key itself must not be in the entry");
        let config = crate::config::from_toml(entry).expect("entry is valid config");
        assert_eq!(config.api_keys[0].name, "alice \"the analyst\"");
        assert_eq!(config.api_keys[0].role, Role::Analyst);
        assert_eq!(config.api_keys[0].hash, hash(key));
    }

    #[test]
    fn two_keys_differ() {
        assert_ne!(create("a", Role::Admin).expect("a"), create("a", Role::Admin).expect("b"));
    }
}
