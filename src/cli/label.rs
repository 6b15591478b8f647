//! `lotstation label render lot|batch|shipment|pack CODE`, `lotstation label print …` (through
//! the running station's queue) and `lotstation sheet`.

use crate::store::Location;
use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Subcommand;

use crate::config::{LabelLanguage, Station};
use crate::label::raster::BrotherMedia;
use crate::label::{self, LabelData, LabelKind, LoadedTemplate};
use crate::store::Store;

/// A record's label kind on the command line: `lot`, `batch` or `shipment`.
fn record_kind() -> impl clap::builder::TypedValueParser<Value = LabelKind> {
    use clap::builder::TypedValueParser as _;
    clap::builder::PossibleValuesParser::new(LabelKind::RECORDS.map(LabelKind::name))
        .try_map(|name: String| LabelKind::record(&name).ok_or("not a record's label"))
}

#[derive(Debug, Subcommand)]
pub enum LabelCommand {
    /// Render the label of a lot, batch or shipment (to a file, or standard output)
    Render {
        #[arg(value_parser = record_kind())]
        kind: LabelKind,
        /// the lot's, batch's or shipment's code, as on its label
        code: String,
        /// the printer language, as a `[[printer]]`'s `language` (or `png`: a picture)
        #[arg(long, value_enum, default_value_t = LabelLanguage::Zpl)]
        format: LabelLanguage,
        /// the file to write (default: standard output)
        #[arg(short = 'o', long)]
        output: Option<PathBuf>,
        /// the printer's resolution in dots per inch [default: 203; a Brother QL's is 300]
        #[arg(long)]
        dpi: Option<u32>,
        /// how many copies the job prints
        #[arg(long, default_value_t = 1)]
        copies: u32,
        /// Brother QL media (with --format brother-ql)
        #[arg(long, value_enum, default_value_t = BrotherMedia::Endless62)]
        media: BrotherMedia,
    },
    /// Print the label of a lot, batch or shipment on the running station's printer, through
    /// its queue (journaled, retried, confirmed like a bench's labels)
    Print {
        #[arg(value_parser = record_kind())]
        kind: LabelKind,
        /// the lot's, batch's or shipment's code, as on its label
        code: String,
        /// which printer (by its name in the config); the only one when there is one
        #[arg(long)]
        printer: Option<String>,
        /// how many copies to print
        #[arg(long, default_value_t = 1)]
        copies: u32,
    },
}

pub fn label(db: &Location, station: &Station, command: LabelCommand) -> anyhow::Result<i32> {
    let (kind, code, format, output, dpi, copies, media) = match command {
        LabelCommand::Render {
            kind,
            code,
            format,
            output,
            dpi,
            copies,
            media,
        } => (kind, code, format, output, dpi, copies, media),
        LabelCommand::Print {
            kind,
            code,
            printer,
            copies,
        } => return print(station, kind, &code, printer, copies),
    };
    let dpi = format.dpi(dpi).map_err(anyhow::Error::msg)?;
    let store = Store::open_read_only(db)?;
    let template = station.templates.get(kind);
    let data = label::facts::words(
        &store.label_facts(kind, &code)?,
        &station.config.labels.digital_link_base,
        &station.timezone,
    );
    let bytes = label::render_for(template, &data, format, dpi, media, copies)?;
    write_output(output.as_deref(), &bytes)?;
    Ok(0)
}

fn write_output(output: Option<&Path>, bytes: &[u8]) -> anyhow::Result<()> {
    match output {
        Some(path) => std::fs::write(path, bytes)?,
        None => std::io::stdout().lock().write_all(bytes)?,
    }
    Ok(())
}

