//! `lotstation bench generate|run`: the synthetic workshop and the benchmark table.

use std::path::PathBuf;

use clap::Subcommand;

use crate::bench::generate::{Scale, generate};

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Write a synthetic workshop's master data and past records as CSV files
    Generate {
        #[arg(long, value_enum, default_value_t = Scale::Small)]
        scale: Scale,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// folder for the files (history CSVs go to OUT/history)
        #[arg(long)]
        out: PathBuf,
    },
    /// Measure every figure and print the table
    Run {
        #[arg(long, value_enum, default_value_t = Scale::Small)]
        scale: Scale,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// work folder (default: a temporary one, removed afterwards)
        #[arg(long)]
        dir: Option<PathBuf>,
        /// also measure PostgreSQL: a database on the server to use (its role needs
        /// CREATEDB; the figures run in fresh databases beside it, dropped afterwards)
        #[arg(long, value_parser = crate::store::Location::parse)]
        postgres: Option<crate::store::Location>,
    },
}

pub fn bench(command: BenchCommand) -> anyhow::Result<i32> {
    match command {
        BenchCommand::Generate { scale, seed, out } => {
            let g = generate(&out, scale, seed)?;
            say!(
                "{} history in {}: {} lots, {} batches, {} consumptions, {} orders, {} shipment lines, {} wastes, {} holds",
                scale.name(),
                out.display(),
                g.lots,
                g.batches,
                g.consumptions,
                g.orders,
                g.shipment_lines,
                g.wastes,
                g.holds
            );
            say!(
                "import with: lotstation import items|suppliers|customers {}/<file>.csv, then lotstation import history {}/history",
                out.display(),
                out.display()
            );
            Ok(0)
        }
        BenchCommand::Run {
            scale,
            seed,
            dir,
            postgres,
        } => {
            let temporary = match &dir {
                Some(_) => None,
                None => Some(tempfile_dir()?),
            };
            let dir = dir.or_else(|| temporary.clone()).unwrap_or_default();
            std::fs::create_dir_all(&dir)?;
            let exe = std::env::current_exe()?;
            let mut log = std::io::stderr();
            let figures =
                crate::bench::run::run(&dir, scale, seed, &exe, postgres.as_ref(), &mut log);
            if let Some(temporary) = temporary {
                let _ = std::fs::remove_dir_all(temporary);
            }
            let figures = figures?;
            say!(
                "lotstation bench, scale {}, seed {seed}, {} cores, {}",
                scale.name(),
                std::thread::available_parallelism()
                    .map(|n| n.get())
                    .unwrap_or(1),
                if cfg!(debug_assertions) {
                    "DEBUG build (numbers are not representative)"
                } else {
                    "release build"
                }
            );
            crate::bench::figure::print_table(&figures, &mut std::io::stdout().lock())?;
            Ok(0)
        }
    }
}

fn tempfile_dir() -> anyhow::Result<PathBuf> {
    let base = std::env::temp_dir().join(format!("lotstation-bench-{}", std::process::id()));
    std::fs::create_dir_all(&base)?;
    Ok(base)
}
