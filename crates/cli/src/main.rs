//! `interleave`: runs Interleave scenario files natively.
//!
//! `interleave run FILE` prints an ASCII timeline and the metrics of each
//! model asked for; `--json` prints the trace and metrics as JSON. Bad input
//! prints a located error and exits with code 2.

use std::io::Read;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use interleave_core::input::is_servers_text;
use interleave_core::labs::LabId;
use interleave_core::metrics::Metrics;
use interleave_core::models::lab as models_lab;
use interleave_core::models::lab::ModelsLab;
use interleave_core::models::scenario::{MAX_THREADS, Model, ModelKind};
use interleave_core::parallel::lab::ParallelLab;
use interleave_core::servers::ServerModel;
use interleave_core::servers::lab::ServersLab;
use interleave_core::share::{self, Fragment};
use interleave_core::{Scenario, ScenarioError, Trace, ascii, models};

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
    /// Simulate a Models-lab scenario file and print its timeline and
    /// metrics; a Servers-lab scenario; or a JavaScript program (`.js`) of
    /// the Event loop lab: its console, the jobs the event loop ran, the
    /// timeline and how it ended.
    Run(RunArgs),
    /// Time the Models engine natively on a generated workload (the same
    /// work the bench measures in wasm) and print JSON.
    BenchModels(BenchArgs),
    /// Run the Parallel lab's kernels natively with rayon on 1..N threads
    /// and print times, speedups, efficiency and the fitted serial fraction.
    BenchPar(BenchParArgs),
    /// Explore every interleaving of a Races-lab program (see
    /// docs/races-language.md): the outcome histogram and the shortest
    /// failing schedule.
    Explore(ExploreArgs),
    /// Run random schedules of a Races-lab program (PCT: random thread
    /// priorities with d - 1 change points) and report the first that
    /// meets its goal, or fails: for programs too big to explore whole.
    Sample(SampleArgs),
    /// Replay a schedule of a Races-lab program and print every step.
    Replay(ReplayArgs),
    /// Time the Races explorer natively on the bench programs (JSON).
    BenchRaces(BenchArgs),
    /// Time the Servers lab's sweep natively: load points x 4 models x
    /// requests (the same work the bench measures in wasm; JSON).
    BenchServers(servers_cli::BenchServersArgs),
    /// Check a challenge set: validate it, play every reference solution
    /// and print what each challenge asks (`--built-in`: every lab's
    /// built-in set).
    Check(check_cli::CheckArgs),
    /// Read progress reports students handed in (`interleave-progress/1`
    /// files): what each won and answered, a line each.
    Report(check_cli::ReportArgs),
}

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("input").required(true).args(["file", "link"])))]
struct ExploreArgs {
    /// Program file (the Races lab's language), or `-` for stdin.
    file: Option<String>,
    /// A Races lab share link (`https://…/#/races?s=v1.…`): explores its
    /// program from the step the link shows.
    #[arg(long)]
    link: Option<String>,
    /// Visit every schedule: no deduplication of visited states and no
    /// partial-order reduction (counts every interleaving exactly).
    #[arg(long)]
    no_reduction: bool,
    /// Stop after this many states and say the search is incomplete.
    #[arg(long, default_value_t = interleave_core::races::limits::DEFAULT_MAX_STATES)]
    max_states: usize,
    /// Print JSON: interleavings, outcomes (final shared variables and a
    /// count), deadlocks, shortest_failing and more.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, clap::Args)]
struct SampleArgs {
    /// Program file (the Races lab's language), or `-` for stdin.
    file: String,
    /// Random schedules to run.
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..=interleave_core::races::sample::MAX_SAMPLE_RUNS))]
    runs: u64,
    /// Seed of the random priorities and change points.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// PCT's bug depth d: ordering constraints a failure may need.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=interleave_core::races::sample::MAX_SAMPLE_DEPTH as i64))]
    depth: u32,
    /// Print JSON: tried, failing, first_failure, first_failure_run.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, clap::Args)]
