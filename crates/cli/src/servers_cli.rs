//! `interleave run` on Servers-lab scenarios, and `interleave bench-servers`.

use std::process::ExitCode;

use interleave_core::ascii;
use interleave_core::servers::presets::{self, ms_text};
use interleave_core::servers::{self, ServerMetrics, ServerModel, ServersScenario};

use crate::{ModelArg, RunArgs, located, print_runs};

/// Runs the models asked for (default: the file's `model`) and prints a
/// timeline and the metrics of each, or JSON.
pub fn run(args: &RunArgs, source: &str, text: &str) -> ExitCode {
    let mut scenario = match ServersScenario::from_json(text) {
        Ok(scenario) => scenario,
        Err(error) => {
            eprintln!("{}", located(source, &error));
            return ExitCode::from(2);
        }
    };
    run_scenario(args, source, &mut scenario)
}

pub fn run_scenario(args: &RunArgs, source: &str, scenario: &mut ServersScenario) -> ExitCode {
    if let Some(threads) = args.threads {
        scenario.server.threads = threads;
    }
    if let Some(cores) = args.cores {
        scenario.server.cores = cores;
    }
    if let Err(error) = scenario.validate() {
        eprintln!("{}", located(source, &error));
        return ExitCode::from(2);
    }
    let mut models = Vec::new();
    for arg in &args.model {
        match *arg {
            ModelArg::Server(Some(model)) => models.push(model),
            ModelArg::Server(None) => models.extend(ServerModel::ALL),
            ModelArg::Models { .. } => {
                eprintln!(
                    "error: --model: sync and async are Models-lab models; this is a Servers-lab scenario (use multi_process, multi_threaded, evented, hybrid or all)"
                );
                return ExitCode::from(2);
            }
        }
    }
    if models.is_empty() {
        models.push(scenario.model);
    }
    let outcomes: Vec<servers::Outcome> = models
        .iter()
        .map(|&model| servers::simulate(scenario, model, !args.json || args.trace.is_some()))
        .collect();
    if let Some(path) = &args.trace {
        let title = scenario.name.clone().unwrap_or_else(|| source.to_owned());
        let named: Vec<(String, &interleave_core::Trace)> = outcomes
            .iter()
            .filter_map(|outcome| {
                let trace = outcome.trace.as_ref()?;
                Some((
                    format!("{title} - {}", outcome.metrics.model.title()),
                    trace,
                ))
            })
            .collect();
        if let Err(message) = crate::write_trace_file(path, &named) {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    }
    if args.json {
        let results: Vec<serde_json::Value> = outcomes
            .iter()
            .map(|outcome| {
                let (capacity, _) = presets::capacity(scenario, outcome.metrics.model);
                serde_json::json!({
                    "scenario": scenario.name,
                    "model": outcome.metrics.model,
                    "capacity": capacity,
                    "metrics": outcome.metrics,
                })
            })
            .collect();
        print_runs(results);
        return ExitCode::SUCCESS;
    }
    let title = scenario.name.clone().unwrap_or_else(|| source.to_owned());
    for (idx, outcome) in outcomes.iter().enumerate() {
        if idx > 0 {
            println!();
        }
        println!("{title} - {}", outcome.metrics.model.title());
        if let Some(trace) = &outcome.trace {
            print!("{}", ascii::render(trace, args.width as usize));
        }
        print!("{}", metrics_text(scenario, &outcome.metrics));
    }
    if outcomes.len() == ServerModel::ALL.len() {
        let all: Vec<ServerMetrics> = outcomes.iter().map(|o| o.metrics.clone()).collect();
        println!();
        println!("{}", presets::narrate(scenario, &all));
    }
    ExitCode::SUCCESS
}

fn metrics_text(scenario: &ServersScenario, m: &ServerMetrics) -> String {
    let (capacity, _) = presets::capacity(scenario, m.model);
    let utilisation = |shares: &[f64]| -> String {
        shares
            .iter()
            .map(|share| format!("{:.0}%", share * 100.0))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut out = String::new();
    out.push_str(&format!(
        "requests {}: answered in time {}, late {}, dropped {}, refused {}\n",
        m.requests, m.completed, m.late, m.dropped, m.rejected
    ));
    out.push_str(&format!(
        "throughput {:.1}/s (offered {:.1}/s, capacity about {:.1}/s)\n",
        m.throughput, scenario.traffic.rate, capacity
    ));
    out.push_str(&format!(
        "latency mean {} p50 {} p95 {} p99 {} max {}\n",
        ms_text(m.latency.mean),
        ms_text(m.latency.p50),
        ms_text(m.latency.p95),
        ms_text(m.latency.p99),
        ms_text(m.latency.max)
    ));
    out.push_str(&format!(
        "backlog mean {:.1} max {}; peak in server {}\n",
        m.mean_queue, m.max_queue, m.peak_in_system
    ));
    out.push_str(&format!(
        "memory peak {:.1} MB (processes and threads {:.1} MB)\n",
        m.peak_memory, m.base_memory
    ));
    out.push_str(&format!(
        "Little's law: L = {:.2} = lambda W = {:.2}/s x {}\n",
        m.little.l,
        m.little.lambda,
        ms_text(m.little.w_ms)
    ));
    out.push_str(&format!(
        "busy workers {}\nbusy cores {}\n",
        utilisation(&m.worker_utilisation),
        utilisation(&m.core_utilisation)
    ));
    out
}

#[derive(Debug, clap::Args)]
pub struct BenchServersArgs {
    /// Load points in the sweep.
    #[arg(long, default_value_t = 20)]
    points: usize,
    /// Requests per run.
    #[arg(long, default_value_t = 10_000)]
    requests: u32,
    /// Timed runs after one warm-up; the median is reported.
    #[arg(long, default_value_t = 5)]
    runs: usize,
}

pub fn bench(args: &BenchServersArgs) -> ExitCode {
    let scenario = servers::bench_scenario(args.requests);
    if let Err(error) = scenario.validate() {
        eprintln!("error: --requests: {}", error.message);
        return ExitCode::from(2);
    }
    let max_rate = servers::bench_max_rate(&scenario);
    let mut millis = Vec::new();
    let mut checksum = 0.0;
    for run in 0..=args.runs.max(1) {
        let started = std::time::Instant::now();
        let points = servers::sweep(&scenario, max_rate, args.points, |_, _| true);
        if run > 0 {
            millis.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        checksum = servers::sweep_checksum(&points);
    }
    millis.sort_by(f64::total_cmp);
    println!(
        "{}",
        serde_json::json!({
            "points": args.points,
            "models": ServerModel::ALL.len(),
            "requests": args.requests,
            "checksum": checksum,
            "median_ms": millis[millis.len() / 2],
            "runs_ms": millis,
        })
    );
    ExitCode::SUCCESS
}
