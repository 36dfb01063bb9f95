//! A placeholder: the codegen test writes the generated programs next to
//! it as `src/bin/*.rs`.
fn main() {}
