//! `interleave`: runs Interleave scenario files natively.
//!
//! `interleave run FILE` prints an ASCII timeline and the metrics of each
//! model asked for; `--json` prints the trace and metrics as JSON. Bad input
//! prints a located error and exits with code 2.

use std::io::Read;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use interleave_core::metrics::Metrics;
use interleave_core::scenario::{MAX_THREADS, Model, ModelKind};
use interleave_core::share::{self, Fragment, SharedState};
use interleave_core::{Scenario, ScenarioError, ascii, models, models_lab};

#[derive(Debug, Parser)]
#[command(
    name = "interleave",
    version,
    about = "See concurrency: run Interleave scenarios natively."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Simulate a Models-lab scenario file and print its timeline and metrics.
    Run(RunArgs),
    /// Time the Models engine natively on a generated workload (the same
    /// work the bench measures in wasm) and print JSON.
    BenchModels(BenchArgs),
}

#[derive(Debug, clap::Args)]
struct BenchArgs {
    /// Tasks in the generated workload.
    #[arg(long, default_value_t = 100_000)]
    tasks: usize,
    /// Timed runs after one warm-up; the median is reported.
    #[arg(long, default_value_t = 5)]
    runs: usize,
}

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("input").required(true).args(["file", "link"])))]
struct RunArgs {
    /// Scenario file (JSON; see docs/scenario-format.md), or `-` for stdin.
    file: Option<String>,
    /// A share link from the page (`https://…/#/models?s=v1.…`): runs the
    /// lab's workload under the link's configurations.
    #[arg(long)]
    link: Option<String>,
    /// Models to run, comma separated: `sync` or `async`, optionally with
    /// threads and cores, e.g. `sync:4,async:1,async:4:2`; default: the
    /// file's `model`.
    #[arg(long, value_delimiter = ',', value_parser = parse_model_arg)]
    model: Vec<ModelArg>,
    /// Threads for every model run; default: the file's `model.threads`.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=MAX_THREADS as i64))]
    threads: Option<u32>,
    /// CPU cores shared by the threads (time-sliced when fewer than the
    /// runnable threads); default: the file's `model.cores`, else one per thread.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=MAX_THREADS as i64))]
    cores: Option<u32>,
    /// Print JSON (trace and metrics) instead of text.
    #[arg(long)]
    json: bool,
    /// Widest ASCII timeline, in columns.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u16).range(10..))]
    width: u16,
}

/// `kind[:threads[:cores]]` from the command line.
#[derive(Debug, Clone, Copy)]
struct ModelArg {
    kind: ModelKind,
    threads: Option<u32>,
    cores: Option<u32>,
}

fn parse_model_arg(text: &str) -> Result<ModelArg, String> {
    let mut parts = text.split(':');
    let kind = match parts.next() {
        Some("sync") => ModelKind::Sync,
        Some("async") => ModelKind::Async,
        other => {
            return Err(format!(
                "{:?} is not a model: use sync or async",
                other.unwrap_or("")
            ));
        }
    };
    let mut count = |what: &str| -> Result<Option<u32>, String> {
        match parts.next() {
            None => Ok(None),
            Some(part) => match part.parse::<u32>() {
                Ok(n) if (1..=MAX_THREADS).contains(&n) => Ok(Some(n)),
                _ => Err(format!(
                    "{part:?} is not a number of {what} in 1..={MAX_THREADS}"
                )),
            },
        }
    };
    let threads = count("threads")?;
    let cores = count("cores")?;
    if parts.next().is_some() {
        return Err(format!(
            "{text:?} has too many parts: use kind[:threads[:cores]]"
        ));
    }
    Ok(ModelArg {
        kind,
        threads,
        cores,
    })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Run(args) => run(&args),
        Command::BenchModels(args) => bench_models(&args),
    }
}

fn bench_models(args: &BenchArgs) -> ExitCode {
    let scenario = models_lab::bench_workload(args.tasks);
    let configs = models_lab::ModelsLab::default().configs;
    let segments: usize = scenario.tasks.iter().map(|task| task.segments.len()).sum();
    let mut millis = Vec::new();
    let mut work = 0;
    for run in 0..=args.runs.max(1) {
        let started = std::time::Instant::now();
        work = models_lab::simulate_comparison(&scenario, &configs);
        if run > 0 {
            millis.push(started.elapsed().as_secs_f64() * 1000.0);
        }
    }
    millis.sort_by(f64::total_cmp);
    let median = millis[millis.len() / 2];
    println!(
        "{}",
        serde_json::json!({
            "tasks": args.tasks,
            "segments": segments,
            "configs": configs.len(),
            "events": work,
            "median_ms": median,
            "runs_ms": millis,
        })
    );
    ExitCode::SUCCESS
}

