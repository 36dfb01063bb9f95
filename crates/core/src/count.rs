//! Counts that can overflow. The explorer adds up schedules with
//! saturating arithmetic (a handful of looping threads has more than
//! 2^64 of them), so a count that reached `u64::MAX` is a floor: the true
//! number is more than that, and it is never shown as a number.

/// The value a saturated count holds.
pub const SATURATED: u64 = u64::MAX;

/// Whether `count` saturated (its true value is more than it).
pub fn saturated(count: u64) -> bool {
    count == SATURATED
}

/// `42`, or `more than 1.8 × 10^19` for a count that saturated.
pub fn text(count: u64) -> String {
    if saturated(count) {
        "more than 1.8 × 10^19".to_owned()
    } else {
        count.to_string()
    }
}

/// `1 schedule`, `42 schedules`, `more than 1.8 × 10^19 schedules`.
pub fn counted(count: u64, one: &str, many: &str) -> String {
    format!("{} {}", text(count), if count == 1 { one } else { many })
}

/// `part` as a share of `whole` in `0..=scale`, without overflow (a
/// histogram bar's length).
pub fn share(part: u64, whole: u64, scale: u64) -> u64 {
    if whole == 0 {
        return 0;
    }
    ((u128::from(part) * u128::from(scale)).div_ceil(u128::from(whole))) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_saturated_count_is_never_a_number() {
        assert_eq!(text(18), "18");
        assert_eq!(text(u64::MAX), "more than 1.8 × 10^19");
        assert_eq!(counted(1, "schedule", "schedules"), "1 schedule");
        assert_eq!(
            counted(u64::MAX, "interleaving", "interleavings"),
            "more than 1.8 × 10^19 interleavings"
        );
        // 1.8 × 10^19 is below the floor, so "more than" is true.
        assert!(1.8e19 < u64::MAX as f64);
        assert_eq!(share(u64::MAX, u64::MAX, 30), 30);
        assert_eq!(share(1, 3, 30), 10);
        assert_eq!(share(5, 0, 30), 0);
    }
}
