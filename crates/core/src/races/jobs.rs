//! The Races lab's jobs for web workers ([`RacesJobs`]): the explorer of
//! every interleaving and random schedules, each from the state a
//! schedule reaches, reporting progress as they go.

use std::rc::Rc;

use serde::{Deserialize, Serialize};

use crate::ScenarioError;
use crate::labs::LabId;
use crate::protocol::{Jobs, Worker};
use crate::races::explore::{self, Report};
use crate::races::sample::{SampleOptions, SampleReport, Sampler};
use crate::races::{self, limits};

/// The Races lab's [`Jobs`].
#[derive(Debug)]
pub enum RacesJobs {}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub enum Job {
    /// Explore every interleaving of `source` from the state `schedule`
    /// (thread numbers) reaches.
    Explore {
        source: String,
        schedule: Vec<usize>,
        options: explore::Options,
    },
    /// Random schedules (PCT) of `source` from the state `schedule` reaches.
    Sample {
        source: String,
        schedule: Vec<usize>,
        options: SampleOptions,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub enum Done {
    Explored(Box<Report>),
    Sampled(SampleReport),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub enum Progress {
    Explore(explore::Progress),
    Sample { tried: u64, failing: u64 },
}

/// The most states a worker explores, whatever a request asks.
pub const MAX_EXPLORE_STATES: usize = 20 * limits::DEFAULT_MAX_STATES;

impl Jobs for RacesJobs {
    const LAB: LabId = LabId::Races;
    type Job = Job;
    type Done = Done;
    type Progress = Progress;

    fn answer(job: Job, worker: &mut Worker<'_, Progress>) -> Result<Done, String> {
        match job {
            Job::Explore {
                source,
                schedule,
                options,
            } => {
                if options.max_states > MAX_EXPLORE_STATES {
                    return Err(format!(
                        "options.max_states: {} is over the limit of {MAX_EXPLORE_STATES}",
                        options.max_states
                    ));
                }
                let (program, start) = started(&source, &schedule).map_err(|e| e.to_string())?;
                let mut explorer = explore::Explorer::new(program, start, options);
                while !explorer.run(2_000) {
                    if worker.due() {
                        worker.report(Progress::Explore(explorer.progress()));
                    }
                }
                Ok(Done::Explored(Box::new(explorer.report())))
            }
            Job::Sample {
                source,
                schedule,
                options,
            } => {
                let (program, start) = started(&source, &schedule).map_err(|e| e.to_string())?;
                let mut sampler = Sampler::new(program, start, options);
                while !sampler.run(50) {
                    if worker.due() {
                        let report = sampler.report();
                        worker.report(Progress::Sample {
                            tried: report.tried,
                            failing: report.failing,
                        });
                    }
                }
                Ok(Done::Sampled(sampler.report()))
            }
        }
    }
}

/// A job's program and the state `schedule` reaches on it.
fn started(
    source: &str,
    schedule: &[usize],
) -> Result<(Rc<races::Program>, races::machine::State), ScenarioError> {
    let program = Rc::new(races::compile_source(source)?);
    let run = races::schedule::replay(&program, schedule)?;
    let start = run.last().clone();
    Ok((program, start))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::tests::{assert_messages_round_trip, run};
    use crate::races::lessons;

    fn lost_update() -> String {
        lessons::find("lost-update").unwrap().source.to_owned()
    }

    /// Without reduction, more states than one batch: progress replies.
    fn list_removal() -> String {
        lessons::find("list-removal").unwrap().source.to_owned()
    }

    /// Every schedule, stopped after 10000 states (a few batches).
    fn capped() -> explore::Options {
        explore::Options {
            reduction: false,
            max_states: 10_000,
            ..explore::Options::default()
        }
    }

    fn sample() -> Job {
        Job::Sample {
            source: lost_update(),
            schedule: Vec::new(),
            options: SampleOptions {
                runs: 200,
                seed: 7,
                depth: 2,
            },
        }
    }

    fn explore_list_removal() -> Job {
        Job::Explore {
            source: list_removal(),
            schedule: vec![0, 1],
            options: capped(),
        }
    }

    #[test]
    fn every_message_round_trips_through_json() {
        assert_messages_round_trip::<RacesJobs>(vec![explore_list_removal(), sample()]);
    }

    #[test]
    fn jobs_answer_what_the_lab_computes_directly() {
        let (answer, heard, _) = run::<RacesJobs>(explore_list_removal());
        let Ok(Done::Explored(report)) = answer else {
            panic!("{answer:?}")
        };
        let (program, start) = started(&list_removal(), &[0, 1]).unwrap();
        let mut direct = explore::Explorer::new(program, start, capped());
        while !direct.run(2_000) {}
        assert_eq!(*report, direct.report());
        assert!(
            heard.iter().any(|p| matches!(p, Progress::Explore(_))),
            "the ticking clock makes progress due"
        );
        let (answer, heard, _) = run::<RacesJobs>(sample());
        assert!(matches!(answer, Ok(Done::Sampled(_))), "{answer:?}");
        assert!(heard.iter().all(|p| matches!(p, Progress::Sample { .. })));
    }

    #[test]
    fn bad_jobs_fail_saying_what_and_where() {
        let failure = |job| run::<RacesJobs>(job).0.unwrap_err();
        assert!(
            failure(Job::Explore {
                source: "thread A {\n  x = ;\n}".to_owned(),
                schedule: Vec::new(),
                options: explore::Options::default(),
            })
            .starts_with("2:")
        );
        assert!(
            failure(Job::Sample {
                source: lost_update(),
                schedule: vec![9],
                options: SampleOptions {
                    runs: 1,
                    seed: 1,
                    depth: 1
                },
            })
            .contains("9")
        );
        assert_eq!(
            failure(Job::Explore {
                source: lost_update(),
                schedule: Vec::new(),
                options: explore::Options {
                    max_states: MAX_EXPLORE_STATES + 1,
                    ..explore::Options::default()
                },
            }),
            format!(
                "options.max_states: {} is over the limit of {MAX_EXPLORE_STATES}",
                MAX_EXPLORE_STATES + 1
            )
        );
    }
}
