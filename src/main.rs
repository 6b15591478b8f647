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
        Err(e)
            if e.downcast_ref::<std::io::Error>().map(|e| e.kind())
                == Some(std::io::ErrorKind::BrokenPipe) =>
        {
            // the reader of our output went away (`| head`): nothing to report
            std::process::exit(0);
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::exit(1);
        }
    }
}
