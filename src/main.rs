//! Thin binary: parse the command line, call the library, draw progress, map errors to exit codes
//! (usage 2, invalid scenario 65, runtime 1).
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod cli;

use clap::Parser;
use cli::{Cli, Command, RunArgs};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use loyalsim::progress::Progress;
use loyalsim::sim::driver::{Coupling, RunOptions};
use loyalsim::{ScenarioError, ValidateOptions};
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

const EXIT_RUNTIME: u8 = 1;
const EXIT_INVALID: u8 = 65;

/// Progress bar on stderr, drawn by indicatif.
struct Bar(ProgressBar);

impl Progress for Bar {
    fn start(&self, total: u64) {
        self.0.set_length(total);
    }
    fn advance(&self, n: u64) {
        self.0.inc(n);
    }
    fn finish(&self) {
        self.0.finish_and_clear();
    }
}

fn bar(quiet: bool) -> Bar {
    let target = if quiet || !std::io::stderr().is_terminal() {
        ProgressDrawTarget::hidden()
    } else {
        ProgressDrawTarget::stderr()
    };
    let pb = ProgressBar::with_draw_target(Some(0), target);
    pb.set_style(
        ProgressStyle::with_template("{spinner} simulating [{bar:40}] {pos}/{len} iterations ({per_sec}, eta {eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    Bar(pb)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Validate { files } => validate(&files),
        Command::Run(args) => run(args),
    }
}

/// Exit code of a scenario error: unreadable file = runtime failure, anything else = invalid.
fn scenario_exit(e: &ScenarioError) -> u8 {
    match e {
        ScenarioError::Io { .. } => EXIT_RUNTIME,
        _ => EXIT_INVALID,
    }
}

/// Check every file (all of them, even after a failure). Exit 65 if any is invalid, else 1 if
/// any could not be read.
fn validate(files: &[std::path::PathBuf]) -> ExitCode {
    let mut code = 0u8;
    let mut out = std::io::stdout().lock();
    for f in files {
        match loyalsim::scenario::load(f, &ValidateOptions::default()) {
            Ok(s) => {
                // A closed pipe only loses the report, never the exit code.
                let _ = writeln!(
                    out,
                    "{}: ok ({} segments, {} scenarios, {} uncertain inputs)",
                    f.display(),
                    s.segments.len(),
                    s.arms.len().saturating_sub(1),
                    s.uncertain.len()
                );
            }
            Err(e) => {
                eprintln!("error: {e}");
                let c = scenario_exit(&e);
                if code != EXIT_INVALID {
                    code = c;
                }
            }
        }
    }
    ExitCode::from(code)
}

fn run(args: RunArgs) -> ExitCode {
    let scenario = match loyalsim::scenario::load(
        &args.file,
        &ValidateOptions {
            allocation: args.allocation.clone(),
        },
    ) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(scenario_exit(&e));
        }
    };
    // Fail early on a bad output path, before the long run.
    if let Some(dir) = &args.output {
        if dir.exists() && !dir.is_dir() {
            eprintln!(
                "error: cannot write results to {}: it exists and is not a directory; \
                 give --output a directory path (it is created if needed)",
                dir.display()
            );
            return ExitCode::from(EXIT_RUNTIME);
        }
        if let Err(e) = loyalsim::report::prepare_output_dir(dir) {
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_RUNTIME);
        }
    }
    let opts = RunOptions {
        iterations: args.iterations,
        seed: args.seed,
        threads: args.threads,
        central: args.central,
        coupling: if args.independent_streams {
            Coupling::Independent
        } else {
            Coupling::Common
        },
    };
    let progress = bar(args.quiet);
    let result = match loyalsim::run(&scenario, &opts, &progress) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_RUNTIME);
        }
    };
    if let Some(dir) = &args.output {
        match loyalsim::report::write_outputs(&result, dir) {
            Ok(paths) => {
                if !args.quiet {
                    eprintln!("wrote {} files to {}", paths.len(), dir.display());
                }
            }
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(EXIT_RUNTIME);
            }
        }
    }
    if !args.quiet {
        let text = loyalsim::report::terminal::render(&result);
        let mut out = std::io::stdout().lock();
        // A closed pipe (e.g. `| head`) is a clean exit, not a crash.
        if out.write_all(text.as_bytes()).and_then(|_| out.flush()).is_err() {
            return ExitCode::SUCCESS;
        }
    }
    ExitCode::SUCCESS
}
