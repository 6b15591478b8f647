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
