//! The station configuration (SPEC §8): TOML, with an embedded default of one bench, a
//! stdin scanner, no scale and a file printer writing to `./labels/`.

use std::path::{Path, PathBuf};

use crate::codes::{CodeFormat, CodeFormatError};
use crate::host::Host;
use crate::label::{LabelKind, LoadedTemplate, TemplateError};
use crate::location::Location;
use crate::scan::{Pattern, PrefixKind};
use crate::workflow::{BatchLabels, Mode};

/// The configuration used when `lotstation run` gets no `--config`.
pub const EMBEDDED_DEFAULT: &str = r#"
[station]
database = "lotstation.db"

[[bench]]
name = "bench-1"
scanners = ["stdin", "camera"]
printer = "labels"

[[scanner]]
name = "stdin"
kind = "stdin"

[[scanner]]
name = "camera"
kind = "camera"

[[printer]]
name = "labels"
kind = "file"
path = "labels"
language = "zpl"

[http]
listen = "127.0.0.1:8077"
"#;

#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub station: StationConfig,
    #[serde(default)]
    pub codes: CodesConfig,
    #[serde(default)]
    pub bench: Vec<BenchConfig>,
    #[serde(default)]
    pub scanner: Vec<ScannerConfig>,
    #[serde(default)]
    pub scale: Vec<ScaleConfig>,
    #[serde(default)]
    pub printer: Vec<PrinterConfig>,
    #[serde(default)]
    pub pattern: Vec<PatternConfig>,
    #[serde(default)]
    pub labels: LabelsConfig,
    /// what a recall notice to consumers says besides the hazard
    #[serde(default)]
    pub recall: RecallConfig,
    /// the station screen and API; absent means no HTTP server
    pub http: Option<HttpConfig>,
    /// a shop's SKU (or product name) → our SKU, for `import orders --from SHOP`
    #[serde(default)]
    pub sku_map: std::collections::BTreeMap<String, String>,
    /// the reasons a shop gives (holds, voids, adjustments, waste), printed as `NOTE:`
    /// cards on the command sheet; none configured: [`DEFAULT_REASONS`]
    #[serde(default)]
    pub reason: Vec<ReasonConfig>,
}

/// One reason a shop gives often, as a `NOTE:` card.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReasonConfig {
    pub text: String,
}

/// The reasons on the command sheet of a shop that configures none.
pub const DEFAULT_REASONS: &[&str] = &[
    "damaged",
    "spilled",
    "expired",
    "customer complaint",
    "stock count",
];

/// The yields on a making bench's cards when it lists none.
pub const DEFAULT_YIELDS: &[u32] = &[6, 12, 24, 48];

#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpConfig {
    /// address to listen on; keep it on 127.0.0.1 unless the network is trusted
    #[serde(default = "default_listen")]
    pub listen: String,
    /// bearer token for requests that change anything (scans, holds, recalls)
    pub token: Option<String>,
    /// names (and addresses) people use to reach the screen besides loopback and the
    /// listen address; a request for any other name is refused
    #[serde(default)]
    pub hosts: Vec<String>,
    /// how long a console sign-in lasts, in minutes (12 hours: a working day)
    #[serde(default = "default_session_minutes")]
    pub session_minutes: u64,
    /// serve https instead of http (a phone lets a page use its camera only over https):
    /// with `cert.pem` and `key.pem` from `tls_dir`, made self-signed on first start
    #[serde(default)]
    pub tls: bool,
    /// the folder of the certificate and its key (your own, or the station's)
    #[serde(default = "default_tls_dir")]
    pub tls_dir: PathBuf,
}

fn default_tls_dir() -> PathBuf {
    PathBuf::from("tls")
}

fn default_session_minutes() -> u64 {
    720
}

fn default_listen() -> String {
    "127.0.0.1:8077".into()
}

/// The words of a recall notice that stay the same from recall to recall (EU General
/// Product Safety Regulation, the notice template of Implementing Regulation (EU) 2024/1435).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RecallConfig {
    /// how consumers reach the business about the recall (phone, email, web page)
    pub contact: Option<String>,
    /// what consumers should do (default: stop using it, keep it away from children)
    pub instructions: Option<String>,
    /// what the business offers (a refund, a replacement); `recall --remedy` for one recall
    pub remedy: Option<String>,
    /// the language of the notice's headings and set phrases: `en` (default), `de`, `fr`,
    /// `es`, `it`, `nl` (the words you give are printed as you write them)
    pub language: Option<String>,
}

#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LabelsConfig {
    /// a folder whose lot/batch/shipment/pack/card .toml or .zpl files replace the built-in templates
    pub templates: Option<PathBuf>,
    /// the word before a batch's code on its label (`{lot_mark}`): `BATCH`, or `L` where a
    /// food label's lot is marked so (EU Regulation 1169/2011)
    pub lot_mark: String,
    /// where GS1 Digital Link URIs on labels point (a shop's own resolver, or GS1's)
    pub digital_link_base: String,
}

impl Default for LabelsConfig {
    fn default() -> Self {
        LabelsConfig {
            templates: None,
            lot_mark: "BATCH".into(),
            digital_link_base: "https://id.gs1.org".into(),
        }
    }
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StationConfig {
    /// a SQLite file, or `postgresql://user@host/database` where stations share one
    pub database: Option<String>,
    /// this station's name, in every journal entry it writes (needed where stations share
    /// a PostgreSQL database: two stations with one name are refused)
    pub name: Option<String>,
    /// IANA time zone for dates on codes and labels; the system's if absent
    pub timezone: Option<String>,
    /// at the end of standard input, how long to wait for queued labels to print
    pub print_drain_seconds: Option<u64>,
    /// where stations share a PostgreSQL database: how long a station's claim on its names
    /// lasts unrenewed (renewed every third of it while it runs), so a station whose power
    /// was cut lets go of them within it (default 30, 3 to 600)
    pub claim_seconds: Option<u64>,
    /// the file the journal's head is witnessed in, best in another directory than the
    /// database (default: `<database>-witness`)
    pub witness: Option<PathBuf>,
    /// the business and address where this station's records happen (the "location
    /// description" of the FDA's traceability records): `Lavender Lane Soap, 12 Mill St,
    /// Springfield, IL 62701, 555-0100`
    pub location: Option<String>,
    /// the EU cosmetics "responsible person", name and address, as the batch and pack
    /// labels print it (`{responsible_person}`)
    pub responsible_person: Option<String>,
    /// the manufacturer's name, postal and electronic address, as the EU General Product
    /// Safety Regulation asks on the product (`{manufacturer}`)
    pub manufacturer: Option<String>,
    /// where US consumers report an adverse event with a cosmetic (MoCRA: a domestic
    /// address, phone number or website) (`{adverse_event_contact}`)
    pub adverse_event_contact: Option<String>,
}

#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CodesConfig {
    pub lot: String,
    pub batch: String,
    pub shipment: String,
}

