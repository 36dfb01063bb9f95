//! `interleave explore`, `replay` and `bench-races`: the Races lab on the
//! command line.

use std::process::ExitCode;
use std::rc::Rc;

use interleave_core::count;
use interleave_core::races::explore::{Explorer, Options, Report, Stop, Verdict};
use interleave_core::races::lab::RacesLab;
use interleave_core::races::machine::{AfterResult, Phase, State};
use interleave_core::races::sample::{SampleOptions, Sampler};
use interleave_core::races::{self, bench, schedule};
use interleave_core::share::{self, Fragment, LinkError};

use super::{BenchArgs, ExploreArgs, ReplayArgs, SampleArgs, located, read_input};

fn load(file: &str) -> Result<races::Program, ExitCode> {
    let text = read_input(file).map_err(|err| {
        eprintln!("error: {file}: {err}");
        ExitCode::from(2)
    })?;
    races::compile_source(&text).map_err(|err| {
        eprintln!("{}", located(file, &err));
        ExitCode::from(2)
    })
}

/// A Races link's program and the steps it has taken.
fn load_link(link: &str) -> Result<(races::Program, Vec<usize>), String> {
    let fragment = Fragment::parse(link.split_once('#').map_or(link, |(_, fragment)| fragment));
    let state = fragment
        .state
        .ok_or("the link holds no state (no s=v1.… after #)")?;
    match share::decode::<RacesLab>(&state) {
        Ok(lab) => {
            let program = races::compile_source(&lab.source)
                .map_err(|err| format!("the link's program: {err}"))?;
            Ok((program, lab.schedule[..lab.cursor].to_vec()))
        }
        Err(LinkError::AnotherLab { .. }) => Err("this link is not a Races lab link".to_owned()),
        Err(error) => Err(error.to_string()),
    }
}

pub fn explore(args: &ExploreArgs) -> ExitCode {
    let (program, prefix) = match (&args.link, &args.file) {
        (Some(link), _) => match load_link(link) {
            Ok(loaded) => loaded,
            Err(message) => {
                eprintln!("error: --link: {message}");
                return ExitCode::from(2);
            }
        },
        (None, Some(file)) => match load(file) {
            Ok(program) => (program, Vec::new()),
            Err(code) => return code,
        },
        (None, None) => unreachable!("clap requires a file or a link"),
    };
    let program = Rc::new(program);
    let options = Options {
        reduction: !args.no_reduction,
        max_states: args.max_states,
        ..Options::default()
    };
    let start = match schedule::replay(&program, &prefix) {
        Ok(run) => run.last().clone(),
        Err(err) => {
            eprintln!("{}", located("--link", &err));
            return ExitCode::from(2);
        }
    };
    if !prefix.is_empty() && !args.json {
        println!(
            "from the link's step {}: {}",
            prefix.len(),
            schedule::to_text(&program, &prefix)
        );
    }
    let report = Explorer::new(program.clone(), start, options).run_to_end();
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).expect("reports serialise")
        );
    } else {
        print!("{}", report_text(&program, &report));
    }
    ExitCode::SUCCESS
}

