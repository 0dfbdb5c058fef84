-- Console logouts (issue 17): a console cookie names a session id, and a
-- logout records it here so every node refuses the cookie, not only the
-- one that answered the logout. Rows are needed until the cookie would
-- have expired anyway (`expires_at`); partitions by expiry week let
-- retention drop them whole. No key, no address: the session id is random.
CREATE TABLE IF NOT EXISTS console_logouts (
    session_id String,
    expires_at DateTime,
    at DateTime
) ENGINE = MergeTree
PARTITION BY toMonday(toDate(expires_at))
ORDER BY session_id;
