//! Lenient deserializers for values that arrive through environment
//! variables, where `VEIL_CLICKHOUSE__PASSWORD=1234` is read as a number.

use serde::{Deserialize, Deserializer};

#[derive(Deserialize)]
#[serde(untagged)]
enum Scalar {
    Str(String),
    Int(i64),
    UInt(u64),
    Float(f64),
    Bool(bool),
}

/// A string, also when the source typed it as a number or boolean.
pub fn string<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    Ok(match Scalar::deserialize(deserializer)? {
        Scalar::Str(s) => s,
        Scalar::Int(n) => n.to_string(),
        Scalar::UInt(n) => n.to_string(),
        Scalar::Float(n) => n.to_string(),
        Scalar::Bool(b) => b.to_string(),
    })
}
