//! The checkout fixtures and the site rules they were written for, shared
//! by the structural and snapshot tests.

use veil_masking::{MaskingRules, SiteRules};

/// A fixture file's bytes.
pub fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// The fixture site's rules: `.secret` blocked, `.help` text not scanned.
pub fn rules() -> MaskingRules {
    MaskingRules::new(SiteRules {
        block_selectors: vec![".secret".into()],
        unmask_selectors: vec![".help".into()],
        ..SiteRules::default()
    })
    .unwrap()
}
