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
    /// a real recall without asking first
    pub yes: bool,
    /// only the lots of this item (a supplier lot number shared by several items)
    pub item: Option<String>,
    /// the notice's hazard and remedy
    pub hazard: Option<String>,
    pub remedy: Option<String>,
    pub out: Option<PathBuf>,
    pub format: RecallFormat,
}

/// The lots of `target` that are of `item`: a supplier's lot number the supplier used for
/// several items narrowed to one; a lot or batch checked to be of it.
fn narrowed(
    store: &crate::store::Store,
    target: crate::store::Target,
    item: &str,
) -> anyhow::Result<crate::store::Target> {
    use crate::core::print::LabelFacts;
    use crate::core::workflow::LabelKind;
    let item_of = |code: &str, kind: LabelKind| -> anyhow::Result<String> {
        Ok(match store.label_facts(kind, code)? {
            LabelFacts::Lot(f) => f.item_sku,
            LabelFacts::Batch(f) => f.product_sku,
            _ => String::new(),
        })
    };
    let same = |sku: &str| sku.eq_ignore_ascii_case(item);
    match target {
        crate::store::Target::SupplierLot {
            number,
            supplier,
            lots,
        } => {
            let mut of_item = Vec::new();
            let mut items = Vec::new();
            for lot in lots {
                let sku = item_of(&lot, LabelKind::Lot)?;
                if same(&sku) {
                    of_item.push(lot);
                } else if !items.contains(&sku) {
                    items.push(sku);
                }
            }
            match of_item.len() {
                0 => anyhow::bail!(
                    "supplier lot {number} has no lot of {item}; its lots are of {}",
                    items.join(", ")
                ),
                1 => Ok(crate::store::Target::Lot(of_item.remove(0))),
                _ => Ok(crate::store::Target::SupplierLot {
                    number,
                    supplier,
                    lots: of_item,
                }),
            }
        }
        crate::store::Target::Lot(code) => {
            let sku = item_of(&code, LabelKind::Lot)?;
            anyhow::ensure!(same(&sku), "lot {code} is of {sku}, not {item}");
            Ok(crate::store::Target::Lot(code))
        }
        crate::store::Target::Batch(code) => {
            let sku = item_of(&code, LabelKind::Batch)?;
            anyhow::ensure!(same(&sku), "batch {code} is of {sku}, not {item}");
            Ok(crate::store::Target::Batch(code))
        }
        other => Ok(other),
    }
}

/// Before a real recall: what it will do, and a person's yes (at a terminal); elsewhere a
/// refusal that changes nothing, unless `--yes` was given.
fn ask_first(store: &crate::store::Store, target: &crate::store::Target) -> anyhow::Result<bool> {
    use std::io::{BufRead, IsTerminal, Write};
    let trace = store.trace_forward(target)?;
    let lots = target.stock_codes();
    let what = format!(
        "A real recall of {} {} marks {} recalled ({}), puts {} made from it on hold and reaches {}. It is journaled and cannot be undone.",
        target.kind(),
        target.code(),
        crate::core::counted_as(lots.len(), "lot or batch", "lots or batches"),
        lots.join(", "),
        crate::core::counted_as(trace.batches.len(), "batch", "batches"),
        crate::core::counted(trace.customers.len(), "customer"),
    );
    if !std::io::stdin().is_terminal() {
        eprintln!(
            "{what}\nnothing changed: run it again with --yes to recall, or with --mock for a drill that changes nothing"
        );
        return Ok(false);
    }
    eprint!("{what}\nType yes to recall: ");
    std::io::stderr().flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    if answer.trim().eq_ignore_ascii_case("yes") {
        return Ok(true);
    }
    eprintln!("nothing changed");
    Ok(false)
}

pub fn recall(
    db: &Location,
    station: &crate::config::Station,
    args: RecallArgs,
) -> anyhow::Result<i32> {
    let mut store = super::open_existing(db, station)?;
    let mut target = store.resolve(&args.code, args.supplier.as_deref())?;
    if !target.is_stock() {
        anyhow::bail!(
            "a recall starts at a lot or a batch; {} is a {}",
            target.code(),
            target.kind()
        );
    }
    if let Some(item) = &args.item {
        target = narrowed(&store, target, item)?;
    }
    let words = crate::report::notice::NoticeWords::from_config(
        station,
        args.hazard.clone(),
        args.remedy.clone(),
    );
    if !args.mock
        && let Some(missing) = words.missing()
    {
        eprintln!("error: {missing}");
        return Ok(1);
    }
    if !args.mock && !args.yes && !ask_first(&store, &target)? {
        return Ok(1);
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
        &words,
    )?;
    let out_dir = args
        .out
        .unwrap_or_else(|| PathBuf::from(format!("recall-{}", target.code())));
    std::fs::create_dir_all(&out_dir)?;
    std::fs::write(out_dir.join("recall.json"), &files.json)?;
    std::fs::write(out_dir.join("customers.csv"), &files.csv)?;
    std::fs::write(out_dir.join("recall.pdf"), &files.pdf)?;
    std::fs::write(out_dir.join("notice.txt"), &files.notice.txt)?;
    std::fs::write(out_dir.join("notice.pdf"), &files.notice.pdf)?;
    std::fs::write(out_dir.join("gateway.json"), &files.notice.gateway)?;
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
                let lots = target.stock_codes();
                writeln!(
                    out,
                    "recalled: {}; on hold: {}; customers to contact: {}",
                    lots.join(", "),
                    crate::core::counted_as(t.batches.len(), "batch", "batches"),
                    t.customers.len()
                )?;
            }
            writeln!(
                out,
                "package in {}: recall.json, customers.csv, recall.pdf, and the notice to consumers: notice.pdf, notice.txt, gateway.json",
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
