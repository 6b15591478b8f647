//! `lotstation complaint add|list`: customers' complaints and adverse events, tied to the
//! batches and lots they concern (MoCRA record-keeping for cosmetics).

use std::collections::BTreeSet;
use std::io::Write;

use clap::Subcommand;

use crate::core::complaint::{Complaint, ComplaintEntry, report_deadline};
use crate::store::{Location, Store, StoreError, Target};

#[derive(Debug, Subcommand)]
pub enum ComplaintCommand {
    /// Record a complaint: who, about what (a batch, order, shipment or lot), what they said
    Add {
        /// the customer's code
        #[arg(long)]
        customer: String,
        /// the batch on the jar, or the order, shipment or lot the customer names
        #[arg(long)]
        code: String,
        /// what the customer reported, in their words
        #[arg(long)]
        text: String,
        /// a serious adverse event (hospital, lasting harm…): to be reported to the FDA
        /// within 15 business days
        #[arg(long)]
        serious: bool,
    },
    /// Complaints, oldest first; with --code only those about products made from that lot
    /// or batch (or naming that order or shipment)
    List {
        #[arg(long)]
        code: Option<String>,
        #[arg(long, value_enum, default_value_t = crate::cli::trace::Format::Text)]
        format: crate::cli::trace::Format,
    },
}

pub fn complaint(
    db: &Location,
    station: &crate::config::Station,
    command: ComplaintCommand,
) -> anyhow::Result<i32> {
    match command {
        ComplaintCommand::Add {
            customer,
            code,
            text,
            serious,
        } => {
            let text = text.trim().to_string();
            if text.is_empty() {
                anyhow::bail!("--text is empty: write what the customer reported");
            }
            let mut store = super::open_store(db, station)?;
            let at = crate::clock::now();
            let complaint = describe(&store, &customer, &code, text, serious, at, station)?;
            let seq = store.record_complaint(&complaint, at, None)?;
            let mut line = format!(
                "complaint recorded (journal entry {seq}): {} about {} {}",
                complaint.customer, complaint.kind, complaint.code
            );
            if !complaint.batches.is_empty() {
                line.push_str(&format!(", batches {}", complaint.batches.join(" ")));
            }
            if let Some(by) = &complaint.report_by {
                line.push_str(&format!(
                    "\nserious adverse event: report it to the FDA (MedWatch form 3500A) by {by}, 15 business days from today"
                ));
            }
            let others = store
                .complaints()?
                .into_iter()
                .filter(|c| c.journal_seq != seq && overlaps(c, &complaint))
                .count();
            if others > 0 {
                line.push_str(&format!(
                    "\n{others} other complaints concern the same batches or lots: lotstation complaint list --code {}",
                    complaint.batches.first().unwrap_or(&complaint.code)
                ));
            }
            println!("{line}");
            Ok(0)
        }
        ComplaintCommand::List { code, format } => {
            let store = Store::open_read_only(db)?;
            let list = store.snapshot(|store| {
                let all = store.complaints()?;
                let Some(code) = &code else {
                    return Ok(all);
                };
                let target = store.resolve(code, None)?;
                let mut codes: BTreeSet<String> = target.stock_codes().into_iter().collect();
                codes.insert(target.code().to_string());
                Ok::<_, StoreError>(all.into_iter().filter(|c| c.touches(&codes)).collect())
            })?;
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            write_list(&list, format, &station.timezone, &mut out)?;
            out.flush()?;
            Ok(0)
        }
    }
}

/// Whether two complaints share a batch or a lot.
fn overlaps(a: &ComplaintEntry, b: &Complaint) -> bool {
    let codes: BTreeSet<String> = b.batches.iter().chain(&b.lots).cloned().collect();
    a.complaint
        .batches
        .iter()
        .chain(&a.complaint.lots)
        .any(|c| codes.contains(c))
}

/// A complaint's facts read from the records: the customer must be known, the code must be
/// a batch, order, shipment or lot; its batches and their lots are kept with it.
fn describe(
    store: &Store,
    customer: &str,
    code: &str,
    text: String,
    serious: bool,
    at: jiff::Timestamp,
    station: &crate::config::Station,
) -> anyhow::Result<Complaint> {
    let known: Option<String> = store.customer_code(customer)?;
    let Some(customer) = known else {
        anyhow::bail!(
            "no customer {customer}: import them first (customers.csv or the shop's orders)"
        );
    };
    let target = store.resolve(code, None)?;
    let back = store.trace_backward(&target)?;
    let mut batches: Vec<String> = back.batches.iter().map(|b| b.code.clone()).collect();
    if let Target::Batch(b) = &target
        && !batches.contains(b)
    {
        batches.insert(0, b.clone());
    }
    let mut lots: Vec<String> = back.lots.iter().map(|l| l.code.clone()).collect();
    for lot in target.stock_codes() {
        if matches!(target, Target::Lot(_) | Target::SupplierLot { .. }) && !lots.contains(&lot) {
            lots.push(lot);
        }
    }
    let received = at.to_zoned(station.timezone.clone()).date();
    Ok(Complaint {
        customer,
        code: target.code().to_string(),
        kind: target.kind().to_string(),
        batches,
        lots,
        text,
        serious,
        report_by: serious.then(|| report_deadline(received).to_string()),
    })
}

fn write_list(
    list: &[ComplaintEntry],
    format: crate::cli::trace::Format,
    tz: &jiff::tz::TimeZone,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    match format {
        crate::cli::trace::Format::Json => {
            serde_json::to_writer_pretty(&mut *out, list)?;
            writeln!(out)?;
        }
        crate::cli::trace::Format::Csv => {
            let mut csv = csv::Writer::from_writer(out);
            csv.write_record([
                "at",
                "customer",
                "kind",
                "code",
                "batches",
                "lots",
                "serious",
                "report_by",
                "text",
                "journal_seq",
            ])?;
            for c in list {
                let k = &c.complaint;
                csv.write_record([
                    c.at.as_str(),
                    &k.customer,
                    &k.kind,
                    &k.code,
                    &k.batches.join(" "),
                    &k.lots.join(" "),
                    if k.serious { "yes" } else { "no" },
                    k.report_by.as_deref().unwrap_or(""),
                    &k.text,
                    &c.journal_seq.to_string(),
                ])?;
            }
            csv.flush()?;
        }
        crate::cli::trace::Format::Text => {
            if list.is_empty() {
                writeln!(out, "no complaints")?;
            }
            for c in list {
                let k = &c.complaint;
                let serious = match &k.report_by {
                    Some(by) => format!(" SERIOUS, report to the FDA by {by};"),
                    None => String::new(),
                };
                writeln!(
                    out,
                    "{}  {} about {} {} (batches {}):{serious} {} (journal entry {})",
                    crate::clock::local_text(&c.at, tz),
                    k.customer,
                    k.kind,
                    k.code,
                    if k.batches.is_empty() {
                        "-".to_string()
                    } else {
                        k.batches.join(" ")
                    },
                    k.text,
                    c.journal_seq
                )?;
            }
        }
    }
    Ok(())
}
