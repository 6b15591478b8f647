//! `lotstation complaint add|list`: customers' complaints and adverse events, tied to the
//! batches and lots they concern (MoCRA record-keeping for cosmetics).

use std::io::Write;

use clap::Subcommand;

use crate::core::complaint::ComplaintEntry;
use crate::store::{Location, Store};

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
            let mut store = super::open_store(db, station)?;
            let (seq, complaint, others) = store.add_complaint(
                &customer,
                &code,
                &text,
                serious,
                &station.timezone,
                crate::clock::now(),
                None,
            )?;
            let line = crate::core::complaint::describe_recorded(seq, &complaint, others);
            say!("{line}");
            Ok(0)
        }
        ComplaintCommand::List { code, format } => {
            let store = Store::open_read_only(db)?;
            let list = store.snapshot(|store| store.complaints_about(code.as_deref()))?;
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            write_list(&list, format, &station.timezone, &mut out)?;
            out.flush()?;
            Ok(0)
        }
    }
}

pub fn write_list(
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
