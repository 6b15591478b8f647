//! `lotstation export fsma204 --from DATE --to DATE [--code CODE…] -o FILE`: the records as
//! the FDA's Food Traceability Rule asks for them.

use std::path::PathBuf;

use clap::Subcommand;

use crate::store::{Location, Store};

/// Which events, for either export.
#[derive(Debug, clap::Args)]
pub struct EventArgs {
    /// first day (YYYY-MM-DD, the station's time zone)
    #[arg(long)]
    from: jiff::civil::Date,
    /// last day, included
    #[arg(long)]
    to: jiff::civil::Date,
    /// only the events in the forward and backward traces of these codes (lots,
    /// batches, supplier lot numbers, orders, shipments): the answer in an outbreak
    #[arg(long = "code")]
    codes: Vec<String>,
    /// the file to write (`-` for standard output)
    #[arg(short = 'o', long)]
    output: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// The FDA's electronic sortable spreadsheet (FSMA 204): every receiving,
    /// transformation and shipping event with its Key Data Elements, as CSV
    Fsma204(EventArgs),
    /// The same events as an EPCIS 2.0 JSON-LD document (GS1), for trading partners
    Epcis(EventArgs),
}

pub fn export(
    db: &Location,
    station: &crate::config::Station,
    command: ExportCommand,
) -> anyhow::Result<i32> {
    let (epcis, args) = match command {
        ExportCommand::Fsma204(args) => (false, args),
        ExportCommand::Epcis(args) => (true, args),
    };
    let EventArgs {
        from,
        to,
        codes,
        output,
    } = args;
    if to < from {
        anyhow::bail!("--to {to} is before --from {from}");
    }
    let location = location_of(station);
    let store = Store::open_read_only(db)?;
    let (out, rows) =
        store.snapshot(|store| export_bytes(store, station, epcis, from, to, &codes))?;
    if output.as_os_str() == "-" {
        use std::io::Write;
        std::io::stdout().write_all(&out)?;
    } else {
        std::fs::write(&output, &out)?;
        eprintln!(
            "{}: {} from {from} to {to}{}",
            output.display(),
            if epcis {
                crate::core::counted(rows, "EPCIS event")
            } else {
                crate::core::counted(rows, "row")
            },
            if codes.is_empty() {
                String::new()
            } else {
                format!(" in the traces of {}", codes.join(", "))
            }
        );
    }
    if location.is_empty() {
        eprintln!(
            "note: the location of the events is empty: set [station] location (business, address, phone) in the config"
        );
    }
    // the FDA asks for a location description of each source and recipient
    let tz = &station.timezone;
    let start = from.to_zoned(tz.clone())?.timestamp().to_string();
    let end = to.tomorrow()?.to_zoned(tz.clone())?.timestamp().to_string();
    let (suppliers, customers) =
        store.snapshot(|store| store.parties_without_address(&start, &end))?;
    for (what, parties, file) in [
        ("supplier", suppliers, "suppliers.csv"),
        ("customer", customers, "customers.csv"),
    ] {
        if parties.is_empty() {
            continue;
        }
        let named: Vec<String> = parties
            .iter()
            .map(|(code, name)| format!("{name} ({code})"))
            .collect();
        eprintln!(
            "warning: {} in these records {} no address, so {} only a name where the FDA asks for a location: {} (add the address column to {file} and import it again)",
            crate::core::counted(parties.len(), what),
            if parties.len() == 1 { "has" } else { "have" },
            if parties.len() == 1 {
                "its rows hold"
            } else {
                "their rows hold"
            },
            named.join(", ")
        );
    }
    Ok(0)
}

/// The FSMA 204 spreadsheet (CSV) or the EPCIS 2.0 document (JSON) of the events from
/// `from` to `to` (the station's days): the bytes and how many events. The command line's
/// (in a snapshot of its own) and the console's (in the read its request runs in).
pub fn export_bytes(
    store: &Store,
    station: &crate::config::Station,
    epcis: bool,
    from: jiff::civil::Date,
    to: jiff::civil::Date,
    codes: &[String],
) -> anyhow::Result<(Vec<u8>, usize)> {
    let tz = &station.timezone;
    let start = from.to_zoned(tz.clone())?.timestamp();
    let end = to.tomorrow()?.to_zoned(tz.clone())?.timestamp();
    let location = location_of(station);
    let filter = store.event_filter(start.to_string(), end.to_string(), codes)?;
    let rows = store.fsma204_events(&filter, &location)?;
    let mut out = Vec::new();
    if epcis {
        let station_name = station
            .config
            .station
            .name
            .clone()
            .unwrap_or_else(|| "station".into());
        let doc = crate::epcis::document(&rows, &station_name, &crate::clock::now().to_string());
        // the count is of what was written: one EPCIS event may stand for several rows of
        // the spreadsheet (a transformation's inputs and outputs)
        let events = doc["epcisBody"]["eventList"].as_array().map_or(0, Vec::len);
        serde_json::to_writer_pretty(&mut out, &doc)?;
        out.push(b'\n');
        return Ok((out, events));
    }
    crate::report::fsma::csv(&rows, &mut out)?;
    Ok((out, rows.len()))
}

