//! One module per command of the `veil` binary.

pub mod apikey;
pub mod demo;
pub mod keys;
pub mod mask;
pub mod migrate;
pub mod serve;
pub mod token;
