//! Master data CSV files (SPEC §9) parsed into typed rows. Every problem names the file,
//! the line and the column; a file with any problem imports nothing.

use std::collections::HashSet;
use std::path::Path;

use crate::codes::{Amount, Decimal, Gtin, Unit};
use crate::host::Host;
use crate::workflow::ItemKind;

/// A problem with an imported file, located as precisely as possible.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}{}{}: {message}", line.map(|l| format!(" line {l}")).unwrap_or_default(), column.as_ref().map(|c| format!(", column {c}")).unwrap_or_default())]
pub struct ImportError {
    pub file: String,
    pub line: Option<u64>,
    pub column: Option<String>,
    pub message: String,
}

impl ImportError {
    /// A problem at one line and column of `file` (the line an editor shows).
    pub fn at(file: &str, line: u64, column: &str, message: String) -> ImportError {
        ImportError {
            file: file.to_string(),
            line: Some(line),
            column: Some(column.to_string()),
            message,
        }
    }
}

/// Which master-data file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MasterKind {
    Items,
    Suppliers,
    Customers,
    Boms,
    Orders,
}

impl MasterKind {
    pub fn name(self) -> &'static str {
        match self {
            MasterKind::Items => "items",
            MasterKind::Suppliers => "suppliers",
            MasterKind::Customers => "customers",
            MasterKind::Boms => "boms",
            MasterKind::Orders => "orders",
        }
    }

    /// `n` rows of this file in words: `10 items`, `1 supplier`, `11 recipe lines` (a
    /// bill of materials is one row per ingredient), `30 order lines`.
    pub fn rows(self, n: usize) -> String {
        let noun = match self {
            MasterKind::Items => "item",
            MasterKind::Suppliers => "supplier",
            MasterKind::Customers => "customer",
            MasterKind::Boms => "recipe line",
            MasterKind::Orders => "order line",
        };
        crate::counted(n, noun)
    }

    pub fn columns(self) -> &'static [&'static str] {
        match self {
            MasterKind::Items => &[
                "sku",
                "name",
                "kind",
                "unit",
                "lot_prefix",
                "gtin",
                "shelf_life_days",
                "net_content",
                "pao_months",
                "reorder_point",
            ],
            MasterKind::Suppliers => &["code", "name", "contact", "email", "phone", "address"],
            MasterKind::Customers => &["code", "name", "email", "phone", "address"],
            MasterKind::Boms => &["product_sku", "material_sku", "quantity", "unit", "per"],
            MasterKind::Orders => &[
                "order_number",
                "customer_code",
                "ordered_at",
                "sku",
                "quantity",
            ],
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemRow {
    pub line: u64,
    pub sku: String,
    pub name: String,
    pub kind: ItemKind,
    pub unit: Unit,
    pub lot_prefix: Option<String>,
    pub gtin: Option<Gtin>,
    pub shelf_life_days: Option<u32>,
    /// what one unit of the product holds, as its package states it (optional column)
    pub net_content: Option<crate::net::NetContent>,
    /// a cosmetic's period after opening, in months (optional column): the open-jar
    /// symbol (`12M`) on its batch and pack labels
    pub pao_months: Option<u32>,
    /// the stock on hand below which the item is reordered, in base units (optional
    /// column, in the item's unit or with its own: `5 kg`)
    pub reorder_point: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartyRow {
    pub line: u64,
    pub code: String,
    pub name: String,
    /// suppliers: contact, email, phone; customers: email, phone, address
    pub fields: [String; 3],
    /// suppliers: where they ship from (optional; the FDA's traceability records ask)
    pub address: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BomRow {
    pub line: u64,
    pub product_sku: String,
    pub material_sku: String,
    pub quantity: Decimal,
    pub unit: Unit,
    /// how much product the quantities are for, in the product's unit (optional: without
    /// it the bill of materials lists ingredients but cannot be scaled to a batch)
    pub per: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderRow {
    pub line: u64,
    pub order_number: String,
    pub customer_code: String,
    pub ordered_at: String,
    pub sku: String,
    /// in the item's unit, unless the cell names another of its dimension (`1.5 kg`)
    pub quantity: Amount,
}

/// A parsed master-data file. Items, suppliers and customers carry the columns the file
/// has: an optional column it leaves out (a file written before the column existed, or
/// one with only what changed) leaves that field of known records as it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MasterFile {
    Items(Vec<ItemRow>, Given),
    Suppliers(Vec<PartyRow>, Given),
    Customers(Vec<PartyRow>, Given),
    Boms(Vec<BomRow>),
    Orders(Vec<OrderRow>),
}

/// The columns a file's header names.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Given(Vec<String>);

impl Given {
    /// A file's header naming these columns.
    pub fn columns(names: &[&str]) -> Given {
        Given(names.iter().map(|n| n.to_string()).collect())
    }

    fn of(row: &Row<'_>) -> Given {
        Given(row.index.iter().map(|(name, _)| name.clone()).collect())
    }

    /// Whether the file has this column (1) or not (0), as an SQL parameter.
    pub fn has(&self, column: &str) -> i64 {
        i64::from(self.0.iter().any(|c| c == column))
    }
}

/// One CSV row with access by column name and errors located at its line.
pub struct Row<'a> {
    file: &'a str,
    line: u64,
    record: &'a csv::StringRecord,
    index: &'a [(String, usize)],
    /// a semicolon-separated file: written where a comma is the decimal mark (`12,5`)
    decimal_comma: bool,
    /// a file another program wrote (a shop's export): spreadsheet artefacts cleaned
    export: bool,
}

impl Row<'_> {
    pub fn line(&self) -> u64 {
        self.line
    }

    pub fn error(&self, column: &str, message: impl Into<String>) -> ImportError {
        ImportError {
            file: self.file.to_string(),
            line: Some(self.line),
            column: Some(column.to_string()),
            message: message.into(),
        }
    }

    /// The trimmed value, or "" when the column is absent or empty.
    pub fn get(&self, column: &str) -> &str {
        let value = self
            .index
            .iter()
            .find(|(name, _)| name == column)
            .and_then(|(_, i)| self.record.get(*i))
            .map(str::trim)
            .unwrap_or("");
        if !self.export {
            return value;
        }
        // what spreadsheets leave in a shop's export: a leading apostrophe that kept a ZIP
        // code's zeros (`'01060`), a formula that did (`="01060"`)
        if let Some(formula) = value.strip_prefix("=\"").and_then(|v| v.strip_suffix('"')) {
            return formula.trim();
        }
        value.strip_prefix('\'').map_or(value, str::trim)
    }

    pub fn required(&self, column: &str) -> Result<String, ImportError> {
        let value = self.get(column);
        if value.is_empty() {
            return Err(self.error(column, "is empty; a value is required"));
        }
        Ok(value.to_string())
    }

    /// A number's text, its decimal comma made a point in a semicolon-separated file.
    fn number_text(&self, column: &str) -> Result<String, ImportError> {
        let text = self.required(column)?;
        Ok(if self.decimal_comma && !text.contains('.') {
            text.replacen(',', ".", 1)
        } else {
            text
        })
    }

    pub fn optional(&self, column: &str) -> Option<String> {
        let value = self.get(column);
        (!value.is_empty()).then(|| value.to_string())
    }

    pub fn decimal(&self, column: &str) -> Result<Decimal, ImportError> {
        let text = self.number_text(column)?;
        match Decimal::parse(&text) {
            Some(d) if d.mantissa > 0 => Ok(d),
            Some(_) => Err(self.error(column, format!("{text:?} must be more than zero"))),
            None => Err(self.error(
                column,
                format!("{text:?} is not a number (use a point for decimals: 12.5)"),
            )),
        }
    }

    /// An amount with its unit where the cell gives one (`1.5`, `1.5 kg`, `3 lb`).
    pub fn amount(&self, column: &str) -> Result<Amount, ImportError> {
        let text = self.number_text(column)?;
        match Amount::parse(&text) {
            Ok(a) if a.value.mantissa > 0 => Ok(a),
            Ok(_) => Err(self.error(column, format!("{text:?} must be more than zero"))),
            Err(e @ crate::codes::QuantityError::UnknownUnit(_)) => {
                Err(self.error(column, e.to_string()))
            }
            Err(_) => Err(self.error(
                column,
                format!("{text:?} is not a number (use a point for decimals: 12.5)"),
            )),
        }
    }

    pub fn unit(&self, column: &str) -> Result<Unit, ImportError> {
        let text = self.required(column)?;
        Unit::parse(&text).ok_or_else(|| {
            self.error(
                column,
                format!("unknown unit {text:?} (g, kg, ml, l, each, lb, oz)"),
            )
        })
    }

    /// An ISO 8601 date or date-time, normalised (`2026-11-21` or `2026-11-21T14:03:00Z`).
    pub fn datetime(&self, column: &str) -> Result<String, ImportError> {
        let text = self.required(column)?;
        parse_iso(&text).ok_or_else(|| {
            self.error(
                column,
                format!("{text:?} is not an ISO 8601 date (2026-11-21 or 2026-11-21T14:03:00Z)"),
            )
        })
    }
}

/// `2026-11-21` stays a date; a date-time with an offset becomes a UTC timestamp.
pub fn parse_iso(text: &str) -> Option<String> {
    if let Ok(date) = text.parse::<jiff::civil::Date>()
        && text.len() == 10
    {
        return Some(date.to_string());
    }
    text.parse::<jiff::Timestamp>().ok().map(|t| t.to_string())
}

/// Reads a CSV file: the header must name every expected column and no other.
pub fn read_csv<T>(
    host: &dyn Host,
    path: &Path,
    expected: &[&str],
    required: &[&str],
    each: impl FnMut(&Row<'_>) -> Result<T, ImportError>,
) -> Result<Vec<T>, ImportError> {
    read_csv_columns(host, path, expected, required, true, each)
}

/// Reads a CSV file another program wrote (a shop's export): the columns named in
/// `expected` are read (header names compared case-blind), every other one is left alone.
pub fn read_export<T>(
    host: &dyn Host,
    path: &Path,
    expected: &[&str],
    required: &[&str],
    each: impl FnMut(&Row<'_>) -> Result<T, ImportError>,
) -> Result<Vec<T>, ImportError> {
    read_csv_columns(host, path, expected, required, false, each)
}

fn read_csv_columns<T>(
    host: &dyn Host,
    path: &Path,
    expected: &[&str],
    required: &[&str],
    strict: bool,
    mut each: impl FnMut(&Row<'_>) -> Result<T, ImportError>,
) -> Result<Vec<T>, ImportError> {
    let file = path.display().to_string();
    let whole = |message: String| ImportError {
        file: file.clone(),
        line: None,
        column: None,
        message,
    };
    let bytes = host
        .read(path)
        .map_err(|e| whole(format!("cannot read: {e}")))?;
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&bytes);
    if let Some(line) = unclosed_quote(bytes) {
        return Err(ImportError {
            file: file.clone(),
            line: Some(line),
            column: None,
            message: "a quoted field opened on this line is never closed (a \" is missing); everything after it would be read as one field".into(),
        });
    }
    // a spreadsheet saved in a country whose decimal mark is a comma writes semicolons; a
    // "text" export, tabs: the header row says which
    let delimiter = separator(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .delimiter(delimiter)
        .from_reader(bytes);
    let headers = reader.headers().map_err(|e| csv_error(&file, e))?.clone();
    let at_header = |column: Option<&str>, message: String| ImportError {
        file: file.clone(),
        line: Some(1),
        column: column.map(str::to_string),
        message,
    };
    let mut index = Vec::new();
    // columns with no name (a spreadsheet's empty columns after the last): left alone while
    // nothing is written under them
    let mut unnamed = Vec::new();
    for (i, name) in headers.iter().enumerate() {
        let name = name.trim().to_ascii_lowercase();
        if name.is_empty() {
            unnamed.push(i);
            continue;
        }
        if !strict && !expected.contains(&name.as_str()) {
            continue;
        }
        if !expected.contains(&name.as_str()) {
            return Err(at_header(
                Some(&name),
                format!(
                    "unknown column {name:?}; the columns are {}",
                    expected.join(",")
                ),
            ));
        }
        if index.iter().any(|(n, _): &(String, usize)| *n == name) {
            return Err(at_header(
                Some(&name),
                format!("column {name:?} appears twice"),
            ));
        }
        index.push((name, i));
    }
    for column in required {
        if !index.iter().any(|(n, _)| n == column) {
            return Err(at_header(
                None,
                format!("missing column {column:?} in the header row"),
            ));
        }
    }
    let mut out = Vec::new();
    // (byte offset, line number there)
    let mut counted: (usize, u64) = (0, 1);
    let mut record = csv::StringRecord::new();
    loop {
        // the line an editor shows: the csv reader's own line count leaves out newlines
        // inside quoted fields (an address on two lines), so the record's first byte (past
        // any blank lines) is found and the newlines before it counted, carrying on from
        // the record before
        let mut at = (reader.position().byte() as usize).min(bytes.len());
        if !reader
            .read_record(&mut record)
            .map_err(|e| csv_error(&file, e))?
        {
            break;
        }
        while at < bytes.len() && matches!(bytes[at], b'\r' | b'\n') {
            at += 1;
        }
        if at >= counted.0 {
            counted.1 += bytes[counted.0..at].iter().filter(|&&b| b == b'\n').count() as u64;
            counted.0 = at;
        }
        let line = counted.1;
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if let Some(i) = unnamed
            .iter()
            .find(|&&i| !record.get(i).unwrap_or_default().trim().is_empty())
        {
            return Err(ImportError {
                file: file.clone(),
                line: Some(line),
                column: None,
                message: format!(
                    "a value in column {} has no column name in the header row",
                    i + 1
                ),
            });
        }
        for (name, i) in &index {
            let field = record.get(*i).unwrap_or_default();
            let problem = if field.chars().count() > MAX_FIELD_CHARS {
                Some(format!(
                    "has {} characters; a field holds at most {MAX_FIELD_CHARS}",
                    field.chars().count()
                ))
            } else {
                field
                    .chars()
                    .find(|c| crate::codes::is_direction_control(*c))
                    .map(|c| {
                        format!(
                            "holds the direction control U+{:04X} (an override, embedding or isolate), which makes text show other than it is",
                            c as u32
                        )
                    })
            }
            .or_else(|| {
                field
                    .chars()
                    .find(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
                    .map(|c| {
                        format!(
                            "holds the control character U+{:04X}, which no name, code or address has (a file saved in the wrong format?)",
                            c as u32
                        )
                    })
            });
            if let Some(problem) = problem {
                return Err(ImportError {
                    file: file.clone(),
                    line: Some(line),
                    column: Some(name.clone()),
                    message: problem,
                });
            }
        }
        let row = Row {
            file: &file,
            line,
            record: &record,
            index: &index,
            decimal_comma: delimiter == b';',
            export: !strict,
        };
        out.push(each(&row)?);
    }
    Ok(out)
}

/// The longest field accepted: a long address fits; a 10 MB blob pasted into a cell does not.
pub const MAX_FIELD_CHARS: usize = 1000;

/// The line on which a quoted field opens that is never closed, if one is.
/// The field separator a file's header row uses: a comma, else a semicolon or a tab where
/// the first line has more of those (outside quotes) than commas.
fn separator(bytes: &[u8]) -> u8 {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for &b in bytes.iter().take_while(|&&b| b != b'\n') {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => counts[0] += 1,
            b';' if !quoted => counts[1] += 1,
            b'\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    match counts {
        [c, s, t] if s > c && s >= t => b';',
        [c, _, t] if t > c => b'\t',
        _ => b',',
    }
}

fn unclosed_quote(bytes: &[u8]) -> Option<u64> {
    let mut line = 1;
    let mut opened_on = None;
    let mut at_field_start = true;
    let mut iter = bytes.iter().peekable();
    while let Some(&b) = iter.next() {
        match (opened_on, b) {
            (None, b'"') if at_field_start => opened_on = Some(line),
            (Some(_), b'"') => {
                if iter.peek() == Some(&&b'"') {
                    iter.next(); // an escaped quote inside the field
                } else {
                    opened_on = None;
                }
            }
            _ => {}
        }
        if b == b'\n' {
            line += 1;
        }
        at_field_start = opened_on.is_none() && matches!(b, b',' | b'\n' | b'\r');
    }
    opened_on
}

fn csv_error(file: &str, e: csv::Error) -> ImportError {
    let line = e.position().map(|p| p.line());
    let message = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            format!("has {len} fields, the header has {expected_len}")
        }
        csv::ErrorKind::Utf8 { .. } => {
            "is not valid UTF-8 text (save the file as UTF-8 CSV)".to_string()
        }
        _ => e.to_string(),
    };
    ImportError {
        file: file.to_string(),
        line,
        column: None,
        message,
    }
}

/// Rejects a second row with the same key.
fn unique(
    seen: &mut HashSet<String>,
    row: &Row<'_>,
    column: &str,
    key: &str,
) -> Result<(), ImportError> {
    if !seen.insert(key.to_string()) {
        return Err(row.error(column, format!("{key:?} appears twice in this file")));
    }
    Ok(())
}

/// Parses one master-data file of the given kind.
pub fn parse(host: &dyn Host, kind: MasterKind, path: &Path) -> Result<MasterFile, ImportError> {
    let mut seen = HashSet::new();
    let mut given = None;
    let columns = kind.columns();
    match kind {
        MasterKind::Items => read_csv(
            host,
            path,
            columns,
            &["sku", "name", "kind", "unit"],
            |row| {
                given.get_or_insert_with(|| Given::of(row));
                let sku = row.required("sku")?;
                unique(&mut seen, row, "sku", &sku)?;
                let kind = match row.required("kind")?.to_ascii_lowercase().as_str() {
                    "material" => ItemKind::Material,
                    "product" => ItemKind::Product,
                    other => {
                        return Err(
                            row.error("kind", format!("{other:?} must be material or product"))
                        );
                    }
                };
                let unit_text = row.required("unit")?;
                let unit = Unit::parse_item_unit(&unit_text).ok_or_else(|| {
                    row.error(
                        "unit",
                        format!("{unit_text:?} must be one of g, kg, ml, l, each"),
                    )
                })?;
                let gtin = row
                    .optional("gtin")
                    .map(|g| Gtin::parse(&g).map_err(|e| row.error("gtin", e.to_string())))
                    .transpose()?;
                let shelf_life_days = row
                    .optional("shelf_life_days")
                    .map(|d| {
                        d.parse::<u32>()
                            .ok()
                            .filter(|d| *d <= 36_500)
                            .ok_or_else(|| {
                                row.error(
                                    "shelf_life_days",
                                    format!("{d:?} must be a whole number of days"),
                                )
                            })
                    })
                    .transpose()?;
                let net_content = row
                    .optional("net_content")
                    .map(|n| {
                        crate::net::NetContent::parse(&n)
                            .map_err(|e| row.error("net_content", e.to_string()))
                    })
                    .transpose()?;
                let pao_months = row
                    .optional("pao_months")
                    .map(|m| {
                        m.trim_end_matches(['M', 'm'])
                            .parse::<u32>()
                            .ok()
                            .filter(|m| (1..=120).contains(m))
                            .ok_or_else(|| {
                                row.error(
                                    "pao_months",
                                    format!("{m:?} must be the months after opening, 1 to 120 (12 or 12M)"),
                                )
                            })
                    })
                    .transpose()?;
                let reorder_point = row
                    .optional("reorder_point")
                    .map(|text| {
                        crate::codes::Quantity::parse_for(&text, unit)
                            .map(|q| q.base)
                            .map_err(|e| row.error("reorder_point", e.to_string()))
                    })
                    .transpose()?;
                let lot_prefix = row.optional("lot_prefix");
                if let Some(prefix) = &lot_prefix
                    && !prefix
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                {
                    return Err(row.error(
                        "lot_prefix",
                        format!("{prefix:?} may hold only letters, digits, - and _"),
                    ));
                }
                Ok(ItemRow {
                    line: row.line(),
                    sku,
                    name: row.required("name")?,
                    kind,
                    unit,
                    lot_prefix,
                    gtin,
                    shelf_life_days,
                    net_content,
                    pao_months,
                    reorder_point,
                })
            },
        )
        .map(|rows| MasterFile::Items(rows, given.unwrap_or_default())),
        MasterKind::Suppliers | MasterKind::Customers => {
            let rows = read_csv(host, path, columns, &["code", "name"], |row| {
                given.get_or_insert_with(|| Given::of(row));
                let code = row.required("code")?;
                unique(&mut seen, row, "code", &code.to_ascii_uppercase())?;
                let fields = [columns[2], columns[3], columns[4]].map(|c| row.get(c).to_string());
                if let Some(email_column) = columns.iter().position(|c| *c == "email") {
                    let email = &fields[email_column - 2];
                    if !email.is_empty() && !email.contains('@') {
                        return Err(
                            row.error("email", format!("{email:?} is not an e-mail address"))
                        );
                    }
                }
                Ok(PartyRow {
                    line: row.line(),
                    code,
                    name: row.required("name")?,
                    fields,
                    address: if kind == MasterKind::Suppliers {
                        row.get("address").to_string()
                    } else {
                        String::new()
                    },
                })
            })?;
            let given = given.unwrap_or_default();
            Ok(if kind == MasterKind::Suppliers {
                MasterFile::Suppliers(rows, given)
            } else {
                MasterFile::Customers(rows, given)
            })
        }
        MasterKind::Boms => read_csv(host, path, columns, &columns[..4], |row| {
            let product_sku = row.required("product_sku")?;
            let material_sku = row.required("material_sku")?;
            unique(
                &mut seen,
                row,
                "material_sku",
                &format!("{product_sku}/{material_sku}"),
            )?;
            Ok(BomRow {
                line: row.line(),
                product_sku,
                material_sku,
                quantity: row.decimal("quantity")?,
                unit: row.unit("unit")?,
                per: match row.optional("per") {
                    Some(_) => Some(row.decimal("per")?),
                    None => None,
                },
            })
        })
        .map(MasterFile::Boms),
        MasterKind::Orders => read_csv(host, path, columns, columns, |row| {
            Ok(OrderRow {
                line: row.line(),
                order_number: row.required("order_number")?,
                customer_code: row.required("customer_code")?,
                ordered_at: row.datetime("ordered_at")?,
                sku: row.required("sku")?,
                quantity: row.amount("quantity")?,
            })
        })
        .map(MasterFile::Orders),
    }
}

/// Past records (SPEC §9, `lotstation import history DIR`), parsed but not yet checked
/// against the store.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct History {
    pub receipts: Vec<ReceiptRow>,
    pub batches: Vec<BatchRow>,
    pub consumptions: Vec<ConsumptionRow>,
    pub shipments: Vec<ShipmentRow>,
    /// waste written off in the past (an extension of SPEC §9: `wastes.csv`)
    pub wastes: Vec<WasteRow>,
    /// holds, quarantines, recalls and releases (an extension of SPEC §9: `holds.csv`)
    pub statuses: Vec<StatusRow>,
    /// the files read, for messages and the journal
    pub files: HistoryFiles,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WasteRow {
    pub line: u64,
    pub code: String,
    pub quantity: Decimal,
    pub unit: Unit,
    pub reason: String,
    pub at: jiff::Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusRow {
    pub line: u64,
    pub code: String,
    pub status: crate::workflow::Status,
    pub reason: String,
    pub at: jiff::Timestamp,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistoryFiles {
    pub receipts: Option<String>,
    pub batches: Option<String>,
    pub consumptions: Option<String>,
    pub shipments: Option<String>,
    pub wastes: Option<String>,
    pub statuses: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptRow {
    pub line: u64,
    pub lot_code: String,
    pub item_sku: String,
    pub supplier_code: String,
    pub supplier_lot: String,
    pub invoice: String,
    pub quantity: Decimal,
    pub unit: Unit,
    pub received_at: jiff::Timestamp,
    pub expiry: Option<jiff::civil::Date>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchRow {
    pub line: u64,
    pub batch_code: String,
    pub product_sku: String,
    pub produced_at: jiff::Timestamp,
    pub production_date: jiff::civil::Date,
    pub yield_quantity: Decimal,
    pub expiry: Option<jiff::civil::Date>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsumptionRow {
    pub line: u64,
    pub batch_code: String,
    pub input_code: String,
    pub quantity: Decimal,
    pub unit: Unit,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShipmentRow {
    pub line: u64,
    pub order_number: String,
    pub customer_code: String,
    pub shipped_at: jiff::Timestamp,
    pub batch_code: String,
    pub quantity: Decimal,
}

impl Row<'_> {
    /// A date or date-time; a bare date is the start of that day in `tz`.
    pub fn timestamp(
        &self,
        column: &str,
        tz: &jiff::tz::TimeZone,
    ) -> Result<jiff::Timestamp, ImportError> {
        let text = self.required(column)?;
        parse_timestamp(&text, tz).ok_or_else(|| {
            self.error(
                column,
                format!("{text:?} is not an ISO 8601 date (2026-11-21 or 2026-11-21T14:03:00Z)"),
            )
        })
    }

    pub fn date(&self, column: &str) -> Result<Option<jiff::civil::Date>, ImportError> {
        match self.optional(column) {
            None => Ok(None),
            Some(text) => text
                .get(..10)
                .and_then(|d| d.parse::<jiff::civil::Date>().ok())
                .map(Some)
                .ok_or_else(|| {
                    self.error(
                        column,
                        format!("{text:?} is not an ISO 8601 date (2026-11-21)"),
                    )
                }),
        }
    }
}

/// `2026-11-21` (start of that day in `tz`) or a date-time with an offset.
pub fn parse_timestamp(text: &str, tz: &jiff::tz::TimeZone) -> Option<jiff::Timestamp> {
    if text.len() == 10
        && let Ok(date) = text.parse::<jiff::civil::Date>()
    {
        return date.to_zoned(tz.clone()).ok().map(|z| z.timestamp());
    }
    text.parse::<jiff::Timestamp>().ok()
}

/// Reads whichever of receipts.csv, batches.csv, consumptions.csv and shipments.csv are in
/// `dir` (at least one must be).
pub fn parse_history(
    host: &dyn Host,
    dir: &Path,
    tz: &jiff::tz::TimeZone,
) -> Result<History, ImportError> {
    let mut history = History::default();
    let file = |name: &str| {
        let path = dir.join(name);
        match host.read(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            _ => Some(path),
        }
    };
    let mut found = false;
    if let Some(path) = file("receipts.csv") {
        found = true;
        let mut seen = HashSet::new();
        let columns = [
            "lot_code",
            "item_sku",
            "supplier_code",
            "supplier_lot",
            "invoice",
            "quantity",
            "unit",
            "received_at",
            "expiry",
        ];
        history.receipts = read_csv(host, &path, &columns, &columns[..8], |row| {
            let lot_code = row.required("lot_code")?;
            unique(&mut seen, row, "lot_code", &lot_code)?;
            Ok(ReceiptRow {
                line: row.line(),
                lot_code,
                item_sku: row.required("item_sku")?,
                supplier_code: row.required("supplier_code")?,
                supplier_lot: row.required("supplier_lot")?,
                invoice: row.get("invoice").to_string(),
                quantity: row.decimal("quantity")?,
                unit: row.unit("unit")?,
                received_at: row.timestamp("received_at", tz)?,
                expiry: row.date("expiry")?,
            })
        })?;
        history.files.receipts = Some(path.display().to_string());
    }
    if let Some(path) = file("batches.csv") {
        found = true;
        let mut seen = HashSet::new();
        let columns = [
            "batch_code",
            "product_sku",
            "produced_at",
            "yield",
            "expiry",
        ];
        history.batches = read_csv(host, &path, &columns, &columns[..4], |row| {
            let batch_code = row.required("batch_code")?;
            unique(&mut seen, row, "batch_code", &batch_code)?;
            let produced_at = row.timestamp("produced_at", tz)?;
            Ok(BatchRow {
                line: row.line(),
                batch_code,
                product_sku: row.required("product_sku")?,
                produced_at,
                production_date: produced_at.to_zoned(tz.clone()).date(),
                yield_quantity: row.decimal("yield")?,
                expiry: row.date("expiry")?,
            })
        })?;
        history.files.batches = Some(path.display().to_string());
    }
    if let Some(path) = file("consumptions.csv") {
        found = true;
        let columns = ["batch_code", "input_code", "quantity", "unit"];
        history.consumptions = read_csv(host, &path, &columns, &columns, |row| {
            Ok(ConsumptionRow {
                line: row.line(),
                batch_code: row.required("batch_code")?,
                input_code: row.required("input_code")?,
                quantity: row.decimal("quantity")?,
                unit: row.unit("unit")?,
            })
        })?;
        history.files.consumptions = Some(path.display().to_string());
    }
    if let Some(path) = file("shipments.csv") {
        found = true;
        let columns = [
            "order_number",
            "customer_code",
            "shipped_at",
            "batch_code",
            "quantity",
        ];
        history.shipments = read_csv(host, &path, &columns, &columns, |row| {
            Ok(ShipmentRow {
                line: row.line(),
                order_number: row.required("order_number")?,
                customer_code: row.required("customer_code")?,
                shipped_at: row.timestamp("shipped_at", tz)?,
                batch_code: row.required("batch_code")?,
                quantity: row.decimal("quantity")?,
            })
        })?;
        history.files.shipments = Some(path.display().to_string());
    }
    if let Some(path) = file("wastes.csv") {
        found = true;
        let columns = ["code", "quantity", "unit", "reason", "wasted_at"];
        history.wastes = read_csv(host, &path, &columns, &columns, |row| {
            Ok(WasteRow {
                line: row.line(),
                code: row.required("code")?,
                quantity: row.decimal("quantity")?,
                unit: row.unit("unit")?,
                reason: row.required("reason")?,
                at: row.timestamp("wasted_at", tz)?,
            })
        })?;
        history.files.wastes = Some(path.display().to_string());
    }
    if let Some(path) = file("holds.csv") {
        found = true;
        let columns = ["code", "status", "reason", "at"];
        history.statuses = read_csv(host, &path, &columns, &columns, |row| {
            use crate::workflow::Status;
            let text = row.required("status")?;
            let status = match Status::parse(&text.to_ascii_lowercase()) {
                Some(
                    status @ (Status::Hold
                    | Status::Quarantine
                    | Status::Recalled
                    | Status::Available),
                ) => status,
                _ => {
                    return Err(row.error(
                        "status",
                        format!("{text:?} must be hold, quarantine, recalled or available"),
                    ));
                }
            };
            Ok(StatusRow {
                line: row.line(),
                code: row.required("code")?,
                status,
                reason: row.required("reason")?,
                at: row.timestamp("at", tz)?,
            })
        })?;
        history.files.statuses = Some(path.display().to_string());
    }
    if !found {
        return Err(ImportError {
            file: dir.display().to_string(),
            line: None,
            column: None,
            message: "holds none of receipts.csv, batches.csv, consumptions.csv, shipments.csv, wastes.csv, holds.csv".into(),
        });
    }
    Ok(history)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A row after a field holding newlines is placed on the line an editor shows.
    #[test]
    fn lines_count_the_newlines_inside_quoted_fields() {
        let path = Path::new("x.csv");
        let host = crate::host::InMemory::default().with_file(
            path,
            "a,b\r\n1,\"two\nlines\"\r\n2,x\r\n\r\n3,\"y\r\nz\"\r\n4,w\r\n",
        );
        let lines = read_export(&host, path, &["a", "b"], &["a"], |row| {
            Ok((row.get("a").to_string(), row.line()))
        })
        .expect("read");
        let expected = [("1", 2), ("2", 4), ("3", 6), ("4", 8)];
        let lines: Vec<(&str, u64)> = lines.iter().map(|(a, l)| (a.as_str(), *l)).collect();
        assert_eq!(lines, expected);
    }
}