/// The scenario to run, where it came from (for messages), and the
/// configurations a link compares.
fn load(args: &RunArgs) -> Result<(Scenario, String, Vec<Model>), String> {
    if let Some(link) = &args.link {
        let fragment = Fragment::parse(
            link.split_once('#')
                .map_or(link.as_str(), |(_, fragment)| fragment),
        );
        let state = fragment.state.ok_or_else(|| {
            "error: --link: the link holds no scenario (no s=v1.… after #)".to_owned()
        })?;
        return match share::decode(&state) {
            Ok(SharedState::Models(lab)) => {
                Ok(((*lab.scenario).clone(), "the link".to_owned(), lab.configs))
            }
            Err(error) => Err(format!("error: --link: {error}")),
        };
    }
    let file = args.file.clone().expect("clap requires a file or a link");
    let text = read_input(&file).map_err(|message| format!("error: {file}: {message}"))?;
    let scenario = Scenario::from_json(&text).map_err(|error| located(&file, &error))?;
    Ok((scenario, file, Vec::new()))
}

fn run(args: &RunArgs) -> ExitCode {
    let (scenario, source, link_configs) = match load(args) {
        Ok(loaded) => loaded,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let base = Model {
        threads: args.threads.unwrap_or(scenario.model.threads),
        cores: args.cores.or(scenario.model.cores),
        ..scenario.model
    };
    let runs: Vec<Model> = if args.model.is_empty() && !link_configs.is_empty() {
        link_configs
            .iter()
            .map(|model| Model {
                threads: args.threads.unwrap_or(model.threads),
                cores: args.cores.or(model.cores),
                ..*model
            })
            .collect()
    } else if args.model.is_empty() {
        vec![base]
    } else {
        args.model
            .iter()
            .map(|arg| Model {
                kind: arg.kind,
                threads: arg.threads.unwrap_or(base.threads),
                cores: arg.cores.or(base.cores),
                ..base
            })
            .collect()
    };

    if args.json {
        let results: Vec<serde_json::Value> = runs
            .iter()
            .map(|&model| {
                let trace = models::simulate(&scenario, model);
                let metrics = Metrics::of(&trace);
                serde_json::json!({
                    "scenario": scenario.name,
                    "model": model,
                    "metrics": metrics,
                    "trace": trace,
                })
            })
            .collect();
        let output = match <[serde_json::Value; 1]>::try_from(results) {
            Ok([single]) => single,
            Err(results) => serde_json::json!({ "runs": results }),
        };
        println!("{output}");
        return ExitCode::SUCCESS;
    }

    let title = scenario.name.clone().unwrap_or(source);
    for (idx, &model) in runs.iter().enumerate() {
        if idx > 0 {
            println!();
        }
        let trace = models::simulate(&scenario, model);
        println!("{title} - {}", model.label());
        print!("{}", ascii::render(&trace, args.width as usize));
        print!("{}", Metrics::of(&trace).to_text(&trace.unit));
    }
    ExitCode::SUCCESS
}

fn read_input(file: &str) -> Result<String, String> {
    if file == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|err| format!("cannot read standard input: {err}"))?;
        Ok(text)
    } else {
        std::fs::read_to_string(file).map_err(|err| format!("cannot read the file: {err}"))
    }
}

/// `error: FILE:LINE:COL: PATH: MESSAGE` plus a hint line when there is one.
fn located(file: &str, error: &ScenarioError) -> String {
    let mut out = format!("error: {file}");
    if let (Some(line), Some(column)) = (error.line, error.column) {
        out.push_str(&format!(":{line}:{column}"));
    }
    out.push_str(": ");
    if !error.path.is_empty() {
        out.push_str(&format!("{}: ", error.path));
    }
    out.push_str(&error.message);
    if let Some(hint) = &error.hint {
        out.push_str(&format!("\n  hint: {hint}"));
    }
    out
}