impl Default for CodesConfig {
    fn default() -> Self {
        CodesConfig {
            lot: "{prefix}-{yymm}-{seq:03}".into(),
            batch: "MFG-{seq:04}".into(),
            shipment: "SHP-{seq:05}".into(),
        }
    }
}

#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BenchConfig {
    pub name: String,
    pub workflow: Option<Mode>,
    #[serde(default)]
    pub scanners: Vec<String>,
    pub scale: Option<String>,
    pub printer: Option<String>,
    /// accept consumptions above a lot's recorded balance (for shops whose receipts lag)
    #[serde(default)]
    pub allow_overdraw: bool,
    /// how far (percent of the target) an ingredient may be from the recipe before
    /// `@DONE` asks to be scanned twice
    #[serde(default = "default_tolerance")]
    pub recipe_tolerance_percent: u32,
    /// at a packing bench, how far (percent of the order line) a product sold by weight
    /// or volume may be from what the order asks and still fill the line
    #[serde(default = "default_pack_tolerance")]
    pub pack_tolerance_percent: u32,
    /// "per-unit" (one label per unit made, for products counted in `each`) or a number
    #[serde(
        default = "default_batch_labels",
        deserialize_with = "deserialize_batch_labels"
    )]
    pub batch_labels: BatchLabels,
    /// the counts a making bench's batches usually yield, printed as `@YIELD:` cards on
    /// its command sheet (none given: [`DEFAULT_YIELDS`])
    #[serde(default)]
    pub yields: Vec<u32>,
}

fn default_tolerance() -> u32 {
    5
}

fn default_pack_tolerance() -> u32 {
    2
}

fn default_batch_labels() -> BatchLabels {
    BatchLabels::PerUnit
}

fn deserialize_batch_labels<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<BatchLabels, D::Error> {
    let value = <toml::Value as serde::Deserialize>::deserialize(deserializer)?;
    batch_labels(&value).map_err(serde::de::Error::custom)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScannerKind {
    Stdin,
    Evdev,
    Hidraw,
    Serial,
    /// a phone's or tablet's camera on a bench's page (no device at the station)
    Camera,
}

impl ScannerKind {
    /// As the config spells it, and a device path of that kind for messages.
    fn name_and_example(self) -> (&'static str, &'static str) {
        match self {
            ScannerKind::Stdin => ("stdin", ""),
            ScannerKind::Evdev => ("evdev", "/dev/input/by-id/usb-…-event-kbd"),
            ScannerKind::Hidraw => ("hidraw", "/dev/lotstation/scanner-1"),
            ScannerKind::Serial => ("serial", "/dev/ttyACM0"),
            ScannerKind::Camera => ("camera", ""),
        }
    }
}

#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScannerConfig {
    pub name: String,
    pub kind: ScannerKind,
    /// the device node, best a stable name (`/dev/lotstation/scanner-1`, `/dev/input/by-id/…`)
    pub path: Option<String>,
    /// evdev: the keyboard layout the scanner types in (us, de, fr)
    #[serde(default = "default_layout")]
    pub layout: crate::decode::keys::Layout,
    /// evdev: what ends a scan (enter, tab, none)
    #[serde(default = "default_suffix")]
    pub suffix: crate::decode::keys::Suffix,
    /// evdev with suffix none: the pause that ends a scan
    #[serde(default = "default_key_timeout")]
    pub timeout_ms: u64,
    /// hidraw: the report layout, "honeywell" or "newland"
    #[serde(default = "default_report")]
    pub report: String,
    /// hidraw: a vendor's own report layout, instead of `report`
    /// (`{ report_id = 2, length_at = 1, payload_at = 2, aim_in_payload = true, more_at = 63, more_bit = 0 }`)
    pub report_layout: Option<crate::decode::hidpos::ReportLayout>,
    /// serial: line speed
    #[serde(default = "default_baud")]
    pub baud: u32,
    /// a second read of the same code from this scanner within this many milliseconds is
    /// a double read, journaled and answered but not counted (0: every read counts)
    #[serde(default)]
    pub debounce_ms: u64,
}

fn default_layout() -> crate::decode::keys::Layout {
    crate::decode::keys::Layout::Us
}

fn default_suffix() -> crate::decode::keys::Suffix {
    crate::decode::keys::Suffix::Enter
}

fn default_key_timeout() -> u64 {
    80
}

fn default_report() -> String {
    "honeywell".into()
}

#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScaleConfig {
    pub name: String,
    /// the serial device, best a stable name (`/dev/lotstation/scale-1`, `/dev/serial/by-id/…`)
    pub path: String,
    pub protocol: crate::decode::scale::Protocol,
    #[serde(default = "default_baud")]
    pub baud: u32,
    /// data bits, parity and stop bits: "8N1", "7E1" or "7O1" (default: 7E1 for
    /// toledo-8217, else 8N1)
    pub framing: Option<Framing>,
    /// the unit of a Toledo 8217 scale's answers (kg or lb)
    #[serde(default = "default_scale_unit")]
    pub unit: ScaleUnit,
    /// how long a stable weight must stay before it is taken automatically
    #[serde(default = "default_settle")]
    pub settle_ms: u64,
    /// how often a polled scale is asked for its weight
    #[serde(default = "default_poll")]
    pub poll_ms: u64,
}

fn default_scale_unit() -> ScaleUnit {
    ScaleUnit::Kg
}

/// A serial line's data bits, parity and stop bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
pub enum Framing {
    #[serde(rename = "8N1", alias = "8n1")]
    EightNone1,
    #[serde(rename = "7E1", alias = "7e1")]
    SevenEven1,
    #[serde(rename = "7O1", alias = "7o1")]
    SevenOdd1,
}

/// The unit a scale answers in, where its protocol does not say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScaleUnit {
    Kg,
    Lb,
}

impl ScaleUnit {
    pub fn unit(self) -> crate::codes::Unit {
        match self {
            ScaleUnit::Kg => crate::codes::Unit::Kg,
            ScaleUnit::Lb => crate::codes::Unit::Lb,
        }
    }
}

fn default_settle() -> u64 {
    1500
}

fn default_poll() -> u64 {
    250
}

fn default_baud() -> u32 {
    9600
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
enum PrinterKind {
    File,
    Tcp,
    Device,
    Ipp,
}

pub use crate::label::LabelLanguage;

/// How a printer is reached; each kind carries exactly what it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrinterConnection {
    /// labels written as files into a folder
    File { path: PathBuf },
    /// raw TCP, port 9100 (`host:port`)
    Tcp { address: String },
    /// a device node (`/dev/usb/lp0`)
    Device { path: PathBuf },
    /// an IPP printer (`ipp://host:631/ipp/print`)
    Ipp { uri: String },
}

