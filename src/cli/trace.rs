//! `lotstation trace forward|backward CODE` and `lotstation stock`.

use crate::store::Location;

use clap::{Subcommand, ValueEnum};

use crate::core::trace::{BackwardTrace, ForwardTrace};
use crate::store::Store;

/// Room asked for an answer before it is written (4 MB of address space, touched only as
/// far as the answer goes; growing by doubling copied a megabyte answer twice over).
const ANSWER_ROOM: usize = 4 << 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    Csv,
}

#[derive(Debug, Subcommand)]
pub enum TraceCommand {
    /// Everything downstream of a lot or batch: batches, shipments, customers, stock on hand
    Forward {
        /// lot or batch code, or a supplier's lot number
        code: String,
        /// narrow a supplier lot number to one supplier
        #[arg(long)]
        supplier: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Everything upstream of an order, shipment, batch or lot: batches, lots, suppliers
    Backward {
        /// order number, shipment code, batch or lot code
        code: String,
        #[arg(long)]
        supplier: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
}

pub fn trace(
    db: &Location,
    station: &crate::config::Station,
    command: TraceCommand,
) -> anyhow::Result<i32> {
    let tz = &station.timezone;
    // read-only, in one read transaction (`Store::snapshot`)
    let store = Store::open_read_only(db)?;
    let mut out: Vec<u8> = Vec::with_capacity(ANSWER_ROOM);
    match command {
        TraceCommand::Forward {
            code,
            supplier,
            format,
        } => {
            let trace = store.snapshot(|store| {
                store.trace_forward(&store.resolve(&code, supplier.as_deref())?)
            })?;
            match format {
                Format::Json => serde_json::to_writer_pretty(&mut out, &trace)?,
                Format::Csv => crate::report::tables::forward(&trace, &mut out)?,
                Format::Text => forward_text(&trace, tz, &mut out)?,
            }
            leave(trace);
        }
        TraceCommand::Backward {
            code,
            supplier,
            format,
        } => {
            let trace = store.snapshot(|store| {
                store.trace_backward(&store.resolve(&code, supplier.as_deref())?)
            })?;
            match format {
                Format::Json => serde_json::to_writer_pretty(&mut out, &trace)?,
                Format::Csv => crate::report::tables::backward(&trace, &mut out)?,
                Format::Text => backward_text(&trace, tz, &mut out)?,
            }
            leave(trace);
        }
    }
    use std::io::Write;
    writeln!(out)?;
    write_answer(&out)?;
    // (a PostgreSQL connection is closed properly: the server would log a lost client)
    if matches!(db, Location::Sqlite(_)) {
        leave(store);
    }
    Ok(0)
}

/// The whole answer in one write: as many system calls for 4,000 customers as for one.
fn write_answer(answer: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(answer)?;
    stdout.flush()
}

/// What a command has read, left for the process's end to take back: the command ends
/// when it returns, and freeing 25,000 strings one by one (or closing the database and
/// unmapping it) was a twentieth of a large trace's time. A read-only connection has
/// nothing to finish on close.
fn leave<T>(value: T) {
    std::mem::forget(value);
}

fn forward_text(
    trace: &ForwardTrace,
    tz: &jiff::tz::TimeZone,
    mut out: impl std::io::Write,
) -> anyhow::Result<()> {
    writeln!(
        out,
        "forward trace of {} {}",
        trace.root.kind, trace.root.code
    )?;
    if let Some(supplier) = &trace.root.supplier {
        writeln!(
            out,
            "received from {supplier} as {}: {}",
            crate::core::counted(trace.root.lots.len(), "lot"),
            trace.root.lots.join(", ")
        )?;
    }
    writeln!(out, "\nbatches ({}):", trace.batches.len())?;
    for b in &trace.batches {
        writeln!(
            out,
            "  depth {:<2} {:<14} {:<16} {:>12}   {}",
            b.depth,
            b.code,
            b.product_sku,
            b.quantity_consumed.to_string(),
            b.path.join(" > ")
        )?;
    }
    writeln!(out, "\nshipments ({}):", trace.shipments.len())?;
    for s in &trace.shipments {
        writeln!(
            out,
            "  {:<22} {:<12} order {:<10} {:<10} {:<14} {}",
            crate::clock::local_text(&s.shipped_at, tz),
            s.shipment_code,
            s.order_number,
            s.customer_code,
            s.batch_code,
            s.quantity
        )?;
    }
    writeln!(out, "\ncustomers to contact ({}):", trace.customers.len())?;
    for c in &trace.customers {
        writeln!(
            out,
            "  {:<8} {:<24} {:<30} {:<16} {}",
            c.code,
            crate::label::flow::one_line(&c.name),
            c.email,
            c.phone,
            // an address's line breaks would break the table: ", " keeps it on its row
            crate::label::flow::one_line(&c.address)
        )?;
    }
    writeln!(
        out,
        "\nstock on hand to quarantine ({}):",
        trace.on_hand.len()
    )?;
    for s in &trace.on_hand {
        writeln!(out, "  {:<14} {}", s.code, s.quantity)?;
    }
    Ok(())
}

fn backward_text(
    trace: &BackwardTrace,
    tz: &jiff::tz::TimeZone,
    mut out: impl std::io::Write,
) -> anyhow::Result<()> {
    writeln!(
        out,
        "backward trace of {} {}",
        trace.root.kind, trace.root.code
    )?;
    writeln!(out, "\nbatches ({}):", trace.batches.len())?;
    for b in &trace.batches {
        write!(
            out,
            "  depth {:<2} {:<14} {}",
            b.depth, b.code, b.product_sku
        )?;
        if let Some(y) = &b.yield_quantity {
            write!(out, ", yield {y}")?;
        }
        if let Some(reached) = b.reached_text() {
            write!(out, ": {reached} reached it")?;
        }
        writeln!(out)?;
        for input in &b.inputs {
            writeln!(
                out,
                "           took {} {} ({})",
                input.code, input.quantity, input.kind
            )?;
        }
    }
    writeln!(out, "\nlots ({}):", trace.lots.len())?;
    for l in &trace.lots {
        write!(
            out,
            "  {:<16} {:<14} {:>12}  supplier {} lot {}  invoice {}  received {}",
            l.code,
            l.item_sku,
            l.quantity_consumed.to_string(),
            l.supplier_code,
            l.supplier_lot,
            l.invoice,
            crate::clock::local_text(&l.received_at, tz)
        )?;
        if let Some(reached) = &l.reached {
            write!(out, "; {} of it in what this received", reached.estimate())?;
        }
        writeln!(out)?;
    }
    writeln!(out, "\nsuppliers ({}):", trace.suppliers.len())?;
    for s in &trace.suppliers {
        writeln!(
            out,
            "  {:<10} {:<28} {:<18} {:<28} {}",
            s.code, s.name, s.contact, s.email, s.phone
        )?;
    }
    Ok(())
}

pub fn stock(
    db: &Location,
    station: &crate::config::Station,
    item: Option<&str>,
    all: bool,
    format: Format,
) -> anyhow::Result<i32> {
    let store = Store::open_read_only(db)?;
    let today = crate::clock::now()
        .to_zoned(station.timezone.clone())
        .date();
    let rows = store.snapshot(|store| store.stock(item, today, all))?;
    let mut out: Vec<u8> = Vec::with_capacity(ANSWER_ROOM);
    use std::io::Write;
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &rows)?;
            writeln!(out)?;
        }
        Format::Csv => crate::report::tables::stock(&rows, &mut out)?,
        Format::Text => {
            writeln!(
                out,
                "{:<16} {:<6} {:<14} {:<11} {:>14} {:<11} {:<10} {:<14} days of cover",
                "code", "kind", "item", "status", "on hand", "expiry", "supplier", "supplier lot"
            )?;
            for r in &rows {
                writeln!(
                    out,
                    "{:<16} {:<6} {:<14} {:<11} {:>14} {:<11} {:<10} {:<14} {}",
                    r.code,
                    r.kind,
                    r.item_sku,
                    r.status,
                    r.quantity.to_string(),
                    r.expiry.as_deref().unwrap_or("-"),
                    r.supplier_code.as_deref().unwrap_or("-"),
                    r.supplier_lot.as_deref().unwrap_or("-"),
                    r.days_of_cover
                        .map(|d| d.to_string())
                        .unwrap_or_else(|| "-".into())
                )?;
            }
        }
    }
    write_answer(&out)?;
    Ok(0)
}
