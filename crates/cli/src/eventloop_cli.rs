//! `interleave run FILE.js`: the Event loop lab on the command line. Prints
//! what the program printed, each job the event loop ran (with its time
//! and where it came from), the timeline as ASCII, and how the run ended;
//! `--json` prints the console, the jobs, the ending and the trace.
//!
//! Exit codes: 0 when the program ran to its end; 1 when it ended with an
//! uncaught exception or an unhandled rejection (as Node would); 2 for
//! bad input; 3 when a limit of the lab stopped it or it used what the
//! lab does not model.

use std::process::ExitCode;
use std::rc::Rc;

use interleave_core::ascii;
use interleave_core::eventloop::lab::EventLoopLab;
use interleave_core::eventloop::lab::narration::ms;
use interleave_core::eventloop::lab::timeline;
use interleave_core::eventloop::record::{Ending, Run};
use interleave_core::eventloop::{Limits, compile_source, runtime};
use interleave_core::share::{self, Fragment, LinkError};

use super::{RunArgs, located};

/// Whether a file is a program of the Event loop lab: by its name, or (on
/// standard input) by not being a scenario of another lab.
pub fn is_program(file: &str, text: &str) -> bool {
    if [".js", ".mjs", ".cjs"]
        .iter()
        .any(|ext| file.ends_with(ext))
    {
        return true;
    }
    file == "-"
        && !text.trim_start().starts_with('{')
        && !interleave_core::input::is_servers_text(text)
}

/// The program of an Event loop link.
pub fn link_source(link: &str) -> Result<Option<String>, String> {
    let fragment = Fragment::parse(link.split_once('#').map_or(link, |(_, fragment)| fragment));
    let Some(state) = fragment.state else {
        return Ok(None);
    };
    match share::decode::<EventLoopLab>(&state) {
        Ok(lab) => Ok(Some(lab.source)),
        Err(LinkError::AnotherLab { .. }) => Ok(None),
        Err(error) => Err(format!("error: --link: {error}")),
    }
}

pub fn run(args: &RunArgs, file: &str, text: &str) -> ExitCode {
    let program = match compile_source(text) {
        Ok(program) => Rc::new(program),
        Err(error) => {
            eprintln!("{}", located(file, &error));
            return ExitCode::from(2);
        }
    };
    let run = runtime::run(program, Rc::from(text), Limits::default());
    if args.json {
        let json = serde_json::json!({
            "console": run.console_text(),
            "console_lines": run.console,
            "jobs": run.jobs,
            "steps": run.steps.len(),
            "frames": run.frames,
            "ending": run.ending,
            "exit_code": run.exit_code(),
            "trace": timeline::trace(&run),
        });
        println!("{json}");
    } else {
        print!("{}", text_report(&run, args.width as usize));
    }
    exit_code(&run)
}

fn exit_code(run: &Run) -> ExitCode {
    match run.ending {
        Ending::Finished => ExitCode::SUCCESS,
        Ending::Uncaught { .. } | Ending::Unhandled { .. } => ExitCode::from(1),
        Ending::Stopped { .. } | Ending::Unsupported { .. } => ExitCode::from(3),
    }
}

/// The report a terminal shows.
pub fn text_report(run: &Run, width: usize) -> String {
    let mut out = String::new();
    out.push_str("console:\n");
    if run.console.is_empty() {
        out.push_str("  (nothing printed)\n");
    }
    for line in &run.console {
        for part in line.text.split('\n') {
            out.push_str(&format!("  {part}\n"));
        }
    }
    out.push_str("\nevent loop (virtual time; each job as the loop took it):\n");
    let shown = 200;
    for job in run.jobs.iter().take(shown) {
        out.push_str(&format!(
            "  {:>11}  {:<9}  {}{}\n",
            ms(job.start),
            job.source.name(),
            job.label,
            if job.end > job.start + 1_000 {
                format!("  [ran {}]", ms(job.end - job.start))
            } else {
                String::new()
            }
        ));
    }
    if run.jobs.len() > shown {
        out.push_str(&format!("  … and {} more jobs\n", run.jobs.len() - shown));
    }
    let missed = run.frames.iter().filter(|f| f.missed).count();
    out.push_str(&format!(
        "\ntimeline ({} steps, {} jobs, {} of {} frames missed):\n",
        run.steps.len(),
        run.jobs.len(),
        missed,
        run.frames.len()
    ));
    out.push_str(&ascii::render(&timeline::trace(run), width));
    out.push_str("             frames: E a frame drawn on time, e a frame missed (a job held the thread)\n\n");
    out.push_str(&match &run.ending {
        Ending::Finished => format!(
            "ended: nothing left to run at {} (Node exits with code 0)\n",
            ms(run.end)
        ),
        Ending::Uncaught { error, line } => {
            format!(
                "ended: uncaught {error}{}; Node exits with code 1\n",
                at_line(*line)
            )
        }
        Ending::Unhandled { reason } => {
            format!("ended: unhandled rejection {reason}; Node exits with code 1\n")
        }
        Ending::Stopped { reason, line } => {
            format!("stopped by the lab{}: {reason}\n", at_line(*line))
        }
        Ending::Unsupported { reason, line } => format!("stopped{}: {reason}\n", at_line(*line)),
    });
    out
}

/// " at line 4", or nothing where no statement was running (between jobs).
fn at_line(line: u32) -> String {
    if line > 0 {
        format!(" at line {line}")
    } else {
        String::new()
    }
}
