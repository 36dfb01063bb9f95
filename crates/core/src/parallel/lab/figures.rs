//! The Parallel lab's figures, computed from its measured runs: the
//! speedup table with Amdahl's bound, the points the chart draws, the
//! serial fraction that fits them, the prediction past this machine, and
//! the weak-scaling table beside Gustafson's law.

use super::{Measured, ParallelLab, WORKER_CEILING};
use crate::parallel::amdahl;

/// One line of the speedup table.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub workers: usize,
    pub millis: f64,
    /// Against the one-worker run, when there is one.
    pub speedup: Option<f64>,
    /// Speedup per worker.
    pub efficiency: Option<f64>,
    /// What Amdahl's law allows with the spec's serial part.
    pub amdahl: f64,
    pub checksum: u64,
}

/// The speedup table of `runs` of a kernel with `serial_fraction`.
pub fn rows(runs: &[Measured], serial_fraction: f64) -> Vec<Row> {
    let base = base_millis(runs);
    runs.iter()
        .map(|run| {
            let speedup = base.map(|base| run.speedup(base));
            Row {
                workers: run.workers,
                millis: run.millis,
                speedup,
                efficiency: speedup.map(|s| s / run.workers as f64),
                amdahl: amdahl::speedup(serial_fraction, run.workers as f64),
                checksum: run.checksum,
            }
        })
        .collect()
}

pub(crate) fn base_millis(runs: &[Measured]) -> Option<f64> {
    runs.iter()
        .find(|run| run.workers == 1)
        .map(|run| run.millis)
}

/// `(workers, speedup)` of every run, when there is a one-worker run.
pub fn points(runs: &[Measured]) -> Vec<(usize, f64)> {
    match base_millis(runs) {
        Some(base) => runs
            .iter()
            .map(|run| (run.workers, run.speedup(base)))
            .collect(),
        None => Vec::new(),
    }
}

/// The serial fraction that best explains the runs (two points at least).
pub fn fitted(runs: &[Measured]) -> Option<f64> {
    let points = points(runs);
    (points.len() >= 2).then(|| {
        amdahl::fit_serial_fraction(
            &points
                .iter()
                .map(|&(n, s)| (n as f64, s))
                .collect::<Vec<_>>(),
        )
    })
}

/// What the measurements predict past the workers measured, up to
/// [`WORKER_CEILING`]: Amdahl's law with the fitted serial fraction. It
/// assumes each added core is as fast as the measured ones and that the
/// serial part, and the overheads the fit absorbs into it, stay as they
/// were measured; a measured point replaces a predicted one, since the
/// prediction starts after the most workers measured.
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    pub serial_fraction: f64,
    /// The most workers measured: the prediction starts there.
    pub from: usize,
    pub to: usize,
    /// (workers, predicted speedup) at the powers of two past `from`, and `to`.
    pub points: Vec<(usize, f64)>,
}

/// The prediction past the runs, if they fit a serial fraction and stop
/// short of the ceiling.
pub fn prediction(runs: &[Measured]) -> Option<Prediction> {
    let serial_fraction = fitted(runs)?;
    let from = runs.iter().map(|run| run.workers).max()?;
    let to = WORKER_CEILING;
    if from >= to {
        return None;
    }
    let mut counts: Vec<usize> = std::iter::successors(Some(1usize), |n| Some(n * 2))
        .skip_while(|n| *n <= from)
        .take_while(|n| *n < to)
        .collect();
    counts.push(to);
    Some(Prediction {
        serial_fraction,
        from,
        to,
        points: counts
            .into_iter()
            .map(|n| (n, amdahl::speedup(serial_fraction, n as f64)))
            .collect(),
    })
}

/// Whether every run computed the same result.
pub fn checksums_match(runs: &[Measured]) -> bool {
    runs.windows(2)
        .all(|pair| pair[0].checksum == pair[1].checksum)
}