/// One `[[printer]]`, checked: `kind` with the one key it needs (`file`/`device`: `path`,
/// `tcp`: `address`, `ipp`: `uri`) and no other.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(try_from = "RawPrinter")]
pub struct PrinterConfig {
    pub name: String,
    pub connection: PrinterConnection,
    pub language: LabelLanguage,
    pub dpi: u32,
    /// the roll or labels in a Brother QL (`brother-ql` only)
    pub media: crate::label::raster::BrotherMedia,
    /// the label stock loaded (`stock = "2x1in"`): flow templates are laid out on it; a
    /// Brother QL's is its media's
    pub stock: Option<&'static crate::label::stock::Stock>,
    /// how long to wait for the printer to connect, answer or take the bytes
    pub timeout_ms: u64,
    /// the longest pause between attempts at a printer that is not ready (pauses double
    /// from 250 ms up to this)
    pub retry_max_ms: u64,
}

/// `[[printer]]` as written.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPrinter {
    name: String,
    kind: PrinterKind,
    path: Option<PathBuf>,
    address: Option<String>,
    uri: Option<String>,
    #[serde(default = "default_language")]
    language: LabelLanguage,
    /// 203 when not written (300 for a Brother QL, the only resolution its head has)
    dpi: Option<u32>,
    media: Option<crate::label::raster::BrotherMedia>,
    stock: Option<String>,
    #[serde(default = "default_printer_timeout")]
    timeout_ms: u64,
    #[serde(default = "default_retry_max")]
    retry_max_ms: u64,
}

fn default_retry_max() -> u64 {
    10_000
}

impl TryFrom<RawPrinter> for PrinterConfig {
    type Error = String;