/// Where the station's events happen (`[station] location`, else its name): the FDA's
/// "location description".
fn location_of(station: &crate::config::Station) -> String {
    station.business()
}

/// `lotstation plan`: the written traceability plan's skeleton (FSMA 204, 21 CFR 1.1315):
/// what the station knows filled in, what only the owner knows marked for them.
pub fn plan(
    db: &Location,
    station: &crate::config::Station,
    output: &std::path::Path,
) -> anyhow::Result<i32> {
    let store = Store::open_read_only(db)?;
    let items = store.snapshot(|store| store.items_list())?;
    let business = station.business();
    let todo = |what: &str| format!("**[to complete: {what}]**");
    let mut text = String::new();
    text.push_str("# Traceability plan (FSMA 204, 21 CFR 1.1315)\n\n");
    text.push_str(&format!(
        "Written from lotstation's configuration and records on {}; complete the marked parts, sign, date, and keep it two years after it is replaced.\n\n",
        crate::clock::now().to_zoned(station.timezone.clone()).date()
    ));
    text.push_str("## 1. Who keeps the records\n\n");
    text.push_str(&format!(
        "- Business and location: {}\n- Point of contact for questions about this plan (name, phone): {}\n\n",
        if business.is_empty() {
            todo("the business, its address and phone ([station] location in the config)")
        } else {
            business.clone()
        },
        todo("a person and a phone number")
    ));
    text.push_str("## 2. The foods on the Food Traceability List we handle\n\n");
    let products: Vec<&crate::store::ItemRow> = items
        .iter()
        .filter(|i| i.kind == "product" && i.retired_at.is_none())
        .collect();
    for item in &products {
        text.push_str(&format!(
            "- {} ({}){}: {}\n",
            item.name,
            item.sku,
            if item.gtin.is_empty() {
                String::new()
            } else {
                format!(", GTIN {}", item.gtin)
            },
            todo("on the Food Traceability List? which entry")
        ));
    }
    if products.is_empty() {
        text.push_str(&format!("- {}\n", todo("the products (none imported yet)")));
    }
    text.push_str("\n## 3. How traceability lot codes are assigned\n\n");
    text.push_str(&format!(
        "- Receiving: a supplier's lot is recorded as they assigned it (the traceability lot code), with our own lot code `{}` on the label we print for it.\n- Making (transformation): each batch gets the traceability lot code `{}`, assigned at the bench when the batch is opened, printed on its label and on every pack.\n- Shipping: each shipment `{}` names the batches in it.\n\n",
        station.lot_format.source(),
        station.batch_format.source(),
        station.shipment_format.source()
    ));
    text.push_str("## 4. How the records are kept\n\n");
    text.push_str("- Every receipt, batch (with what went into it and how much), shipment, hold and correction is recorded as it is scanned at the bench, in an append-only, hash-chained journal (`lotstation journal verify` checks it) with a witness of its head.\n");
    text.push_str(&format!(
        "- Backups: {}\n\n",
        todo("where and how often the database is backed up (the console's /exports/backup for SQLite, pg_dump for PostgreSQL)")
    ));
    text.push_str("## 5. How a trace and the 24-hour spreadsheet are made\n\n");
    text.push_str("- Forward (which customers got a lot): `lotstation trace forward LOT`; backward (which lots are in an order): `lotstation trace backward ORDER`; both on the console's trace page.\n- The sortable spreadsheet the FDA asks for within 24 hours: `lotstation export fsma204 --from DATE --to DATE -o FILE` (or the console's exports page); EPCIS for trading partners: `lotstation export epcis`.\n- A recall: `lotstation recall LOT` (a drill with `--mock`, journaled; run one a year).\n\n");
    text.push_str("## 6. Farms and other parties\n\n");
    text.push_str(&format!(
        "- {}\n\n",
        todo("any farm that supplies a listed food: its name, address and phone (21 CFR 1.1315(a)(4))")
    ));
    text.push_str("Signed: ________________________  Date: ____________\n");
    std::fs::write(output, &text)?;
    say!(
        "wrote {}: the traceability plan's skeleton ({} products); complete the parts marked to complete",
        output.display(),
        products.len()
    );
    Ok(0)
}
