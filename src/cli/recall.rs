//! `lotstation recall LOT [--mock] [--out DIR]`: the recall package (recall.json,
//! customers.csv, recall.pdf), stamped with the time and the journal head.

use std::path::{Path, PathBuf};

use clap::ValueEnum;

use crate::core::trace::{ForwardTrace, RecallPackage};
use crate::report::{LotFacts, recall_pdf};
use crate::store::{Store, Target};

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

/// Who to contact: one row per customer with what they received.
pub fn customers_csv(trace: &ForwardTrace) -> anyhow::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "code", "name", "email", "phone", "address", "orders", "batches", "units",
    ])?;
    for c in &trace.customers {
        let lines: Vec<_> = trace
            .shipments
            .iter()
            .filter(|s| s.customer_code == c.code)
            .collect();
        let mut orders: Vec<&str> = lines.iter().map(|s| s.order_number.as_str()).collect();
        orders.dedup();
        let mut batches: Vec<&str> = lines.iter().map(|s| s.batch_code.as_str()).collect();
        batches.sort();
        batches.dedup();
        let units: i64 = lines.iter().map(|s| s.quantity.base).sum();
        w.write_record([
            c.code.as_str(),
            &c.name,
            &c.email,
            &c.phone,
            &c.address,
            &orders.join(" "),
            &batches.join(" "),
            &units.to_string(),
        ])?;
    }
    Ok(w.into_inner()?)
}

pub fn recall(db: &Path, args: RecallArgs) -> anyhow::Result<i32> {
    let mut store = Store::open_existing(db)?;
    let target = store.resolve(&args.code, args.supplier.as_deref())?;
    if !matches!(target, Target::Lot(_) | Target::Batch(_)) {
        anyhow::bail!(
            "a recall starts at a lot or a batch; {} is a {}",
            target.code(),
            target.kind()
        );
    }
    let trace = store.trace_forward(&target)?;
    let now = jiff::Timestamp::now();
    let journal_head = if args.mock {
        store.head()?.map(|(_, hash)| hash).unwrap_or_default()
    } else {
        let batches: Vec<String> = trace.batches.iter().map(|b| b.code.clone()).collect();
        let operator = std::env::var("USER").ok();
        store.record_recall(target.code(), &batches, now, operator.as_deref())?
    };
    let facts = store.lot_facts(target.code())?;
    let package = RecallPackage {
        trace,
        generated_at: now.to_string(),
        journal_head,
        mock: args.mock,
    };
    let out_dir = args
        .out
        .unwrap_or_else(|| PathBuf::from(format!("recall-{}", target.code())));
    std::fs::create_dir_all(&out_dir)?;
    let json = serde_json::to_vec_pretty(&package)?;
    let csv = customers_csv(&package.trace)?;
    let pdf = recall_pdf(
        &package,
        &LotFacts {
            code: facts.0.clone(),
            item: facts.1,
            supplier: facts.2,
            supplier_lot: facts.3,
            received_at: facts.4,
        },
    );
    std::fs::write(out_dir.join("recall.json"), &json)?;
    std::fs::write(out_dir.join("customers.csv"), &csv)?;
    std::fs::write(out_dir.join("recall.pdf"), &pdf)?;
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match args.format {
        RecallFormat::Json => out.write_all(&json)?,
        RecallFormat::Csv => out.write_all(&csv)?,
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
    Ok(0)
}
