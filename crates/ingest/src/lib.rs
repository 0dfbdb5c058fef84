//! The browser-facing HTTP handlers (SPEC §3 and §4): consent grants and
//! withdrawals, and batch ingest with its ordered checks (size, token,
//! decompression, decoding, purposes, masking, storage).
//!
//! The handlers are mounted by the `veil` server; this crate holds no
//! process-wide state of its own.

mod error;

pub use error::ApiError;
