//! `interleave`: runs Interleave scenario files natively.
//!
//! `interleave run FILE` prints an ASCII timeline and the metrics of each
//! model asked for; `--json` prints the trace and metrics as JSON. Bad input
//! prints a located error and exits with code 2.

use std::io::Read;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use interleave_core::metrics::Metrics;
use interleave_core::scenario::{MAX_THREADS, Model, ModelKind};
use interleave_core::{Scenario, ScenarioError, ascii, models};

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
}

#[derive(Debug, clap::Args)]
struct RunArgs {
    /// Scenario file (JSON; see docs/scenario-format.md), or `-` for stdin.
    file: String,
    /// Models to run, comma separated; default: the file's `model`.
    #[arg(long, value_delimiter = ',')]
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

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ModelArg {
    Sync,
    Async,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Run(args) => run(&args),
    }
}

fn run(args: &RunArgs) -> ExitCode {
    let text = match read_input(&args.file) {
        Ok(text) => text,
        Err(message) => {
            eprintln!("error: {}: {message}", args.file);
            return ExitCode::from(2);
        }
    };
    let scenario = match Scenario::from_json(&text) {
        Ok(scenario) => scenario,
        Err(error) => {
            eprintln!("{}", located(&args.file, &error));
            return ExitCode::from(2);
        }
    };
    let base = Model {
        threads: args.threads.unwrap_or(scenario.model.threads),
        cores: args.cores.or(scenario.model.cores),
        ..scenario.model
    };
    let runs: Vec<Model> = if args.model.is_empty() {
        vec![base]
    } else {
        args.model
            .iter()
            .map(|model| Model {
                kind: match model {
                    ModelArg::Sync => ModelKind::Sync,
                    ModelArg::Async => ModelKind::Async,
                },
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

    let title = scenario.name.clone().unwrap_or_else(|| args.file.clone());
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
