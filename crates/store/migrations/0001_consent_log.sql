-- The consent log (SPEC §3, §7): every grant and withdrawal, with the CMP's
-- proof, append-only. It is what an auditor asks for, so nothing here is
-- ever updated; a withdrawal is a new row. No IP address, no user agent.
CREATE TABLE IF NOT EXISTS consent_log (
    site String,
    consent_id String,
    visitor String,
    action Enum8('grant' = 1, 'withdraw' = 2),
    purposes Array(String),
    cmp_framework String,
    cmp_proof String,
    erase UInt8,
    key_id String,
    expires_at DateTime,
    at DateTime,
    at_ms UInt16
) ENGINE = MergeTree
PARTITION BY toYYYYMM(at)
ORDER BY (site, consent_id, at);
