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
        /// Brother QL media (with --format brother-ql) [default: the stock's, else 62]
        #[arg(long, value_enum)]
        media: Option<BrotherMedia>,
        /// the label stock to lay the label out on (`lotstation label stocks`): 2x1in,
        /// 62x29mm, 4x6in, 30252, … [default: the template's own]
        #[arg(long)]
        stock: Option<String>,
    },
    /// The built-in label stocks: their names, sizes, and which labels fit on them
    Stocks,
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
    let (kind, code, format, output, dpi, copies, media, stock) = match command {
        LabelCommand::Render {
            kind,
            code,
            format,
            output,
            dpi,
            copies,
            media,
            stock,
        } => (kind, code, format, output, dpi, copies, media, stock),
        LabelCommand::Stocks => return stocks(station),
        LabelCommand::Print {
            kind,
            code,
            printer,
            copies,
        } => return print(station, kind, &code, printer, copies),
    };
    let dpi = format.dpi(dpi).map_err(anyhow::Error::msg)?;
    let stock = match stock.as_deref() {
        Some(name) => Some(
            label::stock::find(name).ok_or_else(|| anyhow::anyhow!(label::stock::unknown(name)))?,
        ),
        // a QL's labels are laid out on the roll it has
        None if format == LabelLanguage::BrotherQl => Some(label::stock::of_media(
            media.unwrap_or(BrotherMedia::Endless62),
        )),
        None => None,
    };
    // a QL prints on the stock's roll; a media that disagrees with the stock is refused
    let media = match (stock.and_then(|s| s.ql), media) {
        (Some(roll), Some(media)) if roll != media => anyhow::bail!(
            "--media {} is not stock {} ({}): give one or the other",
            media.name(),
            stock.map(|s| s.name).unwrap_or_default(),
            roll.the_label()
        ),
        (Some(roll), _) => roll,
        (None, Some(media)) => media,
        (None, None) => BrotherMedia::Endless62,
    };
    if format == LabelLanguage::BrotherQl
        && let Some(stock) = stock
        && stock.ql.is_none()
    {
        anyhow::bail!(
            "stock {} ({}) is not a Brother DK roll: a QL prints on 62mm, 62x29mm or 29x90mm",
            stock.name,
            stock.size_text()
        );
    }
    let store = Store::open_read_only(db)?;
    let template = match stock {
        Some(stock) => station
            .templates
            .get(kind)
            .on_stock(stock)
            .map_err(anyhow::Error::msg)?,
        None => station.templates.get(kind).clone(),
    };
    let data = station.label_words(&store.label_facts(kind, &code)?);
    let bytes = label::render_for(&template, &data, format, dpi, media, copies)?;
    write_output(output.as_deref(), &bytes)?;
    Ok(0)
}

/// `lotstation label stocks`: each built-in stock, its size, and the labels of the station's
/// templates that fit on it (laid out with example values).
fn stocks(station: &Station) -> anyhow::Result<i32> {
    let mut out =
        String::from("stock         size                 fits                          what\n");
    for stock in label::stock::STOCKS {
        let dpi = if stock.ql.is_some() { 300 } else { 203 };
        let fits: Vec<&str> = LabelKind::RECORDS
            .iter()
            .filter(|kind| {
                station
                    .templates
                    .get(**kind)
                    .on_stock(stock)
                    .is_ok_and(|t| {
                        label::render_bitmap(&t, &label::sample_data(**kind), dpi).is_ok()
                    })
            })
            .map(|kind| kind.name())
            .collect();
        out.push_str(&format!(
            "{:<13} {:<20} {:<29} {}\n",
            stock.name,
            stock.size_text(),
            if fits.is_empty() {
                "none".to_string()
            } else {
                fits.join(", ")
            },
            stock.what
        ));
    }
    say!("{}", out.trim_end());
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
pub fn sheet(
    db: &Location,
    station: &Station,
    output: Option<&Path>,
    bench: Option<&str>,
) -> anyhow::Result<i32> {
    let store = Store::open_existing(db)?;
    let template = station.templates.get(LabelKind::Card);
    let LoadedTemplate::Described(card) = template else {
        anyhow::bail!("the command sheet needs a .toml card template");
    };
    // a bench's sheet: the cards of the workflow it does (all four where it has none)
    let bench = match bench {
        Some(name) => Some(station.bench(name).ok_or_else(|| {
            anyhow::anyhow!(
                "no bench {name:?} in {}: the benches are {}",
                station.source.display(),
                station
                    .config
                    .bench
                    .iter()
                    .map(|b| b.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })?),
        None => None,
    };
    let workflows: Option<Vec<_>> = bench.and_then(|b| b.workflow).map(|m| vec![m]);
    let yields: Vec<u32> = bench
        .map(|b| b.yields.clone())
        .filter(|y| !y.is_empty())
        .or_else(|| {
            // the whole sheet: every bench's yields, once each
            let mut all: Vec<u32> = station
                .config
                .bench
                .iter()
                .flat_map(|b| b.yields.iter().copied())
                .collect();
            all.sort_unstable();
            all.dedup();
            (!all.is_empty()).then_some(all)
        })
        .unwrap_or_else(|| crate::config::DEFAULT_YIELDS.to_vec());
    let (items, suppliers) = store.sheet_entries()?;
    let reasons = station.reasons();
    let cards: Vec<LabelData> = label::sheet::cards(&label::sheet::SheetInput {
        items: &items,
        suppliers: &suppliers,
        reasons: &reasons,
        yields: &yields,
        workflows: workflows.as_deref(),
    })
    .into_iter()
    .map(|c| {
        let mut data = LabelData::default();
        data.set("scan", &c.scan)
            .set("title", &c.title)
            .set("subtitle", &c.what);
        data
    })
    .collect();
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
