//! Fuzzes the share-link decoder: any text, with and without the `v1.`
//! prefix, must decode to a valid lab or a `LinkError`, never panic, and a
//! decoded lab must encode and decode to itself.
#![no_main]

use interleave_core::share::{Fragment, decode, encode};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = Fragment::parse(text);
    for candidate in [text.to_owned(), format!("v1.{text}")] {
        if let Ok(state) = decode(&candidate) {
            assert_eq!(decode(&encode(&state)).as_ref(), Ok(&state));
        }
    }
});
