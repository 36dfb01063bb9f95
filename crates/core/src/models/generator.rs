//! Seeded workload generator: N tasks from a pattern of segments whose
//! durations follow distributions. Same spec, same tasks, natively and in
//! wasm (the RNG is PCG; the exponential distribution uses libm).

use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, Exp};
use rand_pcg::Pcg64Mcg;
use serde::{Deserialize, Serialize};

use crate::error::ScenarioError;
use crate::models::task::{
    MAX_DURATION, MAX_SEGMENTS_PER_TASK, MAX_TASKS, Segment, TaskSpec, Time, WaitKind,
};

/// `"generate": {"tasks": 1000, "seed": 7, "arrival": {"poisson": 5},
/// "segments": [{"compute": {"uniform": [1, 10]}}, {"wait": {"exponential": 40}, "on": "database"}]}`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Generator {
    pub tasks: usize,
    #[serde(default)]
    pub seed: u64,
    /// Default: every task arrives at 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arrival: Option<Arrival>,
    pub segments: Vec<SegmentPattern>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Arrival {
    /// A task every N time units.
    Every(Time),
    /// Poisson arrivals: exponential gaps with this mean.
    Poisson(f64),
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SegmentPattern {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compute: Option<Duration>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait: Option<Duration>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on: Option<WaitKind>,
}

/// A duration: a number, `{"uniform": [lo, hi]}` or `{"exponential": mean}`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Duration {
    Fixed(Time),
    Random(RandomDuration),
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RandomDuration {
    Uniform([Time; 2]),
    Exponential(f64),
}

impl Duration {
    fn check(self, path: &str) -> Result<(), ScenarioError> {
        let ok = match self {
            Duration::Fixed(d) => (1..=MAX_DURATION).contains(&d),
            Duration::Random(RandomDuration::Uniform([lo, hi])) => {
                lo >= 1 && lo <= hi && hi <= MAX_DURATION
            }
            Duration::Random(RandomDuration::Exponential(mean)) => {
                mean.is_finite() && mean >= 1.0 && mean <= MAX_DURATION as f64
            }
        };
        if ok {
            Ok(())
        } else {
            let written = serde_json::to_string(&self).expect("durations serialise");
            Err(ScenarioError::at_path(path, format!("{written} is not a duration in 1..={MAX_DURATION}"))
                .with_hint("write N, {\"uniform\": [lo, hi]} with 1 <= lo <= hi, or {\"exponential\": mean} with mean >= 1"))
        }
    }

    fn sample(self, rng: &mut Pcg64Mcg) -> Time {
        match self {
            Duration::Fixed(d) => d,
            Duration::Random(RandomDuration::Uniform([lo, hi])) => rng.random_range(lo..=hi),
            Duration::Random(RandomDuration::Exponential(mean)) => {
                let exp = Exp::new(1.0 / mean).expect("checked mean >= 1");
                (exp.sample(rng).ceil() as Time).clamp(1, MAX_DURATION)
            }
        }
    }
}

impl Generator {
    /// Checks the spec; `path` is where it sits in the file.
    pub fn validate(&self, path: &str) -> Result<(), ScenarioError> {
        if self.tasks == 0 || self.tasks > MAX_TASKS {
            return Err(ScenarioError::at_path(
                format!("{path}.tasks"),
                format!("{} tasks is outside 1..={MAX_TASKS}", self.tasks),
            ));
        }
        if self.segments.is_empty() || self.segments.len() > MAX_SEGMENTS_PER_TASK {
            return Err(ScenarioError::at_path(
                format!("{path}.segments"),
                format!("a task pattern needs 1..={MAX_SEGMENTS_PER_TASK} segments"),
            ));
        }
        match self.arrival {
            Some(Arrival::Every(gap)) if gap > MAX_DURATION / self.tasks as Time => {
                return Err(ScenarioError::at_path(
                    format!("{path}.arrival.every"),
                    "arrivals would pass the time limit",
                ));
            }
            Some(Arrival::Poisson(mean))
                if !(mean.is_finite()
                    && mean > 0.0
                    && mean * self.tasks as f64 <= MAX_DURATION as f64 / 2.0) =>
            {
                return Err(ScenarioError::at_path(
                    format!("{path}.arrival.poisson"),
                    "the mean gap must be positive and keep arrivals within the time limit",
                ));
            }
            _ => {}
        }
        for (idx, pattern) in self.segments.iter().enumerate() {
            let at = format!("{path}.segments[{idx}]");
            match (pattern.compute, pattern.wait, pattern.on) {
                (Some(duration), None, None) => duration.check(&format!("{at}.compute"))?,
                (None, Some(duration), _) => duration.check(&format!("{at}.wait"))?,
                _ => {
                    return Err(ScenarioError::at_path(at, "a segment pattern is either compute or wait (with an optional on)")
                        .with_hint("e.g. {\"compute\": 5} or {\"wait\": {\"exponential\": 40}, \"on\": \"database\"}"));
                }
            }
        }
        Ok(())
    }

    /// The tasks, named `first_index + 1`, `+ 2`, ... by default naming.
    pub fn generate(&self) -> Vec<TaskSpec> {
        let mut rng = Pcg64Mcg::seed_from_u64(self.seed);
        let mut clock = 0.0f64;
        (0..self.tasks)
            .map(|idx| {
                let arrival = match self.arrival {
                    None => 0,
                    Some(Arrival::Every(gap)) => gap * idx as Time,
                    Some(Arrival::Poisson(mean)) => {
                        if idx > 0 {
                            clock += Exp::new(1.0 / mean)
                                .expect("checked mean > 0")
                                .sample(&mut rng);
                        }
                        clock.round() as Time
                    }
                };
                let segments = self
                    .segments
                    .iter()
                    .map(|pattern| match (pattern.compute, pattern.wait) {
                        (Some(duration), _) => Segment::Compute(duration.sample(&mut rng)),
                        (None, Some(duration)) => Segment::Wait {
                            duration: duration.sample(&mut rng),
                            on: pattern.on.unwrap_or_default(),
                        },
                        (None, None) => unreachable!("validated"),
                    })
                    .collect();
                TaskSpec {
                    name: None,
                    arrival,
                    colour: None,
                    segments,
                }
            })
            .collect()
    }

    /// About 3 segments per task: compute, a database wait, compute; Poisson
    /// arrivals. Used by the benchmarks.
    pub fn web_traffic(tasks: usize, seed: u64) -> Self {
        let uniform = |lo, hi| Some(Duration::Random(RandomDuration::Uniform([lo, hi])));
        Generator {
            tasks,
            seed,
            arrival: Some(Arrival::Poisson(2.0)),
            segments: vec![
                SegmentPattern {
                    compute: uniform(1, 4),
                    wait: None,
                    on: None,
                },
                SegmentPattern {
                    compute: None,
                    wait: Some(Duration::Random(RandomDuration::Exponential(30.0))),
                    on: Some(WaitKind::Database),
                },
                SegmentPattern {
                    compute: uniform(1, 6),
                    wait: None,
                    on: None,
                },
            ],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_tasks() {
        let spec = Generator::web_traffic(500, 7);
        assert_eq!(spec.generate(), spec.generate());
        assert_ne!(spec.generate(), Generator::web_traffic(500, 8).generate());
        assert_eq!(spec.validate("generate"), Ok(()));
    }

    #[test]
    fn generated_values_are_stable_across_platforms() {
        // Pinned numbers: a change here means shared links to generated
        // workloads would no longer reproduce.
        let tasks = Generator::web_traffic(3, 42).generate();
        let summary: Vec<(Time, Vec<Time>)> = tasks
            .iter()
            .map(|task| {
                (
                    task.arrival,
                    task.segments.iter().map(|s| s.duration()).collect(),
                )
            })
            .collect();
        expect_test::expect!["[(0, [3, 8, 3]), (0, [1, 3, 2]), (6, [2, 29, 1])]"]
            .assert_eq(&format!("{summary:?}"));
    }

    #[test]
    fn poisson_arrivals_have_the_requested_mean_gap() {
        let tasks = Generator::web_traffic(20_000, 1).generate();
        let mean_gap = tasks.last().unwrap().arrival as f64 / (tasks.len() - 1) as f64;
        assert!((mean_gap - 2.0).abs() < 0.1, "mean gap {mean_gap}");
        let waits: Vec<f64> = tasks
            .iter()
            .map(|task| task.segments[1].duration() as f64)
            .collect();
        let mean_wait = waits.iter().sum::<f64>() / waits.len() as f64;
        // Rounding up adds about half a unit to the exponential's mean.
        assert!((mean_wait - 30.5).abs() < 1.0, "mean wait {mean_wait}");
    }

    #[test]
    fn bad_specs_are_located() {
        let mut spec = Generator::web_traffic(10, 1);
        spec.segments[0].compute = Some(Duration::Random(RandomDuration::Uniform([5, 2])));
        let error = spec.validate("generate").unwrap_err();
        assert_eq!(error.path, "generate.segments[0].compute");
        spec.tasks = 0;
        assert_eq!(
            spec.validate("generate").unwrap_err().path,
            "generate.tasks"
        );
    }
}