    fn try_from(raw: RawPrinter) -> Result<PrinterConfig, String> {
        let name = raw.name;
        let (kind, wanted, example) = match raw.kind {
            PrinterKind::File => ("file", "path", r#"path = "/var/lib/lotstation/labels""#),
            PrinterKind::Tcp => ("tcp", "address", r#"address = "192.168.1.40:9100""#),
            PrinterKind::Device => ("device", "path", r#"path = "/dev/usb/lp0""#),
            PrinterKind::Ipp => ("ipp", "uri", r#"uri = "ipp://printer.local:631/ipp/print""#),
        };
        let given = [
            ("path", raw.path.is_some()),
            ("address", raw.address.is_some()),
            ("uri", raw.uri.is_some()),
        ];
        if let Some((other, _)) = given.iter().find(|(key, set)| *set && *key != wanted) {
            return Err(format!(
                "printer {name:?} of kind {kind} takes {wanted}, not {other} (e.g. {example})"
            ));
        }
        let missing = || format!("printer {name:?} of kind {kind} needs {example}");
        let connection = match raw.kind {
            PrinterKind::File => PrinterConnection::File {
                path: raw.path.ok_or_else(missing)?,
            },
            PrinterKind::Tcp => {
                let address = raw.address.ok_or_else(missing)?;
                // host:port, the port a number from 1 to 65535 ([v6]:port too)
                let port = address
                    .rsplit_once(':')
                    .filter(|(host, _)| !host.is_empty())
                    .and_then(|(_, port)| port.parse::<u16>().ok())
                    .filter(|port| *port > 0);
                if port.is_none() {
                    return Err(format!(
                        "printer {name:?}: address {address:?} is not host:port with a port from 1 to 65535 (e.g. {example})"
                    ));
                }
                PrinterConnection::Tcp { address }
            }
            PrinterKind::Device => PrinterConnection::Device {
                path: raw.path.ok_or_else(missing)?,
            },
            PrinterKind::Ipp => PrinterConnection::Ipp {
                uri: raw.uri.ok_or_else(missing)?,
            },
        };
        let dpi = raw
            .language
            .dpi(raw.dpi)
            .map_err(|e| format!("printer {name:?}: {e}"))?;
        use crate::label::raster::BrotherMedia;
        use crate::label::stock;
        let stock = match raw.stock.as_deref() {
            Some(text) => Some(
                stock::find(text)
                    .ok_or_else(|| format!("printer {name:?}: {}", stock::unknown(text)))?,
            ),
            None => None,
        };
        let media = match (raw.language, raw.media, stock) {
            // a QL's stock is its roll: the two agree, or one follows from the other
            (LabelLanguage::BrotherQl, _, Some(s)) if s.ql.is_none() => {
                return Err(format!(
                    "printer {name:?}: stock {} ({}) is not a Brother DK roll; a QL takes 62mm, 62x29mm or 29x90mm",
                    s.name,
                    s.size_text()
                ));
            }
            (LabelLanguage::BrotherQl, Some(media), Some(s)) if s.ql != Some(media) => {
                return Err(format!(
                    "printer {name:?}: media = \"{}\" ({}) and stock = \"{}\" ({}) disagree: the labels would be laid out for one roll and printed on another",
                    media.name(),
                    media.the_label(),
                    s.name,
                    s.size_text()
                ));
            }
            (LabelLanguage::BrotherQl, media, s) => media
                .or(s.and_then(|s| s.ql))
                .unwrap_or(BrotherMedia::Endless62),
            (_, Some(_), _) => {
                return Err(format!(
                    "printer {name:?}: media is for language = \"brother-ql\" printers (other printers take stock = \"2x1in\" and the like)"
                ));
            }
            (_, None, _) => BrotherMedia::Endless62,
        };
        let stock = match raw.language {
            LabelLanguage::BrotherQl => Some(stock.unwrap_or_else(|| stock::of_media(media))),
            _ => stock,
        };
        Ok(PrinterConfig {
            name,
            connection,
            language: raw.language,
            dpi,
            media,
            stock,
            timeout_ms: raw.timeout_ms,
            retry_max_ms: raw.retry_max_ms.max(250),
        })
    }
}

fn default_printer_timeout() -> u64 {
    3000
}

fn default_language() -> LabelLanguage {
    LabelLanguage::Zpl
}

#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatternConfig {
    pub regex: String,
    pub kind: PrefixKind,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("config {path}: {source}")]
    Parse {
        path: PathBuf,
        source: toml::de::Error,
    },
    #[error("config {path}: {message}")]
    Invalid { path: PathBuf, message: String },
    #[error("config {path}: {source}")]
    CodeFormat {
        path: PathBuf,
        source: CodeFormatError,
    },
    #[error("config {path}: [labels] templates: {source}")]
    Template {
        path: PathBuf,
        source: TemplateError,
    },
}

/// A configuration checked for consistency, with its formats and patterns compiled.
#[derive(Debug, Clone)]
pub struct Station {
    pub source: PathBuf,
    pub config: Config,
    pub lot_format: CodeFormat,
    pub batch_format: CodeFormat,
    pub shipment_format: CodeFormat,
    pub patterns: Vec<Pattern>,
    pub timezone: jiff::tz::TimeZone,
    /// every label template, loaded and rendered once at start
    pub templates: Templates,
    /// the templates laid out on each printer's stock, for printers that name one
    pub printer_templates: std::collections::BTreeMap<String, Templates>,
}

/// The label templates of a station: the shop's own from `[labels] templates`, else the
/// built-in ones.
#[derive(Debug, Clone)]
pub struct Templates {
    lot: LoadedTemplate,
    batch: LoadedTemplate,
    shipment: LoadedTemplate,
    pack: LoadedTemplate,
    card: LoadedTemplate,
}

impl Templates {
    pub fn get(&self, kind: LabelKind) -> &LoadedTemplate {
        match kind {
            LabelKind::Lot => &self.lot,
            LabelKind::Batch => &self.batch,
            LabelKind::Shipment => &self.shipment,
            LabelKind::Pack => &self.pack,
            LabelKind::Card => &self.card,
        }
    }

    /// Reads the folder's `lot`, `batch`, `shipment`, `pack` and `card` templates (`.zpl` raw ZPL
    /// or `.toml`), each falling back to the built-in one.
    pub fn load(host: &dyn Host, dir: Option<&Path>) -> Result<Templates, TemplateError> {
        if let Some(dir) = dir
            && !host.is_dir(dir)
        {
            return Err(TemplateError::Folder {
                path: dir.display().to_string(),
            });
        }
        let one = |kind: LabelKind| -> Result<LoadedTemplate, TemplateError> {
            let Some(dir) = dir else {
                return LoadedTemplate::builtin(kind);
            };
            for (ext, raw) in [("zpl", Some(kind)), ("toml", None)] {
                let path = dir.join(format!("{}.{ext}", kind.name()));
                let shown = path.display().to_string();
                let bytes = match host.read(&path) {
                    Ok(bytes) => bytes,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                    Err(source) => {
                        return Err(TemplateError::Read {
                            path: shown,
                            source,
                        });
                    }
                };
                let text = String::from_utf8(bytes).map_err(|e| TemplateError::Read {
                    path: shown.clone(),
                    source: std::io::Error::new(std::io::ErrorKind::InvalidData, e),
                })?;
                let template = LoadedTemplate::parse(&shown, &text, raw)?;
                if template.kind() != kind {
                    return Err(TemplateError::Invalid {
                        path: shown,
                        message: format!(
                            "says kind = {:?}, expected {:?}",
                            template.kind().name(),
                            kind.name()
                        ),
                    });
                }
                return Ok(template);
            }
            LoadedTemplate::builtin(kind)
        };
        Ok(Templates {
            lot: one(LabelKind::Lot)?,
            batch: one(LabelKind::Batch)?,
            shipment: one(LabelKind::Shipment)?,
            pack: one(LabelKind::Pack)?,
            card: one(LabelKind::Card)?,
        })
    }

    /// Renders every template with example values in each language and resolution the
    /// printers use, so a template that cannot render is found at start, not at a print.
    /// These templates on `stock` (the command sheet's card keeps its own size).
    pub fn on_stock(&self, stock: &crate::label::stock::Stock) -> Result<Templates, String> {
        Ok(Templates {
            lot: self.lot.on_stock(stock)?,
            batch: self.batch.on_stock(stock)?,
            shipment: self.shipment.on_stock(stock)?,
            pack: self.pack.on_stock(stock)?,
            card: self.card.clone(),
        })
    }

    fn check_render(&self, printers: &[PrinterConfig]) -> Result<(), String> {
        // printers with a stock are checked on it (`printer_templates`)
        let mut targets: Vec<(LabelLanguage, u32, crate::label::raster::BrotherMedia)> = printers
            .iter()
            .filter(|p| p.stock.is_none())
            .map(|p| (p.language, p.dpi, p.media))
            .collect();
        targets.push((
            LabelLanguage::Zpl,
            203,
            crate::label::raster::BrotherMedia::Endless62,
        ));
        targets.sort_by_key(|(language, dpi, media)| (*language as u8, *dpi, *media as u8));
        targets.dedup();
        for kind in LabelKind::RECORDS {
            let template = self.get(kind);
            let data = crate::label::sample_data(kind);
            for (language, dpi, media) in &targets {
                let rendered =
                    crate::label::render_for(template, &data, *language, *dpi, *media, 1)
                        .map(|_| ());
                rendered.map_err(|e| {
                    format!(
                        "the {} label template does not render at {dpi} dpi: {e}",
                        kind.name()
                    )
                })?;
            }
        }
        Ok(())
    }
}

/// What the station says on every label: the lot mark, the responsible person, the
/// manufacturer, the adverse-event contact (empty where not configured).
fn station_words(config: &Config, data: &mut crate::label::LabelData) {
    let station = &config.station;
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    data.set("lot_mark", config.labels.lot_mark.trim())
        .set("responsible_person", text(&station.responsible_person))
        .set("manufacturer", text(&station.manufacturer))
        .set(
            "adverse_event_contact",
            text(&station.adverse_event_contact),
        );
}

/// Each printer's templates on its stock, checked: every label the printer's benches print
/// (a receiving bench's lots, a making bench's batches, a packing bench's shipments and
/// packs; every kind where a bench has no workflow) is laid out with example values, and a
/// template that cannot fit the stock is refused naming the template, the stock and what
/// does not fit.
fn printer_templates(
    config: &Config,
    templates: &Templates,
) -> Result<std::collections::BTreeMap<String, Templates>, String> {
    let mut out = std::collections::BTreeMap::new();
    for printer in &config.printer {
        let Some(stock) = printer.stock else {
            continue;
        };
        let on_stock = templates
            .on_stock(stock)
            .map_err(|e| format!("printer {:?}: {e}", printer.name))?;
        let mut kinds: Vec<LabelKind> = Vec::new();
        for bench in config
            .bench
            .iter()
            .filter(|b| b.printer.as_ref() == Some(&printer.name))
        {
            kinds.extend(match bench.workflow {
                Some(Mode::Receive) => vec![LabelKind::Lot],
                Some(Mode::Make) => vec![LabelKind::Batch],
                Some(Mode::Pack) => vec![LabelKind::Shipment, LabelKind::Pack],
                Some(Mode::Waste) => vec![],
                None => LabelKind::RECORDS.to_vec(),
            });
        }
        kinds.sort_by_key(|k| *k as u8);
        kinds.dedup();
        for kind in kinds {
            let mut sample = crate::label::sample_data(kind);
            if kind != LabelKind::Lot {
                station_words(config, &mut sample);
            }
            crate::label::render_for(
                on_stock.get(kind),
                &sample,
                printer.language,
                printer.dpi,
                printer.media,
                1,
            )
            .map_err(|e| {
                format!(
                    "printer {:?} (stock = \"{}\"): {e}; choose a larger stock, or a template with fewer or optional rows",
                    printer.name, stock.name
                )
            })?;
        }
        out.insert(printer.name.clone(), on_stock);
    }
    Ok(out)
}

impl Station {
    /// A record's label words: its facts in words, with what the station says on every
    /// label (the lot mark, the responsible person, the manufacturer, the adverse-event
    /// contact; empty where not configured, and a row of nothing is left off the label).
    pub fn label_words(&self, facts: &crate::print::LabelFacts) -> crate::label::LabelData {
        let mut data = crate::label::facts::words(
            facts,
            &self.config.labels.digital_link_base,
            &self.timezone,
        );
        station_words(&self.config, &mut data);
        data
    }

    /// The templates a printer's labels are made from: laid out on its stock where it names
    /// one (`None`: the station's own, as previews and `label render` use).
    pub fn templates_for(&self, printer: Option<&str>) -> &Templates {
        printer
            .and_then(|p| self.printer_templates.get(p))
            .unwrap_or(&self.templates)
    }

    /// The reasons printed as `NOTE:` cards: the configured ones, else the defaults.
    pub fn reasons(&self) -> Vec<String> {
        if self.config.reason.is_empty() {
            DEFAULT_REASONS.iter().map(|r| r.to_string()).collect()
        } else {
            self.config
                .reason
                .iter()
                .map(|r| r.text.trim().to_string())
                .collect()
        }
    }

    /// The configuration file at `path`, else the embedded default, read through `host`.
    pub fn load(host: &dyn Host, path: Option<&Path>) -> Result<Station, ConfigError> {
        match path {
            Some(path) => {
                let read = |source| ConfigError::Read {
                    path: path.to_path_buf(),
                    source,
                };
                let bytes = host.read(path).map_err(read)?;
                let text = String::from_utf8(bytes)
                    .map_err(|e| read(std::io::Error::new(std::io::ErrorKind::InvalidData, e)))?;
                Station::from_toml(host, &text, path)
            }
            None => Station::from_toml(host, EMBEDDED_DEFAULT, Path::new("(embedded default)")),
        }
    }

    /// A configuration's text, read from `path`; its templates folder and time zone are
    /// asked of `host`.
    pub fn from_toml(host: &dyn Host, text: &str, path: &Path) -> Result<Station, ConfigError> {
        let mut config: Config = toml::from_str(text).map_err(|source| ConfigError::Parse {
            path: path.to_path_buf(),
            source,
        })?;
        // relative paths in a file are the file's: an import run from another folder
        // finds the station's database, not a new empty one beside itself
        if let Some(base) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            config.resolve_paths(base);
        }
        let invalid = |message: String| ConfigError::Invalid {
            path: path.to_path_buf(),
            message,
        };
        let format = |text: &str| {
            CodeFormat::parse(text).map_err(|source| ConfigError::CodeFormat {
                path: path.to_path_buf(),
                source,
            })
        };
        if let Some(database) = &config.station.database {
            Location::parse(database).map_err(|e| invalid(format!("[station] database: {e}")))?;
        }
        if let Some(name) = &config.station.name
            && (name.trim().is_empty() || name.len() > 64 || name.chars().any(char::is_control))
        {
            return Err(invalid(format!(
                "[station] name {name:?}: give a short name (1 to 64 characters), e.g. \"kitchen\""
            )));
        }
        let lot_format = format(&config.codes.lot)?;
        let batch_format = format(&config.codes.batch)?;
        let shipment_format = format(&config.codes.shipment)?;
        if config.bench.is_empty() {
            return Err(invalid(
                "no [[bench]]: a station needs at least one bench".into(),
            ));
        }
        let mut names = std::collections::HashSet::new();
        for bench in &config.bench {
            if !names.insert(bench.name.as_str()) {
                return Err(invalid(format!("two benches are named {:?}", bench.name)));
            }
            for scanner in &bench.scanners {
                if !config.scanner.iter().any(|s| &s.name == scanner) {
                    return Err(invalid(format!(
                        "bench {:?} uses scanner {scanner:?}, which no [[scanner]] defines",
                        bench.name
                    )));
                }
            }
            if let Some(scale) = &bench.scale
                && !config.scale.iter().any(|s| &s.name == scale)
            {
                return Err(invalid(format!(
                    "bench {:?} uses scale {scale:?}, which no [[scale]] defines",
                    bench.name
                )));
            }
            if let Some(printer) = &bench.printer
                && !config.printer.iter().any(|p| &p.name == printer)
            {
                return Err(invalid(format!(
                    "bench {:?} uses printer {printer:?}, which no [[printer]] defines",
                    bench.name
                )));
            }
        }
        // each device and bench by one name: a second of the same name would be unreachable
        for (what, names) in [
            (
                "[[bench]]",
                config.bench.iter().map(|b| &b.name).collect::<Vec<_>>(),
            ),
            (
                "[[scanner]]",
                config.scanner.iter().map(|s| &s.name).collect(),
            ),
            (
                "[[printer]]",
                config.printer.iter().map(|p| &p.name).collect(),
            ),
            ("[[scale]]", config.scale.iter().map(|s| &s.name).collect()),
        ] {
            let mut seen = std::collections::BTreeSet::new();
            if let Some(twice) = names.into_iter().find(|n| !seen.insert(*n)) {
                return Err(invalid(format!(
                    "two {what} are named {twice:?}: give each its own name"
                )));
            }
        }
        for scanner in &config.scanner {
            if matches!(
                scanner.kind,
                ScannerKind::Evdev | ScannerKind::Hidraw | ScannerKind::Serial
            ) && scanner.path.is_none()
            {
                let (kind, example) = scanner.kind.name_and_example();
                return Err(invalid(format!(
                    "scanner {:?} of kind {kind} needs a path (e.g. path = \"{example}\")",
                    scanner.name
                )));
            }
            if scanner.kind == ScannerKind::Camera && scanner.path.is_some() {
                return Err(invalid(format!(
                    "scanner {:?} is a camera: a phone or tablet on the bench's page is the camera, so it has no path (remove path)",
                    scanner.name
                )));
            }
            if scanner.kind == ScannerKind::Hidraw
                && scanner.report_layout.is_none()
                && crate::decode::hidpos::ReportLayout::named(&scanner.report).is_none()
            {
                return Err(invalid(format!(
                    "scanner {:?}: report {:?} is not honeywell or newland",
                    scanner.name, scanner.report
                )));
            }
            let users = config
                .bench
                .iter()
                .filter(|b| b.scanners.contains(&scanner.name))
                .count();
            if users == 0 {
                return Err(invalid(format!(
                    "scanner {:?} is not in any bench's scanners: its scans would have nowhere to go (add it to a [[bench]] scanners list, or remove it)",
                    scanner.name
                )));
            }
            // a camera is any phone signed in on the bench's page: one name may serve several
            if users > 1 && scanner.kind != ScannerKind::Camera {
                return Err(invalid(format!(
                    "scanner {:?} is used by {users} benches",
                    scanner.name
                )));
            }
        }
        if let Some(language) = &config.recall.language
            && !matches!(language.as_str(), "en" | "de" | "fr" | "es" | "it" | "nl")
        {
            return Err(invalid(format!(
                "[recall] language = {language:?}: en, de, fr, es, it or nl"
            )));
        }
        if let Some(seconds) = config.station.claim_seconds
            && !(3..=600).contains(&seconds)
        {
            return Err(invalid(format!(
                "[station] claim_seconds = {seconds}: from 3 to 600 seconds (default 30)"
            )));
        }
        for reason in &config.reason {
            let text = reason.text.trim();
            if text.is_empty() || text.chars().count() > 60 || text.chars().any(char::is_control) {
                return Err(invalid(format!(
                    "[[reason]] text {:?}: give a short reason (1 to 60 characters), e.g. \"damaged\"",
                    reason.text
                )));
            }
        }
        for bench in &config.bench {
            if let Some(n) = bench.yields.iter().find(|&&n| n == 0 || n > 100_000) {
                return Err(invalid(format!(
                    "bench {:?} yields: {n} is not a count a batch makes (1 to 100000)",
                    bench.name
                )));
            }
        }
        let patterns = config
            .pattern
            .iter()
            .map(|p| {
                regex::Regex::new(&p.regex)
                    .map(|regex| Pattern {
                        regex,
                        kind: p.kind,
                    })
                    .map_err(|e| invalid(format!("pattern {:?}: {e}", p.regex)))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let timezone = host.zone(config.station.timezone.as_deref()).map_err(|e| {
            invalid(format!(
                "timezone {:?}: {e}",
                config.station.timezone.as_deref().unwrap_or_default()
            ))
        })?;
        let templates =
            Templates::load(host, config.labels.templates.as_deref()).map_err(|source| {
                ConfigError::Template {
                    path: path.to_path_buf(),
                    source,
                }
            })?;
        templates.check_render(&config.printer).map_err(invalid)?;
        let printer_templates = printer_templates(&config, &templates).map_err(invalid)?;
        Ok(Station {
            source: path.to_path_buf(),
            templates,
            printer_templates,
            config,
            lot_format,
            batch_format,
            shipment_format,
            patterns,
            timezone,
        })
    }

    /// Where this station's records happen, as the FDA's and the EU's records name the
    /// business: `[station] location`, else its name ("" when neither is set).
    pub fn business(&self) -> String {
        self.config
            .station
            .location
            .clone()
            .or_else(|| self.config.station.name.clone())
            .unwrap_or_default()
    }

    /// How long this station's claim on its names lasts unrenewed (`[station]
    /// claim_seconds`, default 30 s).
    pub fn claim_lease(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.config.station.claim_seconds.unwrap_or(30))
    }

    /// The database path: `--db`, else the config's, else `./lotstation.db`.
    pub fn database(&self, db_flag: Option<&Location>) -> Location {
        db_flag.cloned().unwrap_or_else(|| {
            self.config
                .station
                .database
                .as_deref()
                .and_then(|d| Location::parse(d).ok())
                .unwrap_or_else(|| Location::sqlite("lotstation.db"))
        })
    }

    /// The witness file of `database`: the configured one, else the default beside it.
    pub fn witness(&self, database: &Location) -> PathBuf {
        self.config
            .station
            .witness
            .clone()
            .unwrap_or_else(|| database.default_witness())
    }

    /// The station's name, if the configuration gives one.
    pub fn name(&self) -> Option<&str> {
        self.config.station.name.as_deref()
    }

    pub fn bench(&self, name: &str) -> Option<&BenchConfig> {
        self.config.bench.iter().find(|b| b.name == name)
    }

    /// The camera scanner a bench lists, if any: the name its camera reads are journaled by.
    pub fn camera_of(&self, bench: &str) -> Option<&ScannerConfig> {
        let listed = &self.bench(bench)?.scanners;
        self.config
            .scanner
            .iter()
            .find(|s| s.kind == ScannerKind::Camera && listed.contains(&s.name))
    }
}

impl Config {
    /// Every relative file path the configuration names (the SQLite database, the
    /// witness, the label templates, a file printer's folder) taken from `base`, the
    /// configuration file's folder.
    fn resolve_paths(&mut self, base: &Path) {
        let from_base = |path: &Path| -> PathBuf {
            if path.is_relative() {
                base.join(path)
            } else {
                path.to_path_buf()
            }
        };
        if let Some(database) = &self.station.database
            && let Ok(Location::Sqlite(file)) = Location::parse(database)
        {
            self.station.database = Some(from_base(&file).display().to_string());
        }
        if let Some(witness) = &self.station.witness {
            self.station.witness = Some(from_base(witness));
        }
        if let Some(templates) = &self.labels.templates {
            self.labels.templates = Some(from_base(templates));
        }
        for printer in &mut self.printer {
            if let PrinterConnection::File { path } = &mut printer.connection {
                *path = from_base(path);
            }
        }
        if let Some(http) = &mut self.http {
            http.tls_dir = from_base(&http.tls_dir);
        }
    }
}

/// `batch_labels = "per-unit"` or a positive number.
pub fn batch_labels(value: &toml::Value) -> Result<BatchLabels, String> {
    match value {
        toml::Value::String(s) if s == "per-unit" => Ok(BatchLabels::PerUnit),
        toml::Value::Integer(n) if (1..=1000).contains(n) => Ok(BatchLabels::Fixed(*n as u32)),
        other => Err(format!(
            "batch_labels must be \"per-unit\" or a number from 1 to 1000, not {other}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::InMemory;

    fn check_err(toml: &str, expected: &str) {
        check_err_on(&InMemory::default(), toml, expected);
    }

    fn check_err_on(host: &InMemory, toml: &str, expected: &str) {
        let err = Station::from_toml(host, toml, Path::new("t.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains(expected), "{err}");
    }

    /// A camera is whichever phone is signed in on a bench's page: one camera scanner may
    /// serve several benches (each bench its own), and it has no device path.
    #[test]
    fn a_camera_serves_the_benches_that_list_it() {
        let toml = "[[bench]]\nname='dock'\nscanners=['camera','usb']\n[[bench]]\nname='kitchen'\nscanners=['camera']\n\
                    [[bench]]\nname='pack'\n\
                    [[scanner]]\nname='camera'\nkind='camera'\n[[scanner]]\nname='usb'\nkind='stdin'\n";
        let station = Station::from_toml(&InMemory::default(), toml, Path::new("t.toml")).unwrap();
        assert_eq!(
            station.camera_of("dock").map(|c| c.name.as_str()),
            Some("camera")
        );
        assert_eq!(
            station.camera_of("kitchen").map(|c| c.name.as_str()),
            Some("camera")
        );
        assert!(station.camera_of("pack").is_none());
        check_err(
            "[[bench]]\nname='a'\nscanners=['c']\n[[scanner]]\nname='c'\nkind='camera'\npath='/dev/video0'\n",
            "is a camera: a phone or tablet on the bench's page is the camera, so it has no path",
        );
        check_err(
            "[[bench]]\nname='a'\nscanners=['u']\n[[bench]]\nname='b'\nscanners=['u']\n[[scanner]]\nname='u'\nkind='stdin'\n",
            "scanner \"u\" is used by 2 benches",
        );
    }

    #[test]
    fn embedded_default_loads() {
        let station = Station::load(&InMemory::default(), None).unwrap();
        assert_eq!(station.config.bench.len(), 1);
        assert_eq!(station.database(None), Location::sqlite("lotstation.db"));
        assert_eq!(
            station.database(Some(&Location::sqlite("x.db"))),
            Location::sqlite("x.db")
        );
        check_err(
            "[station]\ndatabase = 'postgresql:lots'\n[[bench]]\nname='a'\n",
            "[station] database",
        );
        check_err(
            "[station]\nname = ''\n[[bench]]\nname='a'\n",
            "[station] name",
        );
    }

    #[test]
    fn device_options_load() {
        let toml = "[[bench]]\nname='a'\nscanners=['pos','wedge']\nscale='s'\n\
                    [[scanner]]\nname='pos'\nkind='hidraw'\npath='/dev/hidraw0'\n\
                    report_layout = { report_id = 4, length_at = 1, payload_at = 3, aim_in_payload = false, more_at = 62, more_bit = 1 }\n\
                    [[scanner]]\nname='wedge'\nkind='evdev'\npath='/dev/input/event3'\nlayout='de'\nsuffix='none'\ntimeout_ms=60\n\
                    [[scale]]\nname='s'\npath='/dev/ttyUSB0'\nprotocol='toledo-8217'\nunit='lb'\n";
        let station = Station::from_toml(&InMemory::default(), toml, Path::new("t.toml")).unwrap();
        let pos = &station.config.scanner[0];
        assert_eq!(
            pos.report_layout
                .map(|l| (l.report_id, l.payload_at, l.more_at)),
            Some((4, 3, 62))
        );
        assert_eq!(
            station.config.scanner[1].layout,
            crate::decode::keys::Layout::De
        );
        assert_eq!(
            station.config.scale[0].protocol,
            crate::decode::scale::Protocol::Toledo8217
        );
        check_err(
            "[[bench]]\nname='a'\nscanners=['x']\n[[scanner]]\nname='x'\nkind='evdev'\n",
            "scanner \"x\" of kind evdev needs a path (e.g. path = \"/dev/input/by-id/",
        );
        check_err(
            "[[bench]]\nname='a'\nscale='s'\n[[scale]]\nname='s'\npath='p'\nprotocol='ohaus'\n",
            "unknown variant `ohaus`",
        );
    }

    #[test]
    fn mistakes_found_at_start_name_the_key_and_the_allowed_values() {
        let bench = "[[bench]]\nname='a'\nprinter='p'\n";
        check_err(
            &format!("{bench}[[printer]]\nname='p'\nkind='tcp'\n"),
            r#"printer "p" of kind tcp needs address = "192.168.1.40:9100""#,
        );
        check_err(
            &format!("{bench}[[printer]]\nname='p'\nkind='tcp'\npath='/tmp'\n"),
            r#"printer "p" of kind tcp takes address, not path"#,
        );
        check_err(
            &format!("{bench}[[printer]]\nname='p'\nkind='laser'\n"),
            "unknown variant `laser`, expected one of `file`, `tcp`, `device`, `ipp`",
        );
        check_err(
            &format!("{bench}[[printer]]\nname='p'\nkind='file'\npath='l'\ndpi=20000\n"),
            "dpi 20000 is not a printer's resolution",
        );
        check_err(
            &format!(
                "{bench}[[printer]]\nname='p'\nkind='file'\npath='l'\nlanguage='brother-ql'\ndpi=203\n"
            ),
            "a Brother QL prints at 300 dpi, not 203 (leave dpi out)",
        );
        let scale = "[[bench]]\nname='a'\nscale='s'\n[[scale]]\nname='s'\npath='/dev/ttyUSB0'\nprotocol='mt-sics'\n";
        check_err(
            &format!("{scale}framing='9X9'\n"),
            "unknown variant `9X9`, expected one of `8N1`",
        );
        check_err(
            &format!("{scale}unit='stone'\n"),
            "unknown variant `stone`, expected `kg` or `lb`",
        );
        check_err(
            "[[bench]]\nname='a'\nscanners=['one']\n[[scanner]]\nname='one'\nkind='stdin'\n[[scanner]]\nname='lost'\nkind='stdin'\n",
            r#"scanner "lost" is not in any bench's scanners"#,
        );
        check_err(
            "[[bench]]\nname='a'\nprinter='nope'\n",
            r#"bench "a" uses printer "nope", which no [[printer]] defines"#,
        );
        // a template folder whose template does not parse is refused at start
        let host = InMemory::default().with_file("/labels/lot.zpl", "^FDno start^FS");
        check_err_on(
            &host,
            "[labels]\ntemplates='/labels'\n[[bench]]\nname='a'\n",
            "a ZPL template needs ^XA and ^XZ",
        );
        // and one that parses but cannot render (a barcode's data is not GS1)
        let host = InMemory::default().with_file(
            "/labels/lot.toml",
            "kind='lot'\nwidth_mm=50\nheight_mm=30\n[[element]]\ntype='barcode'\nsymbology='gs1-128'\nx_mm=1\ny_mm=1\nheight_mm=10\ndata='{item_name}'\n",
        );
        check_err_on(
            &host,
            "[labels]\ntemplates='/labels'\n[[bench]]\nname='a'\n",
            "the lot label template does not render at 203 dpi",
        );
    }

    /// Issue 29's bad input: an unknown stock, a QL's media that disagrees with its stock, a
    /// template that cannot fit its printer's stock: refused at start with names and sizes.
    #[test]
    fn stocks_that_cannot_be_are_refused_at_start() {
        let printer = |rest: &str| {
            format!(
                "[[bench]]\nname='make'\nworkflow='make'\nprinter='p'\n\
                 [[printer]]\nname='p'\nkind='file'\npath='/l'\n{rest}\n"
            )
        };
        check_err(
            &printer("stock='5x5in'"),
            "unknown label stock \"5x5in\": the built-in stocks are 2x1in, 2.25x1.25in",
        );
        check_err(
            &printer("language='brother-ql'\nmedia='62x29'\nstock='29x90mm'"),
            "media = \"62x29\" (the 62 × 29 mm label) and stock = \"29x90mm\" (90 × 29 mm) disagree",
        );
        check_err(
            &printer("language='brother-ql'\nstock='2x1in'"),
            "stock 2x1in (50.8 × 25.4 mm) is not a Brother DK roll",
        );
        check_err(
            &printer("stock='4x6in'\nmedia='62'"),
            "media is for language = \"brother-ql\" printers",
        );
        // a template of coordinates of another size
        let host = InMemory::default().with_file(
            "/labels/batch.toml",
            "kind='batch'\nwidth_mm=100\nheight_mm=60\n[[element]]\ntype='text'\nx_mm=1\ny_mm=1\nheight_mm=3\ntext='{code}'\n",
        );
        check_err_on(
            &host,
            &format!(
                "[labels]\ntemplates='/labels'\n{}",
                printer("stock='2x1in'")
            ),
            "the batch template is 100 × 60 mm and stock 2x1in is 50.8 × 25.4 mm",
        );
        // a flow template whose rows cannot fit, even shrunk: named with the stock and why
        let host = InMemory::default().with_file(
            "/labels/batch.toml",
            "kind='batch'\n[[row]]\ntext='{product_name}'\nsize_mm=12\nlines=3\n\
             [[row]]\nbarcode='code128'\ndata='{code}'\nheight_mm=40\n",
        );
        check_err_on(
            &host,
            &format!(
                "[labels]\ntemplates='/labels'\n{}",
                printer("stock='2x1in'")
            ),
            "printer \"p\" (stock = \"2x1in\"): the batch label does not fit stock 2x1in (50.8 × 25.4 mm): its rows need",
        );
        // the same printer at a packing bench is not asked for batch labels
        let ok = "[[bench]]\nname='pack'\nworkflow='pack'\nprinter='p'\n\
                  [[printer]]\nname='p'\nkind='file'\npath='/l'\nstock='2.25x1.25in'\n";
        let station = Station::from_toml(&InMemory::default(), ok, Path::new("t.toml")).unwrap();
        let t = station.templates_for(Some("p")).get(LabelKind::Shipment);
        assert!(matches!(t, LoadedTemplate::Described(t) if t.width_mm == 57.15));
        // a QL without a stock has its media's
        let ql = printer("language='brother-ql'\nmedia='29x90'");
        let station = Station::from_toml(&InMemory::default(), &ql, Path::new("t.toml")).unwrap();
        assert_eq!(
            station.config.printer[0].stock.map(|s| s.name),
            Some("29x90mm")
        );
    }

    #[test]
    fn bad_configs_say_what_is_wrong() {
        check_err(
            "[[bench]]\nname='a'\nscanners=['s']",
            "which no [[scanner]] defines",
        );
        check_err("", "no [[bench]]");
        check_err(
            "[codes]\nlot='X-{day}-{seq}'\n[[bench]]\nname='a'",
            "unknown placeholder {day}",
        );
        check_err(
            "[[bench]]\nname='a'\nbatch_labels='lots'",
            "batch_labels must be",
        );
        check_err(
            "[[bench]]\nname='a'\ncolour='red'",
            "unknown field `colour`",
        );
        check_err(
            "[[bench]]\nname='a'\n[[pattern]]\nregex='('\nkind='order'",
            "pattern \"(\"",
        );
        check_err(
            "[station]\ntimezone='Mars/Olympus'\n[[bench]]\nname='a'",
            "Mars/Olympus",
        );
    }

    /// Four mistakes `run --check` used to pass (issue 32): a templates folder that does not
    /// exist, two scanners of one name, a printer port out of range, a template with a
    /// placeholder left open.
    #[test]
    fn mistakes_that_used_to_pass_the_check_are_refused() {
        let bench = "[[bench]]\nname='a'\nscanners=['s']\nprinter='p'\n[[scanner]]\nname='s'\nkind='stdin'\n";
        let printer = "[[printer]]\nname='p'\nkind='file'\npath='out'\n";
        check_err(
            &format!("[labels]\ntemplates='/srv/nowhere'\n{bench}{printer}"),
            "/srv/nowhere is not a folder: create it",
        );
        check_err(
            &format!("{bench}[[scanner]]\nname='s'\nkind='stdin'\n{printer}"),
            "two [[scanner]] are named \"s\": give each its own name",
        );
        for port in ["99999", "0", "x", ""] {
            check_err(
                &format!("{bench}[[printer]]\nname='p'\nkind='tcp'\naddress='10.0.0.5:{port}'\n"),
                &format!(
                    "address \"10.0.0.5:{port}\" is not host:port with a port from 1 to 65535"
                ),
            );
        }
        let open = InMemory::default().with_file(
            "/srv/labels/lot.toml",
            "kind = \"lot\"\nstock = \"100x60mm\"\n[[row]]\ntext = \"{item_name\"\nsize_mm = 5\n",
        );
        check_err_on(
            &open,
            &format!("[labels]\ntemplates='/srv/labels'\n{bench}{printer}"),
            "placeholder {item_name is not closed",
        );
    }

    #[test]
    fn relative_paths_are_the_config_files() {
        // the templates folder holds no template: the built-in ones stand in
        let shop = InMemory::default().with_file("/srv/shop/labels/notes.txt", "ours later");
        let station = Station::from_toml(
            &shop,
            "[station]\ndatabase = \"lotstation.db\"\nwitness = \"logs/head\"\n\
             [labels]\ntemplates = \"labels\"\n\
             [[bench]]\nname = \"b\"\nscanners = [\"s\"]\nprinter = \"p\"\n\
             [[scanner]]\nname = \"s\"\nkind = \"stdin\"\n\
             [[printer]]\nname = \"p\"\nkind = \"file\"\npath = \"out\"\nlanguage = \"pdf\"\n",
            Path::new("/srv/shop/lotstation.toml"),
        );
        let station = station.expect("config");
        assert_eq!(
            station.database(None),
            Location::sqlite("/srv/shop/lotstation.db")
        );
        assert_eq!(
            station.witness(&station.database(None)),
            PathBuf::from("/srv/shop/logs/head")
        );
        assert!(matches!(
            &station.config.printer[0].connection,
            PrinterConnection::File { path } if path == Path::new("/srv/shop/out")
        ));
        // an absolute path and a PostgreSQL address are as written
        let pg = Station::from_toml(
            &InMemory::default(),
            "[station]\ndatabase = \"postgresql://shop@db/lots\"\n[[bench]]\nname = \"b\"\n",
            Path::new("/srv/shop/lotstation.toml"),
        )
        .expect("config");
        assert_eq!(pg.database(None).to_string(), "postgresql://shop@db/lots");
    }
}