/// The report as the CLI prints it: counts, a histogram, the verdicts.
pub fn report_text(program: &races::Program, report: &Report) -> String {
    let mut out = format!(
        "{}, {} states ({}){}\n",
        report.counts_text(),
        report.states,
        if report.reduction {
            "deduplicated, partial-order reduced"
        } else {
            "every schedule, no reduction"
        },
        match report.stopped {
            None => String::new(),
            Some(stop) => format!(
                "; STOPPED early ({}), so this is a part of the whole",
                stop.text()
            ),
        }
    );
    if let Some(meaning) = report.counts_meaning() {
        out.push_str(&format!("note: {meaning}\n"));
    }
    let widest = report
        .outcomes
        .iter()
        .map(|o| o.outcome.values_text().chars().count())
        .max()
        .unwrap_or(0);
    let counts: Vec<String> = report
        .outcomes
        .iter()
        .map(|o| report.outcome_counts_text(o))
        .collect();
    let counts_width = counts.iter().map(|c| c.chars().count()).max().unwrap_or(0);
    let most = report.most_bar_count();
    out.push_str(&format!("outcomes ({}):\n", report.outcomes.len()));
    for (outcome, counted) in report.outcomes.iter().zip(&counts) {
        let bar = "#".repeat(count::share(report.bar_count(outcome), most, 30) as usize);
        out.push_str(&format!(
            "  {:<widest$}  {:>counts_width$}  {:<30}  {}{}\n",
            outcome.outcome.values_text(),
            counted,
            bar,
            if outcome.outcome.failing {
                "FAIL: "
            } else {
                "ok: "
            },
            outcome.outcome.result,
        ));
    }
    out.push_str(&format!(
        "deadlocks: {}, failing: {}{}\n",
        report.failing_text(true),
        report.failing_text(false),
        if report.cycles {
            ", some schedules loop forever (not counted)"
        } else {
            ""
        }
    ));
    let target = if program.goal.is_some() {
        "shortest schedule that meets the goal"
    } else {
        "shortest failing schedule"
    };
    out.push_str(&liveness_text(report));
    match &report.shortest_failing {
        // A liveness goal is met by a cycle: the lasso above.
        None if program.goal.is_some_and(|goal| goal.is_liveness()) => {}
        Some(steps) => out.push_str(&format!(
            "{target} ({} steps): {}\n",
            steps.len(),
            steps.join(" ")
        )),
        None if !report.complete => out.push_str(&format!(
            "no {} found in the part searched\n",
            if program.goal.is_some() {
                "schedule that meets the goal"
            } else {
                "failing schedule"
            }
        )),
        None => out.push_str(&format!(
            "{}\n",
            report.nothing_fails_text(program.goal.is_some())
        )),
    }
    if let (Some(goal), Some(verdict)) = (program.goal, report.goal_reachable) {
        let verdict = match verdict {
            Verdict::Reached => "Reachable.".to_owned(),
            Verdict::Unreachable => "Not reachable: every reachable state was explored.".to_owned(),
            Verdict::Unknown => format!(
                "Unknown: not found in the {} states searched, and the search stopped early ({}). \
                 Try a larger --max-states, or random schedules with `interleave sample`.",
                report.states,
                report.stopped.map_or_else(String::new, Stop::text)
            ),
        };
        out.push_str(&format!("goal: {} {verdict}\n", goal.sentence()));
    }
    out
}

/// Starvation and livelock, each with its lasso, when they were searched.
fn liveness_text(report: &Report) -> String {
    let Some(liveness) = &report.liveness else {
        return String::new();
    };
    let lasso = |lasso: &races::liveness::Lasso| {
        format!(
            "{}{}then for ever: {}",
            lasso.prefix.join(" "),
            if lasso.prefix.is_empty() { "" } else { ", " },
            lasso.cycle.join(" ")
        )
    };
    let mut out = String::new();
    for found in &liveness.starvation {
        out.push_str(&format!(
            "starvation: {} never makes progress while others do: {}\n",
            found.thread.as_deref().unwrap_or("a thread"),
            lasso(found)
        ));
    }
    if let Some(found) = &liveness.livelock {
        out.push_str(&format!(
            "livelock: the threads run and none makes progress: {}\n",
            lasso(found)
        ));
    }
    if liveness.starvation.is_empty() && liveness.livelock.is_none() {
        out.push_str(&if liveness.complete {
            format!(
                "no starvation or livelock under weak fairness ({} states searched)\n",
                liveness.states
            )
        } else {
            format!(
                "no starvation or livelock found in the {} states searched (the state cap), which proves nothing\n",
                liveness.states
            )
        });
    }
    out
}

