//! Prints the schema catalog (migrations and probes) as JSON.
fn main() {
    println!("{}", serde_json::to_string_pretty(&veil_store::probe::catalog()).unwrap_or_default());
}
