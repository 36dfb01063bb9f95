//! Challenge sets across the labs: each lab's built-in set, and a set
//! checked in full, every challenge read as its lab's types and its
//! reference solution played ([`check`]). The page reads only its own
//! lab's challenges (`crate::challenges`); the CLI and the tests read
//! every lab's here.

use crate::challenges::{ChallengeSet, Checks, Proof, prove};
use crate::error::ScenarioError;
use crate::eventloop::lab::EventLoopLab;
use crate::labs::LabId;
use crate::models::lab::ModelsLab;
use crate::parallel::lab::ParallelLab;
use crate::races::lab::RacesLab;
use crate::servers::lab::ServersLab;

/// The built-in set of `lab`.
pub fn builtin(lab: LabId) -> ChallengeSet {
    match lab {
        LabId::Models => ModelsLab::builtin_set(),
        LabId::Servers => ServersLab::builtin_set(),
        LabId::Races => RacesLab::builtin_set(),
        LabId::Parallel => ParallelLab::builtin_set(),
        LabId::EventLoop => EventLoopLab::builtin_set(),
    }
}

/// Challenge `idx` of `set` read as its lab's and proven: its check is
/// valid for its state, it is not won at its start, its solution wins it.
/// `text` is the set file's text, when there is one, for line and column.
pub fn check_one(
    set: &ChallengeSet,
    idx: usize,
    text: Option<&str>,
) -> Result<Proof, ScenarioError> {
    let challenge = &set.challenges[idx];
    let at = format!("challenges[{idx}]");
    let lab = challenge
        .lab_id()
        .ok_or_else(|| ScenarioError::at_path(format!("{at}.lab"), "there is no such lab"))?;
    match lab {
        LabId::Models => prove(&challenge.pose::<ModelsLab>(idx, text)?, &at),
        LabId::Servers => prove(&challenge.pose::<ServersLab>(idx, text)?, &at),
        LabId::Races => prove(&challenge.pose::<RacesLab>(idx, text)?, &at),
        LabId::Parallel => prove(&challenge.pose::<ParallelLab>(idx, text)?, &at),
        LabId::EventLoop => prove(&challenge.pose::<EventLoopLab>(idx, text)?, &at),
    }
}

/// Every challenge of `set`, checked and proven in order; the first
/// problem stops it.
pub fn check(set: &ChallengeSet, text: Option<&str>) -> Result<Vec<Proof>, ScenarioError> {
    (0..set.challenges.len())
        .map(|idx| check_one(set, idx, text))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::challenges::{self, Kind};

    #[test]
    fn every_built_in_set_is_valid_has_five_challenges_and_each_is_won_by_its_solution() {
        for lab in LabId::ALL {
            let set = builtin(lab);
            set.validate().unwrap();
            assert!(
                set.challenges.len() >= 5,
                "{lab:?}: {}",
                set.challenges.len()
            );
            assert!(
                set.challenges
                    .iter()
                    .all(|challenge| challenge.lab == lab.name())
            );
            let proofs = check(&set, None).unwrap_or_else(|err| panic!("{lab:?}: {err}"));
            for (challenge, proof) in set.challenges.iter().zip(&proofs) {
                assert!(!proof.asks.is_empty());
                assert!(!challenge.intro.is_empty(), "{}", challenge.title);
                // Every challenge but a measured figure carries a
                // reference solution, played here.
                if !proof.computed.starts_with("measured") {
                    assert_ne!(
                        proof.solution, "no reference solution",
                        "{}",
                        challenge.title
                    );
                }
            }
            // It goes through its own file format unchanged.
            let text = set.to_file();
            assert_eq!(ChallengeSet::parse(&text).unwrap(), set);
        }
    }

    #[test]
    fn a_version_1_set_opens_as_races_goals() {
        let v1 = crate::races::challenges::ChallengeSet::builtin();
        let text = serde_json::to_string_pretty(&v1).unwrap();
        let set = ChallengeSet::parse(&text).unwrap();
        assert_eq!(set.format, challenges::FORMAT);
        assert_eq!(set.title, v1.title);
        assert_eq!(set.challenges.len(), v1.challenges.len());
        for (new, old) in set.challenges.iter().zip(&v1.challenges) {
            assert_eq!(
                (new.lab.as_str(), new.kind, &new.title, &new.win),
                ("races", Kind::Goal, &old.title, &old.win)
            );
        }
        let proofs = check(&set, Some(&text)).unwrap();
        assert_eq!(proofs.len(), v1.challenges.len());
        // A program that does not compile is found when the challenge is read.
        let broken = text.replacen("x = x + 1", "x = y + 1", 1);
        let set = ChallengeSet::parse(&broken).unwrap();
        let error = check(&set, Some(&broken)).unwrap_err().to_string();
        assert_eq!(
            error,
            "5:5 challenges[0].state.source: 5:7: unknown name 'y' (hint: assign it first, or declare it: shared y = 0)"
        );
    }

    #[test]
    fn an_old_link_that_plays_a_version_1_set_opens_it_as_a_set_of_today() {
        use crate::races::lab::{Playing, RacesLab};
        let v1 = crate::races::challenges::ChallengeSet::builtin();
        let lab = RacesLab {
            challenges: Some(Playing {
                set: v1.clone(),
                at: 2,
                hints: 1,
            }),
            ..RacesLab::default()
        };
        let (text, at) = lab.legacy_set().unwrap();
        let set = ChallengeSet::parse(&text).unwrap();
        assert_eq!(at, 2);
        assert_eq!(set.challenges[2].title, v1.challenges[2].title);
        check_one(&set, 2, None).unwrap();
        assert_eq!(RacesLab::default().legacy_set(), None);
    }

    #[test]
    fn a_solution_that_does_not_win_and_a_start_already_won_are_refused() {
        let mut set = builtin(LabId::Models);
        set.challenges[0].solution = Some(serde_json::json!({ "answer": 100.0 }));
        assert_eq!(
            check_one(&set, 0, None).unwrap_err().to_string(),
            "challenges[0]: its solution's answer 100 is not right: 210 ms"
        );
        let mut set = builtin(LabId::Models);
        let solved = set.challenges[4].solution.clone().unwrap()["state"].clone();
        set.challenges[4].state = solved;
        assert!(
            check_one(&set, 4, None)
                .unwrap_err()
                .to_string()
                .starts_with("challenges[4]: a target is already met at its start"),
        );
        let mut set = builtin(LabId::Servers);
        set.challenges[0].solution =
            Some(serde_json::json!({ "state": set.challenges[0].state.clone() }));
        assert_eq!(
            check_one(&set, 0, None).unwrap_err().to_string(),
            "challenges[0].solution: a prediction's solution is an answer (hint: \"solution\": {\"answer\": ...})"
        );
        let mut set = builtin(LabId::Servers);
        set.challenges[0].check["p99"]["tolerance"] = serde_json::json!(-1);
        assert_eq!(
            check_one(&set, 0, None).unwrap_err().to_string(),
            "challenges[0].check.p99.tolerance: -1 is outside 0..=1000000000 (hint: a tolerance is an amount in the figure's unit)"
        );
    }
}