struct ReplayArgs {
    /// Program file (the Races lab's language), or `-` for stdin.
    file: String,
    /// Thread names in order, e.g. `A B B A` or `A*2 B`.
    #[arg(required = true, num_args = 1..)]
    schedule: Vec<String>,
    /// Also write the run as a trace file for Perfetto or chrome://tracing
    /// (each step drawn as 1 ms).
    #[arg(long, value_name = "FILE")]
    trace: Option<String>,
}

#[derive(Debug, clap::Args)]
struct BenchParArgs {
    /// Kernels to run, comma separated: mandelbrot, primes, hash-chain.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "mandelbrot,primes,hash-chain"
    )]
    kernel: Vec<String>,
    /// Thread counts, comma separated; default: 1, 2, 4, ... up to the cores here.
    #[arg(long, value_delimiter = ',')]
    threads: Vec<usize>,
    /// Kernel size (see docs); default: each kernel's default.
    #[arg(long)]
    size: Option<u64>,
    /// Items per chunk; default: each kernel's default.
    #[arg(long)]
    chunk: Option<u64>,
    /// Share of the items run serially first, 0 to 0.95.
    #[arg(long, default_value_t = 0.0)]
    serial: f64,
    /// Chunk hand-out: fixed (every chunk the same) or guided (smaller
    /// toward the end, so the workers finish together).
    #[arg(long, default_value = "fixed")]
    handout: String,
    /// Weak scaling: grow the problem with the threads (the parallel part
    /// n times, the serial part as it is) and compare with Gustafson's law.
    #[arg(long)]
    weak: bool,
    /// Timed runs per thread count after one warm-up; the median is reported.
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
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
    /// threads and cores, e.g. `sync:4,async:1,async:4:2`; for a Servers
    /// scenario `multi_process`, `multi_threaded`, `evented`, `hybrid` or
    /// `all`; default: the file's `model`.
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
    /// Also write the timelines as a trace file for Perfetto or
    /// chrome://tracing (Chrome's trace event JSON; each run a process).
    #[arg(long, value_name = "FILE")]
    trace: Option<String>,
}

/// `kind[:threads[:cores]]` from the command line, or a Servers model.
#[derive(Debug, Clone, Copy)]
enum ModelArg {
    Models {
        kind: ModelKind,
        threads: Option<u32>,
        cores: Option<u32>,
    },
    /// `None`: all four.
    Server(Option<ServerModel>),
}

