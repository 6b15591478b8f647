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
    let started = std::time::Instant::now();
    let files = crate::report::recall_package(
        &mut store,
        &target,
        args.mock,
        now,
        operator.as_deref(),
        &station.timezone,
    )?;
    let out_dir = args
        .out
        .unwrap_or_else(|| PathBuf::from(format!("recall-{}", target.code())));
    std::fs::create_dir_all(&out_dir)?;
    std::fs::write(out_dir.join("recall.json"), &files.json)?;
    std::fs::write(out_dir.join("customers.csv"), &files.csv)?;
    std::fs::write(out_dir.join("recall.pdf"), &files.pdf)?;
    if args.mock {
        // the drill's record, for an auditor (`lotstation drills`)
        crate::report::journal_drill(
            &mut store,
            &target,
            &files,
            started.elapsed().as_secs_f64(),
            now,
            operator.as_deref(),
        )?;
    }
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
                "{} of {} {}: {}",
                if package.mock {
                    "mock recall (a drill, journaled; no record changed)"
                } else {
                    "RECALL recorded"
                },
                t.root.kind,
                t.root.code,
                t.reach()
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
                crate::clock::local_text(&package.generated_at, &station.timezone),
                package.journal_head
            )?;
        }
    }
    out.flush()?;
    Ok(0)
}

/// `lotstation drills`: every recall drill, for an auditor.
pub fn drills(
    db: &crate::store::Location,
    station: &crate::config::Station,
    format: crate::cli::trace::Format,
) -> anyhow::Result<i32> {
    use std::io::Write;
    let store = crate::store::Store::open_read_only(db)?;
    let drills = store.snapshot(|store| store.drills())?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    // what a drill found, in the order both listings give it
    const FOUND: [&str; 6] = [
        "code",
        "kind",
        "batches",
        "shipment_lines",
        "customers",
        "seconds",
    ];
    let field = |body: &serde_json::Value, key: &str| match &body[key] {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    };
    match format {
        crate::cli::trace::Format::Json => {
            let rows: Vec<serde_json::Value> = drills
                .iter()
                .map(|d| {
                    let mut row = d.body.clone();
                    if let Some(map) = row.as_object_mut() {
                        map.insert("at".into(), d.at.clone().into());
                        map.insert("operator".into(), d.operator.clone().into());
                        map.insert("journal_seq".into(), d.seq.into());
                    }
                    row
                })
                .collect();
            serde_json::to_writer_pretty(&mut out, &rows)?;
            writeln!(out)?;
        }
        crate::cli::trace::Format::Csv => {
            let mut csv = csv::Writer::from_writer(&mut out);
            let mut header = vec!["at", "operator"];
            header.extend(FOUND);
            header.push("journal_seq");
            csv.write_record(&header)?;
            for d in &drills {
                let mut row = vec![d.at.clone(), d.operator.clone().unwrap_or_default()];
                row.extend(FOUND.iter().map(|key| field(&d.body, key)));
                row.push(d.seq.to_string());
                csv.write_record(&row)?;
            }
            csv.flush()?;
        }
        crate::cli::trace::Format::Text => {
            if drills.is_empty() {
                writeln!(
                    out,
                    "no recall drills yet: run `lotstation recall CODE --mock`"
                )?;
            }
            for d in &drills {
                let [code, kind, _, _, _, seconds] = FOUND.map(|key| field(&d.body, key));
                let count = |key: &str| d.body[key].as_i64().unwrap_or(0);
                writeln!(
                    out,
                    "{}  {:<10} {kind} {code}: {}, {}, {}, answered in {seconds} s (journal entry {})",
                    crate::clock::local_text(&d.at, &station.timezone),
                    d.operator.as_deref().unwrap_or("-"),
                    crate::core::counted_as(count("batches"), "batch", "batches"),
                    crate::core::counted(count("shipment_lines"), "shipment line"),
                    crate::core::counted(count("customers"), "customer"),
                    d.seq
                )?;
            }
        }
    }
    out.flush()?;
    Ok(0)
}
