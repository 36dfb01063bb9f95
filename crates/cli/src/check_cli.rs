//! `interleave check SET.json`: validates a challenge set, plays every
//! reference solution and prints what each challenge asks;
//! `interleave check --built-in` does the same for every lab's built-in
//! set. A bad set gets a located error (`challenges[3].check.p99: ...`)
//! and exit code 2; a set whose solution does not win exits 1.
//! `interleave report FILE...` reads the progress reports students hand
//! in.

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

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// Progress reports students handed in (`interleave-progress/1`), or
    /// `-` for stdin.
    #[arg(required = true, num_args = 1..)]
    files: Vec<String>,
}

/// `interleave report FILE...`: each student's report read and checked,
/// in a line each (challenges won, predictions right); a damaged file
/// gets a located error, the others are still read, and the exit code is
/// 2 when any was damaged.
pub fn report_files(args: &ReportArgs) -> ExitCode {
    let mut damaged = false;
    for file in &args.files {
        let read = read_input(file).map_err(|message| format!("error: {file}: {message}"));
        let progress = read.and_then(|text| {
            interleave_core::challenges::Progress::parse(&text)
                .map_err(|error| located(file, &error))
        });
        match progress {
            Ok(progress) => {
                let answered = progress
                    .entries
                    .iter()
                    .filter(|entry| entry.answer.is_some())
                    .count();
                let right = progress
                    .entries
                    .iter()
                    .filter(|entry| entry.answer.is_some() && entry.won)
                    .count();
                println!(
                    "{file}: \u{201c}{}\u{201d} (set {}): {} of {} challenges won; {right} of {answered} predictions right",
                    progress.set,
                    progress.set_id,
                    progress.won_count(),
                    progress.challenges
                );
                for entry in &progress.entries {
                    let answer = entry
                        .answer
                        .as_ref()
                        .map(|answer| {
                            format!(
                                "; answered {}, computed {}",
                                answer.text(),
                                if entry.computed.is_empty() {
                                    "not yet"
                                } else {
                                    &entry.computed
                                }
                            )
                        })
                        .unwrap_or_default();
                    println!(
                        "  {:>2}. {} [{} {}] {}{answer}{}",
                        entry.at + 1,
                        entry.title,
                        entry.lab,
                        entry.kind.name(),
                        if entry.won { "won" } else { "not won" },
                        if entry.when.is_empty() {
                            String::new()
                        } else {
                            format!(" ({})", entry.when)
                        }
                    );
                }
            }
            Err(message) => {
                damaged = true;
                eprintln!("{message}");
            }
        }
    }
    if damaged {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    }
}
