//! The `lotstation` binary: parse arguments, set up logging, run the command, and map the
//! outcome to an exit code (0 success, 1 failure, 2 usage error).

use clap::Parser;

fn main() {
    let cli = lotstation::cli::Cli::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_env("LOTSTATION_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    match lotstation::cli::main(cli) {
        Ok(code) => std::process::exit(code),
        Err(e) if reader_went_away(&e) => {
            // the reader of our output went away (`| head`): nothing to report
            std::process::exit(0);
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::exit(1);
        }
    }
}

/// The reader of our output went away (`| head`): an error of writing to a closed pipe,
/// directly or inside a JSON writer's error.
fn reader_went_away(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || cause
                .downcast_ref::<serde_json::Error>()
                .and_then(serde_json::Error::io_error_kind)
                == Some(std::io::ErrorKind::BrokenPipe)
    })
}
