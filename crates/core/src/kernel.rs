//! A CPU-bound kernel for measuring real parallel speedup.
//!
//! Each item runs a chain of integer mixing rounds from its own seed; the
//! results are summed with wrapping addition, so the checksum is the same in
//! any order and for any split into chunks or workers. No allocation: safe
//! to run in hot parallel loops under wasm atomics.

use std::ops::Range;

/// Items the Parallel panel runs by default.
pub const DEFAULT_ITEMS: u64 = 4_000_000;
/// Mixing rounds per item by default.
pub const DEFAULT_ROUNDS: u32 = 64;

/// The hash chain of one item: `rounds` rounds of a 64-bit mixer.
#[inline]
pub fn hash_chain(item: u64, rounds: u32) -> u64 {
    let mut x = item ^ 0x9E37_79B9_7F4A_7C15;
    for _ in 0..rounds {
        x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
        x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        x ^= x >> 31;
    }
    x
}

/// The checksum of a range of items, computed sequentially.
pub fn checksum(items: Range<u64>, rounds: u32) -> u64 {
    items.fold(0u64, |sum, item| sum.wrapping_add(hash_chain(item, rounds)))
}

/// Combines checksums of disjoint ranges.
pub fn combine(a: u64, b: u64) -> u64 {
    a.wrapping_add(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksum_is_the_same_for_any_split() {
        let whole = checksum(0..10_000, 16);
        let split = combine(checksum(0..3_333, 16), checksum(3_333..10_000, 16));
        assert_eq!(whole, split);
        let chunks = (0..10).fold(0, |sum, chunk| {
            combine(sum, checksum(chunk * 1000..(chunk + 1) * 1000, 16))
        });
        assert_eq!(whole, chunks);
    }

    #[test]
    fn different_rounds_give_different_checksums() {
        assert_ne!(checksum(0..100, 1), checksum(0..100, 2));
    }
}
