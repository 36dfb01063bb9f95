//! Interleave browser app (placeholder while the core is built).
fn main() {}
