//! Page-key normalisation of arbitrary URLs: an error or a key within the
//! length bound, and a key is its own page key (normalising is
//! idempotent, as the property tests check on generated URLs).
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use veil_aggregation::{MAX_PAGE_KEY_LEN, PageKeyRules, page_key};

static RULES: LazyLock<PageKeyRules> = LazyLock::new(PageKeyRules::default);

fuzz_target!(|data: &[u8]| {
    let Ok(url) = std::str::from_utf8(data) else { return };
    let rules = &*RULES;
    if let Ok(key) = page_key(url, rules) {
        assert!(key.len() <= MAX_PAGE_KEY_LEN, "{} bytes", key.len());
        assert_eq!(page_key(&key, rules).as_deref(), Ok(key.as_str()), "{url:?} -> {key}");
    }
});
