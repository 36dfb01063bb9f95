//! The Servers lab's jobs for web workers ([`ServersJobs`]): the load
//! sweep, every model at every load, each load point handed over as it
//! completes so a cancelled sweep keeps its points.

use serde::{Deserialize, Serialize};

use crate::labs::LabId;
use crate::protocol::{Jobs, Worker};
use crate::servers::{self, ServersScenario, SweepPoint};

/// The Servers lab's [`Jobs`].
#[derive(Debug)]
pub enum ServersJobs {}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub enum Job {
    /// The load sweep: `points` loads up to `max_rate`. `scenario` is the
    /// lab's own JSON, read by `ServersScenario::from_json` with its
    /// limits and located errors (one reader of that format in the
    /// module, not a second one for messages).
    Sweep {
        scenario: String,
        max_rate: f64,
        points: usize,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub enum Done {
    /// Every load point of a sweep.
    Swept { points: Vec<SweepPoint> },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub enum Progress {
    /// Runs done of `total` (points × models); `point` once a load point
    /// has all its models.
    Sweep {
        done: usize,
        total: usize,
        point: Option<SweepPoint>,
    },
}

impl Jobs for ServersJobs {
    const LAB: LabId = LabId::Servers;
    type Job = Job;
    type Done = Done;
    type Progress = Progress;

    fn answer(job: Job, worker: &mut Worker<'_, Progress>) -> Result<Done, String> {
        let Job::Sweep {
            scenario,
            max_rate,
            points,
        } = job;
        let scenario = ServersScenario::from_json(&scenario)
            .map_err(|error| error.within("scenario").to_string())?;
        if !(max_rate.is_finite() && max_rate > 0.0) {
            return Err(format!("max_rate: {max_rate} is not a positive rate"));
        }
        if !(1..=servers::MAX_SWEEP_POINTS).contains(&points) {
            return Err(format!(
                "points: {points} is outside 1..={}",
                servers::MAX_SWEEP_POINTS
            ));
        }
        let swept =
            servers::sweep_with_points(&scenario, max_rate, points, |done, total, point| {
                worker.report(Progress::Sweep {
                    done,
                    total,
                    point: point.cloned(),
                });
                true
            });
        Ok(Done::Swept { points: swept })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::tests::{assert_messages_round_trip, run};

    fn small_sweep() -> Job {
        Job::Sweep {
            scenario: servers::bench_scenario(200).to_json(),
            max_rate: 400.0,
            points: 2,
        }
    }

    #[test]
    fn every_message_round_trips_through_json() {
        assert_messages_round_trip::<ServersJobs>(vec![small_sweep()]);
    }

    #[test]
    fn a_sweep_is_what_the_lab_computes_directly_and_hands_each_point_over() {
        let (answer, heard, _) = run::<ServersJobs>(small_sweep());
        let scenario = servers::bench_scenario(200);
        let direct = servers::sweep_with_points(&scenario, 400.0, 2, |_, _, _| true);
        assert_eq!(
            answer,
            Ok(Done::Swept {
                points: direct.clone()
            })
        );
        let points: Vec<SweepPoint> = heard
            .into_iter()
            .filter_map(|Progress::Sweep { point, .. }| point)
            .collect();
        assert_eq!(points, direct, "each point is handed over as it completes");
    }

    #[test]
    fn bad_sweeps_fail_saying_what() {
        let Job::Sweep { scenario, .. } = small_sweep();
        assert_eq!(
            run::<ServersJobs>(Job::Sweep {
                scenario: scenario.clone(),
                max_rate: 10.0,
                points: 0
            })
            .0,
            Err("points: 0 is outside 1..=100".to_owned())
        );
        assert_eq!(
            run::<ServersJobs>(Job::Sweep {
                scenario,
                max_rate: f64::NAN,
                points: 3
            })
            .0,
            Err("max_rate: NaN is not a positive rate".to_owned())
        );
        assert!(
            run::<ServersJobs>(Job::Sweep {
                scenario: "{".to_owned(),
                max_rate: 10.0,
                points: 3
            })
            .0
            .unwrap_err()
            .contains("scenario")
        );
    }
}
