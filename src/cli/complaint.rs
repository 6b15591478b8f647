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
    /// One complaint (by its journal entry number): the FDA deadline of a serious one with
    /// the business days left, the other customers who got the same batches, and the other
    /// complaints about them
    Show {
        /// the complaint's journal entry number (`complaint list` shows it)
        entry: i64,
    },
    /// The MedWatch 3500A fields the station holds for one complaint (the product, its
    /// batches and lots, the dates, the reporter, what happened), as JSON for the person
    /// who files the report
    Export {
        entry: i64,
        /// also a PDF summary of the same fields, for the person who files the report
        #[arg(long)]
        pdf: Option<std::path::PathBuf>,
    },
    /// What was learned about a complaint later (a doctor's letter, the outcome): appended
    /// to the case (MoCRA: a serious one's new information goes to the FDA for a year)
    FollowUp {
        /// the complaint's journal entry number
        entry: i64,
        #[arg(long)]
        text: String,
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
        ComplaintCommand::Show { entry } => {
            let store = Store::open_read_only(db)?;
            let today = crate::clock::now()
                .to_zoned(station.timezone.clone())
                .date();
            let said = store.snapshot(|store| case(store, entry))?;
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            write_case(&said, today, &station.timezone, &mut out)?;
            out.flush()?;
            Ok(0)
        }
        ComplaintCommand::Export { entry, pdf } => {
            let store = Store::open_read_only(db)?;
            let said = store.snapshot(|store| case(store, entry))?;
            let head = store.head()?.map(|(_, hash)| hash).unwrap_or_default();
            let json = medwatch_fields(&said, &station.business());
            if let Some(path) = pdf {
                std::fs::write(&path, summary_pdf(&json, &head))?;
            }
            let mut out = std::io::stdout().lock();
            serde_json::to_writer_pretty(&mut out, &json)?;
            writeln!(out)?;
            Ok(0)
        }
        ComplaintCommand::FollowUp { entry, text } => {
            let mut store = super::open_store(db, station)?;
            let seq = store.record_follow_up(
                entry,
                &text,
                crate::clock::now(),
                std::env::var("USER").ok().as_deref(),
            )?;
            say!("follow-up of complaint {entry} recorded (journal entry {seq})");
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

/// One complaint as a case: the complaint, its customer's contact, the other customers who
/// got the same batches, the other complaints about them.
struct Case {
    entry: ComplaintEntry,
    /// (code, name, email, phone, address) of the customer who complained
    customer: Option<(String, String, String, String, String)>,
    /// (name, code) of the other customers the batches reached
    others: Vec<(String, String)>,
    related: Vec<ComplaintEntry>,
    /// the products of its batches: "SKU name"
    products: Vec<String>,
    /// what was learned later: (journal entry, at, text)
    follow_ups: Vec<(i64, String, String)>,
}

fn case(store: &Store, entry: i64) -> anyhow::Result<Case> {
    let all = store.complaints()?;
    let Some(found) = all.iter().find(|c| c.journal_seq == entry).cloned() else {
        anyhow::bail!(
            "journal entry {entry} is not a complaint (complaint list shows their entry numbers)"
        );
    };
    let k = &found.complaint;
    let codes: std::collections::BTreeSet<String> =
        k.batches.iter().chain(&k.lots).cloned().collect();
    let related = all
        .iter()
        .filter(|c| c.journal_seq != entry && c.touches(&codes))
        .cloned()
        .collect();
    let mut others: Vec<(String, String)> = Vec::new();
    let mut products: Vec<String> = Vec::new();
    for batch in &k.batches {
        let (_, product, _, _, _) = store.lot_facts(batch)?;
        if !products.contains(&product) {
            products.push(product);
        }
        let trace = store.trace_forward(&crate::store::Target::Batch(batch.clone()))?;
        for c in trace.customers {
            if c.code != k.customer && !others.iter().any(|(_, code)| *code == c.code) {
                others.push((c.name, c.code));
            }
        }
    }
    others.sort();
    let customer = store
        .party_rows(crate::masterdata::MasterKind::Customers)?
        .into_iter()
        .find(|(row, _)| row[0] == k.customer)
        .map(|(row, _)| {
            let get = |i: usize| row.get(i).cloned().unwrap_or_default();
            (get(0), get(1), get(2), get(3), get(4))
        });
    Ok(Case {
        follow_ups: store.follow_ups(entry)?,
        entry: found,
        customer,
        others,
        related,
        products,
    })
}

fn write_case(
    case: &Case,
    today: jiff::civil::Date,
    tz: &jiff::tz::TimeZone,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let k = &case.entry.complaint;
    writeln!(
        out,
        "complaint (journal entry {}), received {}: {} about {} {}",
        case.entry.journal_seq,
        crate::clock::local_text(&case.entry.at, tz),
        k.customer,
        k.kind,
        k.code
    )?;
    writeln!(out, "what they reported: {}", k.text)?;
    writeln!(out, "products: {}", case.products.join("; "))?;
    writeln!(out, "batches: {}", k.batches.join(" "))?;
    writeln!(out, "lots in them: {}", k.lots.join(" "))?;
    if let Some(by) = k
        .report_by
        .as_deref()
        .and_then(|b| b.parse::<jiff::civil::Date>().ok())
    {
        let mut left = 0;
        let mut day = today;
        while day < by {
            day = day.tomorrow()?;
            if crate::core::complaint::is_business_day(day) {
                left += 1;
            }
        }
        writeln!(
            out,
            "SERIOUS adverse event: report it to the FDA (MedWatch 3500A) by {by}: {}",
            if by < today {
                "the deadline has passed".to_string()
            } else {
                format!("{} left", crate::core::counted(left, "business day"))
            }
        )?;
    }
    writeln!(
        out,
        "{} got the same batches: {}",
        crate::core::counted(case.others.len(), "other customer"),
        case.others
            .iter()
            .map(|(name, code)| format!("{name} ({code})"))
            .collect::<Vec<_>>()
            .join(", ")
    )?;
    writeln!(
        out,
        "{} about the same batches or lots:",
        crate::core::counted(case.related.len(), "other complaint")
    )?;
    for c in &case.related {
        writeln!(
            out,
            "  journal entry {}: {} about {} {}: {}",
            c.journal_seq,
            c.complaint.customer,
            c.complaint.kind,
            c.complaint.code,
            c.complaint.text
        )?;
    }
    writeln!(
        out,
        "{}:",
        crate::core::counted(case.follow_ups.len(), "follow-up")
    )?;
    for (seq, at, text) in &case.follow_ups {
        writeln!(
            out,
            "  {} (journal entry {seq}): {text}",
            crate::clock::local_text(at, tz)
        )?;
    }
    Ok(())
}

/// The fields of FDA form 3500A the records hold, under the form's section names.
fn medwatch_fields(case: &Case, business: &str) -> serde_json::Value {
    let k = &case.entry.complaint;
    let (code, name, email, phone, address) = case.customer.clone().unwrap_or_default();
    serde_json::json!({
        "form": "FDA 3500A (MedWatch), the fields the station holds; the rest is the reporter's",
        "journal_entry": case.entry.journal_seq,
        "serious": k.serious,
        "report_by": k.report_by,
        "A_patient": { "customer_code": code, "name": name },
        "B_adverse_event": {
            "description": k.text,
            "date_received_by_manufacturer": case.entry.at,
        },
        "C_product": {
            "products": case.products,
            "lot_numbers": k.batches,
            "ingredient_lots": k.lots,
            "named_by_the_customer": { "kind": k.kind, "code": k.code },
        },
        "E_initial_reporter": { "name": name, "email": email, "phone": phone, "address": address },
        "G_manufacturer": { "name_and_address": business },
        "other_complaints_on_the_same_batches": case.related.iter().map(|c| c.journal_seq).collect::<Vec<_>>(),
        "other_customers_of_the_same_batches": case.others.len(),
        "follow_ups": case.follow_ups.iter().map(|(seq, at, text)| serde_json::json!({
            "journal_entry": seq, "at": at, "text": text,
        })).collect::<Vec<_>>(),
    })
}

/// The 3500A fields as a PDF: each section of the form the fields belong to, one line a
/// field.
fn summary_pdf(fields: &serde_json::Value, head: &str) -> Vec<u8> {
    fn lines(value: &serde_json::Value, prefix: &str, out: &mut Vec<String>) {
        match value {
            serde_json::Value::Object(map) => {
                for (key, v) in map {
                    lines(v, &format!("{prefix}{}: ", key.replace('_', " ")), out);
                }
            }
            serde_json::Value::Array(items) => out.push(format!(
                "{prefix}{}",
                items
                    .iter()
                    .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_string))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            serde_json::Value::String(s) => out.push(format!("{prefix}{s}")),
            serde_json::Value::Null => out.push(format!("{prefix}-")),
            other => out.push(format!("{prefix}{other}")),
        }
    }
    let mut sections = Vec::new();
    if let serde_json::Value::Object(map) = fields {
        for (key, value) in map {
            let mut out = Vec::new();
            lines(value, "", &mut out);
            sections.push((key.replace('_', " "), out));
        }
    }
    crate::report::summary_pdf(
        &format!(
            "Adverse event: FDA 3500A fields, journal entry {}",
            fields["journal_entry"]
        ),
        &sections,
        head,
    )
}
