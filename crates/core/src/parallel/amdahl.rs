//! Amdahl's law (a fixed problem on more workers: strong scaling), the
//! serial fraction that best explains measurements, and Gustafson's law (a
//! problem that grows with the workers: weak scaling).

/// The speedup on `workers` when a fraction `serial` of the work cannot be
/// split: 1 / (s + (1 - s) / n).
pub fn speedup(serial: f64, workers: f64) -> f64 {
    1.0 / (serial + (1.0 - serial) / workers)
}

/// Gustafson's scaled speedup on `workers` when the parallel part grows
/// with the workers and the serial part stays as it is, `serial` being
/// its share of one worker's run of the original problem: s + n (1 - s),
/// which is also how many times the work has grown (each worker still
/// does the original parallel part, so the time stays the same).
pub fn gustafson(serial: f64, workers: f64) -> f64 {
    serial + workers * (1.0 - serial)
}

/// The serial fraction in 0..=1 whose Amdahl curve is closest (least
/// squares) to measured `(workers, speedup)` points.
pub fn fit_serial_fraction(points: &[(f64, f64)]) -> f64 {
    let error = |serial: f64| -> f64 {
        points
            .iter()
            .map(|&(workers, measured)| (speedup(serial, workers) - measured).powi(2))
            .sum()
    };
    // The error is unimodal in the serial fraction: golden-section search.
    let (mut low, mut high) = (0.0f64, 1.0f64);
    let ratio = (5f64.sqrt() - 1.0) / 2.0;
    for _ in 0..100 {
        let a = high - ratio * (high - low);
        let b = low + ratio * (high - low);
        if error(a) <= error(b) {
            high = b;
        } else {
            low = a;
        }
    }
    (low + high) / 2.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gustafson_grows_linearly_where_amdahl_levels_off() {
        // 10 % serial: Amdahl tends to 10x; Gustafson gains 0.9 a worker.
        assert!((gustafson(0.1, 64.0) - 57.7).abs() < 1e-9);
        assert!(speedup(0.1, 64.0) < 10.0);
        assert_eq!(gustafson(0.0, 16.0), 16.0);
        assert_eq!(gustafson(1.0, 16.0), 1.0);
        assert_eq!(gustafson(0.25, 1.0), 1.0);
    }

    #[test]
    fn amdahl_limits() {
        assert_eq!(speedup(0.0, 8.0), 8.0);
        assert_eq!(speedup(1.0, 8.0), 1.0);
        assert!(
            (speedup(0.1, 1e12) - 10.0).abs() < 1e-6,
            "the serial part bounds the speedup"
        );
    }

    #[test]
    fn fitting_recovers_the_serial_fraction() {
        let points: Vec<(f64, f64)> = [1.0, 2.0, 4.0, 8.0, 16.0]
            .iter()
            .map(|&n| (n, speedup(0.12, n)))
            .collect();
        assert!((fit_serial_fraction(&points) - 0.12).abs() < 1e-6);
        assert!(fit_serial_fraction(&[(2.0, 2.0)]) < 1e-6);
        assert!(
            fit_serial_fraction(&[(2.0, 0.8)]) > 0.999,
            "slower than serial clamps to 1"
        );
    }
}
