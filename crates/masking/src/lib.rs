//! Server-side masking (SPEC §5): the second line of defence that removes
//! form values and personal data from rrweb events, whatever the recorder
//! claims to have masked already.
//!
//! Pure logic, no I/O: ingest and `veil mask` run exactly the same code.
