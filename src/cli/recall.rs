//! `lotstation recall LOT [--mock] [--out DIR]`: the recall package (recall.json,
//! customers.csv, recall.pdf), stamped with the time and the journal head.

use crate::store::Location;
use std::path::PathBuf;

use clap::ValueEnum;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RecallFormat {
    Text,
    Json,
    Csv,
    Pdf,
}

pub struct RecallArgs {
    pub code: String,
    pub supplier: Option<String>,
    pub mock: bool,
    pub out: Option<PathBuf>,
    pub format: RecallFormat,
}

pub fn recall(
    db: &Location,
    station: &crate::config::Station,
    args: RecallArgs,
) -> anyhow::Result<i32> {
    let mut store = super::open_existing(db, station)?;
    let target = store.resolve(&args.code, args.supplier.as_deref())?;
    if !target.is_stock() {
        anyhow::bail!(
            "a recall starts at a lot or a batch; {} is a {}",
            target.code(),
            target.kind()
        );
    }
    let now = crate::clock::now();
    let operator = std::env::var("USER").ok();
    let files =
        crate::report::recall_package(&mut store, &target, args.mock, now, operator.as_deref())?;
    let out_dir = args
        .out
        .unwrap_or_else(|| PathBuf::from(format!("recall-{}", target.code())));
    std::fs::create_dir_all(&out_dir)?;
    std::fs::write(out_dir.join("recall.json"), &files.json)?;
    std::fs::write(out_dir.join("customers.csv"), &files.csv)?;
    std::fs::write(out_dir.join("recall.pdf"), &files.pdf)?;
    use std::io::Write;
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let package = &files.package;
    match args.format {
        RecallFormat::Json => out.write_all(&files.json)?,
        RecallFormat::Csv => out.write_all(&files.csv)?,
        RecallFormat::Pdf => writeln!(out, "{}", out_dir.join("recall.pdf").display())?,
        RecallFormat::Text => {
            let t = &package.trace;
            writeln!(
                out,
                "{} of {} {}: {} batches, {} shipment lines, {} customers, {} stock items to quarantine",
                if package.mock {
                    "mock recall (nothing changed)"
                } else {
                    "RECALL recorded"
                },
                t.root.kind,
                t.root.code,
                t.batches.len(),
                t.shipments.len(),
                t.customers.len(),
                t.on_hand.len()
            )?;
            if !package.mock {
                writeln!(
                    out,
                    "{} is recalled; {} downstream batches are on hold",
                    t.root.code,
                    t.batches.len()
                )?;
            }
            writeln!(
                out,
                "package in {}: recall.json, customers.csv, recall.pdf",
                out_dir.display()
            )?;
            writeln!(
                out,
                "generated {}, journal head {}",
                package.generated_at, package.journal_head
            )?;
        }
    }
    out.flush()?;
    Ok(0)
}