/// The fastest speedup measured, and on how many workers.
pub fn best(runs: &[Measured]) -> Option<(usize, f64)> {
    points(runs)
        .into_iter()
        .filter(|&(n, _)| n > 1)
        .max_by(|a, b| a.1.total_cmp(&b.1))
}

/// One row of the weak-scaling table.
#[derive(Debug, Clone, PartialEq)]
pub struct WeakRow {
    pub workers: usize,
    /// The grown problem's size.
    pub size: u64,
    pub millis: f64,
    /// g x the one-worker time over this time: how much more work per
    /// unit of time than one worker on the original problem.
    pub scaled_speedup: f64,
    /// Gustafson's g = s + n (1 - s), also how much the work grew.
    pub gustafson: f64,
}

impl ParallelLab {
    /// The weak-scaling table, once there is a one-worker run to compare
    /// with.
    pub fn weak_rows(&self) -> Vec<WeakRow> {
        let Some(base) = self.weak.iter().find(|run| run.workers == 1) else {
            return Vec::new();
        };
        self.weak
            .iter()
            .filter_map(|run| {
                let grown = self.spec.scaled(run.workers).ok()?;
                let gustafson = amdahl::gustafson(self.spec.serial_fraction, run.workers as f64);
                Some(WeakRow {
                    workers: run.workers,
                    size: grown.size,
                    millis: run.millis,
                    scaled_speedup: gustafson * base.millis / run.millis.max(0.001),
                    gustafson,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parallel::lab::tests::measured;

    #[test]
    fn past_the_machine_the_fitted_law_predicts_and_says_from_where() {
        // Two workers measured at 1.6x: a serial fraction of 1/4, by hand
        // (1 / (s + (1 - s) / 2) = 1.6).
        let run = measured;
        let runs = [run(1, 160.0), run(2, 100.0)];
        let predicted = prediction(&runs).unwrap();
        assert!((predicted.serial_fraction - 0.25).abs() < 1e-9);
        assert_eq!((predicted.from, predicted.to), (2, WORKER_CEILING));
        let counts: Vec<usize> = predicted.points.iter().map(|p| p.0).collect();
        assert_eq!(counts, [4, 8, 16, 32, 64]);
        // At 64: 1 / (0.25 + 0.75 / 64) = 3.82, near the 4x limit.
        assert!((predicted.points[4].1 - 1.0 / (0.25 + 0.75 / 64.0)).abs() < 1e-9);
        assert_eq!(prediction(&runs[..1]), None, "one point fits nothing");
        let many = [run(1, 640.0), run(64, 20.0)];
        assert_eq!(
            prediction(&many),
            None,
            "measured to the ceiling: nothing to predict"
        );
    }

    #[test]
    fn the_table_fit_and_checksums_follow_amdahl() {
        // Runs that follow Amdahl's law with a 10 % serial part exactly.
        let serial = 0.1;
        let runs: Vec<Measured> = [1, 2, 4, 8]
            .iter()
            .map(|&n| measured(n, 800.0 / amdahl::speedup(serial, n as f64)))
            .collect();
        let table = rows(&runs, serial);
        let eight = table.last().unwrap();
        // 1 / (0.1 + 0.9 / 8) = 4.7059
        assert!((eight.speedup.unwrap() - 4.7059).abs() < 1e-3, "{eight:?}");
        assert!((eight.efficiency.unwrap() - 4.7059 / 8.0).abs() < 1e-3);
        assert!((eight.amdahl - eight.speedup.unwrap()).abs() < 1e-9);
        assert!((fitted(&runs).unwrap() - serial).abs() < 1e-6);
        assert_eq!(best(&runs).map(|(n, _)| n), Some(8));
        assert!(checksums_match(&runs));
        let mut differing = runs.clone();
        differing[2].checksum = 8;
        assert!(!checksums_match(&differing));
        // Without a one-worker run there is no speedup to show.
        assert_eq!(rows(&runs[1..], serial)[0].speedup, None);
        assert_eq!(fitted(&runs[1..]), None);
    }
}