pub fn sample(args: &SampleArgs) -> ExitCode {
    let program = match load(&args.file) {
        Ok(program) => Rc::new(program),
        Err(code) => return code,
    };
    let options = SampleOptions {
        runs: args.runs,
        seed: args.seed,
        depth: args.depth,
    };
    let mut sampler = Sampler::new(program.clone(), State::initial(&program), options);
    sampler.run(u64::MAX);
    let report = sampler.report();
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).expect("reports serialise")
        );
        return ExitCode::SUCCESS;
    }
    let what = match program.goal {
        Some(goal) => format!("meet the goal ({})", goal.sentence()),
        None => "fail".to_owned(),
    };
    println!(
        "{} random schedules (PCT, depth {}, seed {}): {} {what}",
        report.tried, report.depth, report.seed, report.failing
    );
    match (&report.first_failure, report.first_failure_run) {
        (Some(schedule), Some(run)) => println!(
            "first found in run {run} ({} steps): {}",
            schedule.len(),
            schedule::to_text(
                &program,
                &schedule::parse(&program, &schedule.join(" ")).expect("names from the program")
            )
        ),
        _ => println!(
            "none found; random schedules can only find, so this proves nothing (explore proves)"
        ),
    }
    ExitCode::SUCCESS
}

pub fn replay(args: &ReplayArgs) -> ExitCode {
    let program = match load(&args.file) {
        Ok(program) => program,
        Err(code) => return code,
    };
    let text = args.schedule.join(" ");
    let steps = match schedule::parse(&program, &text)
        .and_then(|steps| schedule::replay(&program, &steps))
    {
        Ok(run) => run,
        Err(err) => {
            eprintln!("{}", located("schedule", &err));
            return ExitCode::from(2);
        }
    };
    if let Some(path) = &args.trace {
        let trace = schedule::to_trace(&program, &steps);
        let title = format!("{} - {text}", args.file);
        if let Err(message) = crate::write_trace_file(path, &[(title, &trace)]) {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    }
    let mut out = String::new();
    for (idx, step) in steps.steps.iter().enumerate() {
        out.push_str(&format!(
            "{:>4}  {:<6} line {:<3} {:<28} {}\n",
            idx + 1,
            program.threads[step.thread].name,
            step.line,
            step.text,
            step.narration
        ));
    }
    let last = steps.last();
    let outcome = races::explore::outcome_of(&program, last, false);
    out.push_str(&format!("state: {}\n", outcome.values_text()));
    match last.phase(&program) {
        Phase::Running => {
            let ready: Vec<&str> = (0..program.threads.len())
                .filter(|&thread| last.can_step(&program, thread))
                .map(|thread| program.threads[thread].name.as_str())
                .collect();
            out.push_str(&format!("not finished: {} can step\n", ready.join(", ")));
        }
        Phase::Deadlock | Phase::Finished => {
            out.push_str(&format!("{}\n", outcome.result));
            if let AfterResult::Runaway = last.run_after(&program) {
                out.push_str("the final check did not finish\n");
            }
        }
    }
    print!("{out}");
    ExitCode::SUCCESS
}

pub fn bench(args: &BenchArgs) -> ExitCode {
    let mut cases = Vec::new();
    for (name, source) in bench::cases() {
        let mut millis = Vec::new();
        let mut report = None;
        for run in 0..=args.runs.max(1) {
            let started = std::time::Instant::now();
            let done = bench::explore_case(&source);
            if run > 0 {
                millis.push(started.elapsed().as_secs_f64() * 1000.0);
            }
            report = Some(done);
        }
        millis.sort_by(f64::total_cmp);
        let median = millis[millis.len() / 2];
        let report = report.expect("at least one run");
        cases.push(serde_json::json!({
            "case": name,
            "interleavings": report.interleavings,
            "states": report.states,
            "median_ms": median,
            "states_per_s": report.states as f64 / (median / 1000.0).max(1e-9),
        }));
    }
    println!("{}", serde_json::json!({ "cases": cases }));
    ExitCode::SUCCESS
}