fn parse_model_arg(text: &str) -> Result<ModelArg, String> {
    if text == "all" {
        return Ok(ModelArg::Server(None));
    }
    if let Some(model) = ServerModel::from_id(text) {
        return Ok(ModelArg::Server(Some(model)));
    }
    let mut parts = text.split(':');
    let kind = match parts.next() {
        Some("sync") => ModelKind::Sync,
        Some("async") => ModelKind::Async,
        other => {
            return Err(format!(
                "{:?} is not a model: use sync or async (Models lab), or multi_process, multi_threaded, evented, hybrid or all (Servers lab)",
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
    Ok(ModelArg::Models {
        kind,
        threads,
        cores,
    })
}

mod check_cli;
mod eventloop_cli;
mod races_cli;
mod servers_cli;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Run(args) => run(&args),
        Command::BenchModels(args) => bench_models(&args),
        Command::BenchPar(args) => bench_par(&args),
        Command::Explore(args) => races_cli::explore(&args),
        Command::Sample(args) => races_cli::sample(&args),
        Command::Replay(args) => races_cli::replay(&args),
        Command::BenchRaces(args) => races_cli::bench(&args),
        Command::BenchServers(args) => servers_cli::bench(&args),
        Command::Check(args) => check_cli::check(&args),
        Command::Report(args) => check_cli::report_files(&args),
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
fn load(args: &RunArgs, text: Option<String>) -> Result<(Scenario, String, Vec<Model>), String> {
    if let Some(link) = &args.link {
        let fragment = Fragment::parse(
            link.split_once('#')
                .map_or(link.as_str(), |(_, fragment)| fragment),
        );
        let state = fragment.state.ok_or_else(|| {
            "error: --link: the link holds no scenario (no s=v1.… after #)".to_owned()
        })?;
        let lab = share::lab_of(&state).map_err(|error| format!("error: --link: {error}"))?;
        return match lab {
            LabId::Models => {
                let lab = share::decode::<ModelsLab>(&state)
                    .map_err(|error| format!("error: --link: {error}"))?;
                Ok(((*lab.scenario).clone(), "the link".to_owned(), lab.configs))
            }
            LabId::Servers => unreachable!("run() hands Servers links to servers_cli"),
            LabId::EventLoop => unreachable!("run() hands Event loop links to eventloop_cli"),
            LabId::Races => Err(
                "error: --link: this is a Races lab link: explore it with `interleave explore --link URL`"
                    .to_owned(),
            ),
            LabId::Parallel => {
                let lab = share::decode::<ParallelLab>(&state)
                    .map_err(|error| format!("error: --link: {error}"))?;
                Err(format!(
                    "error: --link: this is a Parallel lab link: run its kernel natively with `interleave bench-par --kernel {} --size {} --chunk {} --serial {}{}`",
                    serde_json::to_value(lab.spec.kind)
                        .ok()
                        .and_then(|kind| kind.as_str().map(str::to_owned))
                        .unwrap_or_default(),
                    lab.spec.size,
                    lab.spec.chunk,
                    lab.spec.serial_fraction,
                    match lab.spec.handout {
                        interleave_core::parallel::kernels::Handout::Fixed => "",
                        interleave_core::parallel::kernels::Handout::Guided => " --handout guided",
                    }
                ))
            }
        };
    }
    let file = args.file.clone().expect("clap requires a file or a link");
    let text = text.expect("run() read the file");
    let scenario = Scenario::from_json(&text).map_err(|error| located(&file, &error))?;
    Ok((scenario, file, Vec::new()))
}

fn run(args: &RunArgs) -> ExitCode {
    if let Some(link) = &args.link {
        let fragment = Fragment::parse(link.split_once('#').map_or(link.as_str(), |(_, f)| f));
        if let Some(Ok(lab)) = fragment.state.as_deref().map(share::decode::<ServersLab>) {
            return servers_cli::run_scenario(args, "the link", &mut lab.scenario.clone());
        }
        match eventloop_cli::link_source(link) {
            Ok(Some(source)) => return eventloop_cli::run(args, "the link", &source),
            Ok(None) => {}
            Err(message) => {
                eprintln!("{message}");
                return ExitCode::from(2);
            }
        }
    }
    // The input is read once (standard input cannot be read twice).
    let text = match &args.file {
        Some(file) if args.link.is_none() => match read_input(file) {
            Ok(text) if is_servers_text(&text) => return servers_cli::run(args, file, &text),
            Ok(text) if eventloop_cli::is_program(file, &text) => {
                return eventloop_cli::run(args, file, &text);
            }
            Ok(text) => Some(text),
            Err(message) => {
                eprintln!("error: {file}: {message}");
                return ExitCode::from(2);
            }
        },
        _ => None,
    };
    let (scenario, source, link_configs) = match load(args, text) {
        Ok(loaded) => loaded,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let mut model_args = Vec::new();
    for arg in &args.model {
        match *arg {
            ModelArg::Models {
                kind,
                threads,
                cores,
            } => model_args.push((kind, threads, cores)),
            ModelArg::Server(_) => {
                eprintln!(
                    "error: --model: multi_process, multi_threaded, evented, hybrid and all are Servers-lab models; this is a Models-lab scenario (use sync or async)"
                );
                return ExitCode::from(2);
            }
        }
    }
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
        model_args
            .iter()
            .map(|&(kind, threads, cores)| Model {
                kind,
                threads: threads.unwrap_or(base.threads),
                cores: cores.or(base.cores),
                ..base
            })
            .collect()
    };
    // Every run is checked before any is simulated.
    if let Err(error) = runs
        .iter()
        .try_for_each(|model| model.validate("--model"))
        .and_then(|()| scenario.check_work(&runs, |_| "--model".to_owned()))
    {
        eprintln!("{}", located(&source, &error));
        return ExitCode::from(2);
    }

    let traces: Vec<(Model, Trace)> = runs
        .iter()
        .map(|&model| (model, models::simulate(&scenario, model)))
        .collect();
    let title = scenario.name.clone().unwrap_or(source);
    if let Some(path) = &args.trace {
        let named: Vec<(String, &Trace)> = traces
            .iter()
            .map(|(model, trace)| (format!("{title} - {}", model.label()), trace))
            .collect();
        if let Err(message) = write_trace_file(path, &named) {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    }
    if args.json {
        let results: Vec<serde_json::Value> = traces
            .into_iter()
            .map(|(model, trace)| {
                let metrics = Metrics::of(&trace);
                serde_json::json!({
                    "scenario": scenario.name,
                    "model": model,
                    "metrics": metrics,
                    "trace": trace,
                })
            })
            .collect();
        print_runs(results);
        return ExitCode::SUCCESS;
    }

    for (idx, (model, trace)) in traces.iter().enumerate() {
        if idx > 0 {
            println!();
        }
        println!("{title} - {}", model.label());
        print!("{}", ascii::render(trace, args.width as usize));
        print!("{}", Metrics::of(trace).to_text(&trace.unit));
    }
    ExitCode::SUCCESS
}

/// Writes `traces` (title, trace) to `path` as a Perfetto / Chrome trace
/// file; the error names the option and the file.
pub(crate) fn write_trace_file(path: &str, traces: &[(String, &Trace)]) -> Result<(), String> {
    let named: Vec<(&str, &Trace)> = traces
        .iter()
        .map(|(title, trace)| (title.as_str(), *trace))
        .collect();
    let text = interleave_core::perfetto::to_chrome_trace(&named)
        .map_err(|message| format!("error: --trace {path}: {message}"))?;
    std::fs::write(path, text)
        .map_err(|err| format!("error: --trace {path}: cannot write the file: {err}"))
}

/// One run's JSON as it is; several as `{"runs": [...]}`.
pub(crate) fn print_runs(results: Vec<serde_json::Value>) {
    let output = match <[serde_json::Value; 1]>::try_from(results) {
        Ok([single]) => single,
        Err(results) => serde_json::json!({ "runs": results }),
    };
    println!("{output}");
}

/// Reads a file, or standard input for `-`, refusing input larger than
/// `MAX_INPUT_BYTES` after reading at most one byte more (so `/dev/zero` or
/// an endless pipe stops at once).
pub(crate) fn read_input(file: &str) -> Result<String, String> {
    let limit = interleave_core::input::MAX_INPUT_BYTES;
    let (reader, what): (Box<dyn Read>, &str) = if file == "-" {
        (Box::new(std::io::stdin()), "standard input")
    } else {
        let opened =
            std::fs::File::open(file).map_err(|err| format!("cannot read the file: {err}"))?;
        (Box::new(opened), "the file")
    };
    let mut bytes = Vec::new();
    reader
        .take(limit as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|err| format!("cannot read {what}: {err}"))?;
    if bytes.len() > limit {
        return Err(format!(
            "{what} is larger than {limit} bytes, the most a scenario or program may be"
        ));
    }
    String::from_utf8(bytes).map_err(|err| {
        format!(
            "{what} is not UTF-8 text (byte {} is not valid)",
            err.utf8_error().valid_up_to() + 1
        )
    })
}

/// `error: FILE:LINE:COL: PATH: MESSAGE` plus a hint line when there is one.
pub(crate) fn located(file: &str, error: &ScenarioError) -> String {
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

fn bench_par(args: &BenchParArgs) -> ExitCode {
    use interleave_core::parallel::amdahl;
    use interleave_core::parallel::kernels::{Handout, KernelKind, KernelSpec};

    let handout = match args.handout.as_str() {
        "fixed" => Handout::Fixed,
        "guided" => Handout::Guided,
        other => {
            eprintln!("error: --handout: {other:?} is not one of fixed, guided");
            return ExitCode::from(2);
        }
    };

    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads: Vec<usize> = if args.threads.is_empty() {
        let mut counts: Vec<usize> = std::iter::successors(Some(1usize), |n| Some(n * 2))
            .take_while(|n| *n <= cores)
            .collect();
        if counts.last() != Some(&cores) {
            counts.push(cores);
        }
        counts
    } else {
        args.threads.clone()
    };
    if threads.iter().any(|n| *n == 0 || *n > 1024) {
        eprintln!("error: --threads: counts must be in 1..=1024");
        return ExitCode::from(2);
    }
    let started = std::time::Instant::now();
    let clock = move || started.elapsed().as_secs_f64() * 1000.0;
    let mut report = Vec::new();
    for name in &args.kernel {
        let Some(kind) = KernelKind::ALL.into_iter().find(|kind| {
            serde_json::to_value(kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .as_deref()
                == Some(name.as_str())
        }) else {
            eprintln!("error: --kernel: {name:?} is not one of mandelbrot, primes, hash-chain");
            return ExitCode::from(2);
        };
        let defaults = KernelSpec::default_for(kind);
        let spec = KernelSpec {
            size: args.size.unwrap_or(defaults.size),
            chunk: args.chunk.unwrap_or(defaults.chunk),
            serial_fraction: args.serial,
            handout,
            ..defaults
        };
        if let Err(error) = spec.validate() {
            eprintln!("error: {}: {}", error.path, error.message);
            return ExitCode::from(2);
        }
        if args.weak {
            match weak_scaling(&spec, &threads, args.runs, &clock) {
                Ok(runs) => report.push(serde_json::json!({
                    "kernel": name, "spec": spec, "weak": true, "runs": runs,
                })),
                Err(message) => {
                    eprintln!("error: {name}: {message}");
                    return ExitCode::from(2);
                }
            }
            continue;
        }
        let mut rows = Vec::new();
        let mut reference = None;
        for &workers in &threads {
            let (median, checksum) = time_kernel(&spec, workers, args.runs, &clock);
            if *reference.get_or_insert(checksum) != checksum {
                eprintln!(
                    "error: {name}: checksum on {workers} threads differs from the first run"
                );
                return ExitCode::from(1);
            }
            rows.push((workers, median, checksum));
        }
        let base = rows
            .iter()
            .find(|(n, _, _)| *n == 1)
            .map_or(rows[0].1 * rows[0].0 as f64, |row| row.1);
        let points: Vec<(f64, f64)> = rows
            .iter()
            .map(|(n, ms, _)| (*n as f64, base / ms))
            .collect();
        let fitted = amdahl::fit_serial_fraction(&points);
        report.push(serde_json::json!({
            "kernel": name,
            "spec": spec,
            "fitted_serial_fraction": fitted,
            "runs": rows.iter().map(|(n, ms, checksum)| serde_json::json!({
                "threads": n, "median_ms": ms, "speedup": base / ms, "efficiency": base / ms / *n as f64,
                "amdahl": amdahl::speedup(spec.serial_fraction, *n as f64), "checksum": format!("{checksum:016x}"),
            })).collect::<Vec<_>>(),
        }));
    }
    if args.json {
        println!(
            "{}",
            serde_json::json!({ "cores": cores, "kernels": report })
        );
        return ExitCode::SUCCESS;
    }
    println!(
        "{cores} cores here; medians of {} runs after a warm-up",
        args.runs.max(1)
    );
    for kernel in &report {
        if kernel["weak"] == true {
            print_weak(kernel);
            continue;
        }
        println!(
            "\n{} (size {}, chunk {}, {} hand-out, serial fraction {}): fitted serial fraction {:.3}",
            kernel["kernel"].as_str().unwrap_or(""),
            kernel["spec"]["size"],
            kernel["spec"]["chunk"],
            kernel["spec"]["handout"].as_str().unwrap_or("fixed"),
            kernel["spec"]["serial_fraction"],
            kernel["fitted_serial_fraction"].as_f64().unwrap_or(0.0)
        );
        println!("threads   median ms   speedup   efficiency   Amdahl   checksum");
        for run in kernel["runs"].as_array().into_iter().flatten() {
            println!(
                "{:>7}   {:>9.1}   {:>6.2}x   {:>9.0} %   {:>5.2}x   {}",
                run["threads"].as_u64().unwrap_or(0),
                run["median_ms"].as_f64().unwrap_or(0.0),
                run["speedup"].as_f64().unwrap_or(0.0),
                run["efficiency"].as_f64().unwrap_or(0.0) * 100.0,
                run["amdahl"].as_f64().unwrap_or(0.0),
                run["checksum"].as_str().unwrap_or("")
            );
        }
    }
    ExitCode::SUCCESS
}

/// Runs `spec` on a pool of `workers` threads once to warm up, then `runs`
/// times: the median time and the checksum.
fn time_kernel(
    spec: &interleave_core::parallel::kernels::KernelSpec,
    workers: usize,
    runs: usize,
    clock: &(dyn Fn() -> f64 + Sync),
) -> (f64, u64) {
    use interleave_core::parallel::threads::{RunControl, run_kernel};
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(workers)
        .build()
        .expect("a thread pool");
    let image = spec.new_image();
    let cancel = std::sync::atomic::AtomicBool::new(false);
    let control = RunControl {
        clock,
        cancel: &cancel,
    };
    let mut times = Vec::new();
    let mut checksum = 0;
    for run in 0..=runs.max(1) {
        let result = pool.install(|| run_kernel(spec, workers, &image, control));
        checksum = result.checksum;
        if run > 0 {
            times.push(result.millis);
        }
    }
    times.sort_by(f64::total_cmp);
    (times[times.len() / 2], checksum)
}

/// Weak scaling: on n threads, the problem grown n times in its parallel
/// part (`KernelSpec::scaled`). Its scaled speedup, g x the one-thread time
/// of the original over the time on n threads, is compared with
/// Gustafson's g = s + n (1 - s); ideally the time stays flat.
fn weak_scaling(
    spec: &interleave_core::parallel::kernels::KernelSpec,
    threads: &[usize],
    runs: usize,
    clock: &(dyn Fn() -> f64 + Sync),
) -> Result<Vec<serde_json::Value>, String> {
    use interleave_core::parallel::amdahl;
    // Every grown problem is checked before any is run.
    let grown = threads
        .iter()
        .map(|&n| spec.scaled(n).map(|scaled| (n, scaled)))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| format!("{}: {}", error.path, error.message))?;
    let (base, _) = time_kernel(spec, 1, runs, clock);
    Ok(grown
        .into_iter()
        .map(|(n, scaled)| {
            let (median, checksum) = time_kernel(&scaled, n, runs, clock);
            let growth = amdahl::gustafson(spec.serial_fraction, n as f64);
            serde_json::json!({
                "threads": n, "size": scaled.size, "median_ms": median,
                "scaled_speedup": growth * base / median, "gustafson": growth,
                "checksum": format!("{checksum:016x}"),
            })
        })
        .collect())
}

fn print_weak(kernel: &serde_json::Value) {
    println!(
        "\n{} weak scaling (the parallel part grows with the threads; serial fraction {} of the original): the time should stay flat",
        kernel["kernel"].as_str().unwrap_or(""),
        kernel["spec"]["serial_fraction"],
    );
    println!("threads        size   median ms   scaled speedup   Gustafson   checksum");
    for run in kernel["runs"].as_array().into_iter().flatten() {
        println!(
            "{:>7}   {:>9}   {:>9.1}   {:>13.2}x   {:>8.2}x   {}",
            run["threads"].as_u64().unwrap_or(0),
            run["size"].as_u64().unwrap_or(0),
            run["median_ms"].as_f64().unwrap_or(0.0),
            run["scaled_speedup"].as_f64().unwrap_or(0.0),
            run["gustafson"].as_f64().unwrap_or(0.0),
            run["checksum"].as_str().unwrap_or("")
        );
    }
}