/// Asks the running station (its `[http]` address, with its token) to print a label.
fn print(
    station: &Station,
    kind: LabelKind,
    code: &str,
    printer: Option<String>,
    copies: u32,
) -> anyhow::Result<i32> {
    let Some(http) = station.config.http.clone() else {
        eprintln!(
            "error: printing asks the running station over HTTP, and {} has no [http] section",
            station.source.display()
        );
        return Ok(1);
    };
    let Some(token) = http.token.as_deref() else {
        eprintln!(
            "error: printing asks the running station over HTTP, which takes changes only with a token: set [http] token in {}",
            station.source.display()
        );
        return Ok(1);
    };
    // a station listening on every address is reached on loopback
    let address = http
        .listen
        .replace("0.0.0.0:", "127.0.0.1:")
        .replace("[::]:", "[::1]:");
    let label = kind.name();
    let body = serde_json::json!({
        "label": label,
        "code": code,
        "printer": printer,
        "copies": copies,
    })
    .to_string();
    let (status, answer) = match post(&address, "/api/print", token, &body) {
        Ok(answer) => answer,
        Err(e) => {
            eprintln!(
                "error: the station is not answering at {address} ({e}): is it running? (systemctl status lotstation). To get the label as a file instead: lotstation label render {label} {code} --format pdf -o {code}.pdf"
            );
            return Ok(1);
        }
    };
    let said: serde_json::Value = serde_json::from_str(&answer).unwrap_or_default();
    let text = said["message"]
        .as_str()
        .or(said["error"].as_str())
        .unwrap_or(answer.as_str());
    if (200..300).contains(&status) {
        say!("{text}");
        Ok(0)
    } else {
        eprintln!("error: {text}");
        Ok(1)
    }
}

/// One `POST` over HTTP/1.1 to `address`: the status code and the body.
fn post(address: &str, path: &str, token: &str, body: &str) -> std::io::Result<(u16, String)> {
    use std::io::Read;
    let mut stream = std::net::TcpStream::connect(address)?;
    stream.set_read_timeout(Some(std::time::Duration::from_secs(30)))?;
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer)?;
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    Ok((status, body.to_string()))
}

/// The commands a station understands, as (scan, title, what it does).
const COMMANDS: &[(&str, &str, &str)] = &[
    ("@RECEIVE", "RECEIVE", "book in a delivery"),
    ("@MAKE", "MAKE", "make a batch"),
    ("@PACK", "PACK", "pack an order"),
    ("@WASTE", "WASTE", "write off waste"),
    ("@DONE", "DONE", "finish the line or document"),
    ("@CANCEL", "CANCEL", "drop what is pending"),
    ("@UNDO", "UNDO", "reverse the last recorded line"),
    ("@WEIGH", "WEIGH", "take the scale's stable weight"),
    ("@TARE", "TARE", "tare the scale"),
    ("@REPRINT", "REPRINT", "print the last label again"),
    ("@HOLD", "HOLD", "hold the next lot or batch"),
    ("@RELEASE", "RELEASE", "release the next lot or batch"),
    ("@VOID", "VOID", "void the next lot, batch or shipment"),
    ("@ADJUST", "ADJUST", "correct the next lot or batch"),
    ("@QTY:0", "QTY 0", "none left (with @ADJUST)"),
    ("@QTY:1", "QTY 1", "quantity 1"),
    ("@QTY:2", "QTY 2", "quantity 2"),
    ("@QTY:3", "QTY 3", "quantity 3"),
    ("@QTY:6", "QTY 6", "quantity 6"),
    ("@QTY:12", "QTY 12", "quantity 12"),
    ("@PLAN:12", "PLAN 12", "make a batch of 12"),
    ("@PLAN:24", "PLAN 24", "make a batch of 24"),
];

pub fn sheet(db: &Location, station: &Station, output: Option<&Path>) -> anyhow::Result<i32> {
    let store = Store::open_existing(db)?;
    let template = station.templates.get(LabelKind::Card);
    let LoadedTemplate::Described(card) = template else {
        anyhow::bail!("the command sheet needs a .toml card template");
    };
    let card_data = |scan: &str, title: &str, subtitle: &str| {
        let mut data = LabelData::default();
        data.set("scan", scan)
            .set("title", title)
            .set("subtitle", subtitle);
        data
    };
    let mut cards: Vec<LabelData> = COMMANDS
        .iter()
        .map(|(scan, title, what)| card_data(scan, title, what))
        .collect();
    let (items, suppliers) = store.sheet_entries()?;
    for (sku, name, kind) in items {
        cards.push(card_data(
            &format!("ITEM:{sku}"),
            &sku,
            &format!("{name} ({kind})"),
        ));
    }
    for (code, name) in suppliers {
        cards.push(card_data(
            &format!("SUP:{code}"),
            &code,
            &format!("supplier {name}"),
        ));
    }
    let bytes = label::render_sheet(card, &cards, 300)?;
    let path = output
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("sheet.pdf"));
    std::fs::write(&path, bytes)?;
    say!(
        "{} in {}",
        crate::core::counted(cards.len(), "card"),
        path.display()
    );
    Ok(0)
}
