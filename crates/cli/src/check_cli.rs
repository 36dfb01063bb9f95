//! `interleave check SET.json`: validates a challenge set, plays every
//! reference solution and prints what each challenge asks;
//! `interleave check --built-in` does the same for every lab's built-in
//! set. A bad set gets a located error (`challenges[3].check.p99: ...`)
//! and exit code 2; a set whose solution does not win exits 1.

use std::process::ExitCode;

use interleave_core::challenges::{ChallengeSet, Kind, Proof};
use interleave_core::labs::LabId;
use interleave_core::{ScenarioError, sets};

use super::{located, read_input};

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("input").required(true).args(["file", "built_in"])))]
pub struct CheckArgs {
    /// A challenge set (`interleave-challenges/2`, or a Races set of
    /// version 1), or `-` for stdin.
    file: Option<String>,
    /// Check every lab's built-in set instead.
    #[arg(long)]
    built_in: bool,
}

pub fn check(args: &CheckArgs) -> ExitCode {
    if args.built_in {
        let mut out = String::new();
        for lab in LabId::ALL {
            let set = sets::builtin(lab);
            match sets::check(&set, None) {
                Ok(proofs) => out.push_str(&report(&set, &proofs)),
                Err(error) => {
                    print!("{out}");
                    eprintln!("error: the built-in set of {}: {error}", lab.the_lab());
                    return ExitCode::from(1);
                }
            }
            out.push('\n');
        }
        print!("{}", out.trim_end_matches('\n'));
        println!();
        return ExitCode::SUCCESS;
    }
    let file = args
        .file
        .as_deref()
        .expect("clap requires a file or --built-in");
    let text = match read_input(file) {
        Ok(text) => text,
        Err(message) => {
            eprintln!("error: {file}: {message}");
            return ExitCode::from(2);
        }
    };
    let set = match ChallengeSet::parse(&text) {
        Ok(set) => set,
        Err(error) => {
            eprintln!("{}", located(file, &error));
            return ExitCode::from(2);
        }
    };
    match sets::check(&set, Some(&text)) {
        Ok(proofs) => {
            print!("{}", report(&set, &proofs));
            ExitCode::SUCCESS
        }
        Err(error) if is_proof_failure(&error) => {
            eprintln!("{}", located(file, &error));
            ExitCode::from(1)
        }
        Err(error) => {
            eprintln!("{}", located(file, &error));
            ExitCode::from(2)
        }
    }
}

/// A challenge that reads well but is not winnable as written: its
/// solution does not win, or its start already does.
fn is_proof_failure(error: &ScenarioError) -> bool {
    !error.path.contains('.') && error.path.starts_with("challenges[")
}

fn report(set: &ChallengeSet, proofs: &[Proof]) -> String {
    let mut labs: Vec<&str> = set.challenges.iter().map(|c| c.lab.as_str()).collect();
    labs.dedup();
    labs.sort_unstable();
    labs.dedup();
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    let mut out = format!(
        "{} (lab{}: {}; {} challenge{})\n",
        set.title,
        plural(labs.len()),
        labs.join(", "),
        set.challenges.len(),
        plural(set.challenges.len())
    );
    let mut won = 0;
    for (idx, (challenge, proof)) in set.challenges.iter().zip(proofs).enumerate() {
        let computed = if challenge.kind == Kind::Predict {
            "computed"
        } else {
            "at its start"
        };
        out.push_str(&format!(
            "{:>3}. [{} {}] {}\n     asks: {}\n     {computed}: {}; {}\n",
            idx + 1,
            challenge.lab,
            challenge.kind.name(),
            challenge.title,
            proof.asks,
            proof.computed,
            proof.solution
        ));
        if proof.solution.starts_with("won") || proof.solution.ends_with("right") {
            won += 1;
        }
    }
    let without = proofs
        .iter()
        .filter(|proof| proof.solution == "no reference solution")
        .count();
    let measured = proofs.len() - won - without;
    let mut summary = format!(
        "{} challenge{} valid, none won at its start; {won} won by {} reference solution{}",
        set.challenges.len(),
        plural(set.challenges.len()),
        if won == 1 { "its" } else { "their" },
        plural(won)
    );
    if without > 0 {
        summary.push_str(&format!("; {without} without one"));
    }
    if measured > 0 {
        summary.push_str(&format!("; {measured} measured on the learner's machine"));
    }
    out.push_str(&summary);
    out.push_str(".\n");
    out
}
