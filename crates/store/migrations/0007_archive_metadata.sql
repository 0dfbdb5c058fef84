-- Columns of `recording_archives` nothing reads: the session index holds a
-- session's times and counts, and an archive's own header its batches.
-- On ClickHouse 18.16 each column of a part costs about 130 bytes on disk
-- besides its data (its files, marks and checksums), a tenth of a short
-- visit's archive. The runner skips a drop whose column is already gone.
ALTER TABLE recording_archives DROP COLUMN first_ts;
ALTER TABLE recording_archives DROP COLUMN last_ts;
ALTER TABLE recording_archives DROP COLUMN event_count;
ALTER TABLE recording_archives DROP COLUMN json_bytes;
