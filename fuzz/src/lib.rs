//! What the fuzz targets share (see [`harness`]).

pub mod harness;

pub use harness::{NOW, SITE, claims, keyring};
