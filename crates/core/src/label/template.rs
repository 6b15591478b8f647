//! Label templates: a readable TOML description (size in mm, text with placeholders,
//! barcodes, lines, boxes) that renders to ZPL and to PDF, or a raw ZPL file exported by a
//! label designer with `{placeholders}` in its fields.

pub use crate::workflow::LabelKind;

/// What each kind's templates may say.
impl LabelKind {
    /// The placeholders a template of this kind may use.
    pub fn placeholders(self) -> &'static [&'static str] {
        match self {
            LabelKind::Lot => &[
                "code",
                "item_sku",
                "item_name",
                "supplier_code",
                "supplier_name",
                "supplier_lot",
                "invoice",
                "received_date",
                "expiry",
                "quantity",
                "gtin",
                "gs1",
                "digital_link",
                "status",
            ],
            LabelKind::Batch => &[
                "code",
                "product_sku",
                "product_name",
                "production_date",
                "expiry",
                "yield",
                "net_quantity",
                "gtin",
                "gs1",
                "digital_link",
                "status",
                "pao",
                "lot_mark",
                "responsible_person",
                "manufacturer",
                "adverse_event_contact",
            ],
            LabelKind::Shipment => &[
                "code",
                "order_number",
                "customer_code",
                "customer_name",
                "customer_address",
                "shipped_date",
                "units",
                "units_text",
                "batches",
                "manufacturer",
            ],
            LabelKind::Pack => &[
                "code",
                "shipment",
                "order_number",
                "product_sku",
                "product_name",
                "quantity",
                "net_quantity",
                "expiry",
                "gtin",
                "gs1",
                "digital_link",
                "pao",
                "lot_mark",
                "responsible_person",
                "manufacturer",
                "adverse_event_contact",
            ],
            LabelKind::Card => &["scan", "title", "subtitle"],
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Symbology {
    Code128,
    Gs1_128,
    Gs1Datamatrix,
    /// a QR code, typically of a GS1 Digital Link URI
    Qr,
}

/// One thing drawn on a label. Positions are from the top-left corner, in millimetres.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Element {
    Text {
        x_mm: f32,
        y_mm: f32,
        /// character height
        height_mm: f32,
        text: String,
    },
    Barcode {
        symbology: Symbology,
        x_mm: f32,
        y_mm: f32,
        /// bar height for 1-D symbols (2-D symbols are as tall as they are wide)
        #[serde(default = "default_bar_height")]
        height_mm: f32,
        /// the narrowest bar or the 2-D module, in whole printer dots
        #[serde(default = "default_module_dots")]
        module_dots: u32,
        /// the data; GS1 symbologies take the bracketed form `(01)…(10)…`. A barcode whose
        /// data comes out empty is left off the label.
        data: String,
        /// print the human-readable text under a 1-D symbol
        #[serde(default)]
        human_readable: bool,
    },
    /// a filled rectangle (a rule when thin)
    Line {
        x_mm: f32,
        y_mm: f32,
        width_mm: f32,
        height_mm: f32,
    },
    /// an outlined rectangle
    Box {
        x_mm: f32,
        y_mm: f32,
        width_mm: f32,
        height_mm: f32,
        #[serde(default = "default_thickness")]
        thickness_mm: f32,
    },
}

fn default_bar_height() -> f32 {
    12.0
}

fn default_module_dots() -> u32 {
    2
}

fn default_thickness() -> f32 {
    0.3
}

/// A template as written by a person: elements at coordinates on a label of its own size,
/// or rows (`[[row]]`) laid out top to bottom on a stock (see `flow`).
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Template {
    pub kind: LabelKind,
    /// a template of coordinates: its label's size; a flow template: its stock's (0 high
    /// on endless tape), set from the stock
    #[serde(default)]
    pub width_mm: f32,
    #[serde(default)]
    pub height_mm: f32,
    /// a flow template: the stock it is laid out on where a printer names none
    pub stock: Option<String>,
    #[serde(default, rename = "element")]
    pub elements: Vec<Element>,
    #[serde(default, rename = "row")]
    pub rows: Vec<super::flow::Row>,
    /// a flow template's blank edges on its stock
    #[serde(skip)]
    pub margin_x_mm: f32,
    #[serde(skip)]
    pub margin_y_mm: f32,
}

impl Template {
    /// Whether the template is laid out by flow (and so fits any stock it can).
    pub fn is_flow(&self) -> bool {
        !self.rows.is_empty()
    }

    /// The template on `stock`: a flow template takes its size and margins; a template of
    /// coordinates must already be that size.
    pub fn on_stock(&self, stock: &super::stock::Stock) -> Result<Template, String> {
        if self.is_flow() {
            let mut t = self.clone();
            t.stock = Some(stock.name.to_string());
            t.width_mm = stock.width_mm;
            t.height_mm = stock.height_mm;
            t.margin_x_mm = stock.margin_x_mm;
            t.margin_y_mm = stock.margin_y_mm;
            return Ok(t);
        }
        let same = (self.width_mm - stock.width_mm).abs() <= 0.6
            && (stock.is_endless() || (self.height_mm - stock.height_mm).abs() <= 0.6);
        if same {
            Ok(self.clone())
        } else {
            Err(format!(
                "the {} template is {} × {} mm and stock {} is {}: write its elements for that size, or make it a flow template ([[row]])",
                self.kind.name(),
                self.width_mm,
                self.height_mm,
                stock.name,
                stock.size_text()
            ))
        }
    }
}

/// A loaded template: described, or raw ZPL with placeholders.
#[derive(Debug, Clone, PartialEq)]
pub enum LoadedTemplate {
    Described(Template),
    RawZpl { kind: LabelKind, zpl: String },
}

#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error(
        "{path} is not a folder: create it and put the shop's label templates in it, or leave [labels] templates out for the built-in labels"
    )]
    Folder { path: String },
    #[error("label template {path}: {message}")]
    Invalid { path: String, message: String },
    #[error("cannot read label template {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
}

/// The placeholders `{name}` in a text (`{{` and `}}` are literal braces).
pub fn placeholders_in(text: &str) -> Result<Vec<String>, String> {
    let mut names = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
            }
            '{' => {
                let mut name = String::new();
                let mut closed = false;
                for c in chars.by_ref() {
                    if c == '}' {
                        closed = true;
                        break;
                    }
                    name.push(c);
                }
                if !closed {
                    return Err(format!(
                        "placeholder {{{name} is not closed: write {{{name}}} (or '{{{{' for a brace)"
                    ));
                }
                if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    return Err(format!("bad placeholder {{{name}}}"));
                }
                names.push(name);
            }
            '}' => return Err("a '}' without its '{' (write '}}' for a brace)".into()),
            _ => {}
        }
    }
    Ok(names)
}

/// Replaces placeholders with `value(name)`.
pub fn fill(text: &str, mut value: impl FnMut(&str) -> String) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                out.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                out.push('}');
            }
            '{' => {
                let name: String = chars.by_ref().take_while(|c| *c != '}').collect();
                out.push_str(&value(&name));
            }
            other => out.push(other),
        }
    }
    out
}

impl LoadedTemplate {
    /// The template on `stock` (see `Template::on_stock`); a raw ZPL template has the size
    /// its designer gave it.
    pub fn on_stock(&self, stock: &super::stock::Stock) -> Result<LoadedTemplate, String> {
        match self {
            LoadedTemplate::Described(t) => t.on_stock(stock).map(LoadedTemplate::Described),
            LoadedTemplate::RawZpl { kind, .. } => Err(format!(
                "the {} template is raw ZPL, of the size its designer gave it: it cannot be laid out on stock {}",
                kind.name(),
                stock.name
            )),
        }
    }

    pub fn kind(&self) -> LabelKind {
        match self {
            LoadedTemplate::Described(t) => t.kind,
            LoadedTemplate::RawZpl { kind, .. } => *kind,
        }
    }

    /// Parses a template file's text; `.zpl` files are raw ZPL for `kind`.
    pub fn parse(
        path: &str,
        text: &str,
        raw_kind: Option<LabelKind>,
    ) -> Result<LoadedTemplate, TemplateError> {
        let invalid = |message: String| TemplateError::Invalid {
            path: path.to_string(),
            message,
        };
        let (kind, texts): (LabelKind, Vec<String>) = match raw_kind {
            Some(kind) => {
                if !text.contains("^XA") || !text.contains("^XZ") {
                    return Err(invalid("a ZPL template needs ^XA and ^XZ".into()));
                }
                (kind, vec![text.to_string()])
            }
            None => {
                let mut template: Template =
                    toml::from_str(text).map_err(|e| invalid(e.to_string()))?;
                if template.is_flow() {
                    if !template.elements.is_empty() {
                        return Err(invalid(
                            "a template has [[row]]s (laid out by flow) or [[element]]s (at coordinates), not both".into(),
                        ));
                    }
                    if template.stock.is_none()
                        && (5.0..=500.0).contains(&template.width_mm)
                        && (5.0..=1000.0).contains(&template.height_mm)
                    {
                        // a size of its own (a command sheet's card)
                        template.margin_x_mm = 1.5;
                        template.margin_y_mm = 1.2;
                    } else {
                        let name = template.stock.clone().unwrap_or_else(|| "100x60mm".into());
                        let stock = super::stock::find(&name)
                            .ok_or_else(|| invalid(super::stock::unknown(&name)))?;
                        template = template.on_stock(stock).map_err(invalid)?;
                    }
                    check_rows(&template.rows).map_err(invalid)?;
                } else if !(5.0..=500.0).contains(&template.width_mm)
                    || !(5.0..=1000.0).contains(&template.height_mm)
                {
                    return Err(invalid(
                        "width_mm and height_mm must be label sizes (5-500 and 5-1000 mm)".into(),
                    ));
                }
                let mut texts: Vec<String> = template
                    .elements
                    .iter()
                    .filter_map(|e| match e {
                        Element::Text { text, .. } => Some(text.clone()),
                        Element::Barcode { data, .. } => Some(data.clone()),
                        _ => None,
                    })
                    .collect();
                fn row_texts(row: &super::flow::Row, out: &mut Vec<String>) {
                    out.extend(row.text.clone());
                    out.extend(row.jar.clone());
                    out.extend(row.data.clone());
                    for t in &row.texts {
                        row_texts(t, out);
                    }
                    if let Some(code) = &row.code {
                        row_texts(code, out);
                    }
                }
                for row in &template.rows {
                    row_texts(row, &mut texts);
                }
                let kind = template.kind;
                for element in &template.elements {
                    if let Element::Barcode { module_dots, .. } = element
                        && !(1..=10).contains(module_dots)
                    {
                        return Err(invalid(format!(
                            "module_dots {module_dots} must be 1 to 10"
                        )));
                    }
                }
                return check_placeholders(kind, &texts)
                    .map_err(invalid)
                    .map(|()| LoadedTemplate::Described(template));
            }
        };
        check_placeholders(kind, &texts).map_err(invalid)?;
        Ok(LoadedTemplate::RawZpl {
            kind,
            zpl: texts.into_iter().next().unwrap_or_default(),
        })
    }

    /// Loads `<kind>.zpl` or `<kind>.toml` from `dir` if one is there, else the built-in one.
    /// The template shipped with the station for `kind`.
    pub fn builtin(kind: LabelKind) -> Result<LoadedTemplate, TemplateError> {
        let (name, text) = builtin(kind);
        LoadedTemplate::parse(name, text, None)
    }
}

/// A flow template's rows as a person could mean them: each a text, a barcode or a row of
/// both, with sizes a printer can draw.
fn check_rows(rows: &[super::flow::Row]) -> Result<(), String> {
    for (i, row) in rows.iter().enumerate() {
        let n = i + 1;
        let pair = !row.texts.is_empty() || row.code.is_some();
        let kinds = [
            row.text.is_some(),
            row.barcode.is_some(),
            pair,
            row.jar.is_some() && !pair,
        ]
        .iter()
        .filter(|k| **k)
        .count();
        if kinds != 1 {
            return Err(format!(
                "row {n}: give it a text, a barcode (with data), or [[row.column]] texts with a code"
            ));
        }
        if row.barcode.is_some() && row.data.is_none() {
            return Err(format!("row {n}: a barcode needs its data"));
        }
        if let Some(code) = &row.code
            && !matches!(code.barcode, Some(Symbology::Qr | Symbology::Gs1Datamatrix))
            && code.jar.is_none()
        {
            return Err(format!(
                "row {n}: the code beside texts is a 2-D code (barcode = \"qr\" or \"gs1-datamatrix\") or a jar"
            ));
        }
        for r in std::iter::once(row)
            .chain(&row.texts)
            .chain(row.code.as_deref())
        {
            if !(1.0..=30.0).contains(&r.size_mm) || !(3.0..=80.0).contains(&r.height_mm) {
                return Err(format!("row {n}: size_mm is 1 to 30 and height_mm 3 to 80"));
            }
            if !(1..=10).contains(&r.module_dots) || !(1..=12).contains(&r.lines) {
                return Err(format!("row {n}: module_dots is 1 to 10 and lines 1 to 12"));
            }
        }
    }
    Ok(())
}

fn check_placeholders(kind: LabelKind, texts: &[String]) -> Result<(), String> {
    for text in texts {
        for name in placeholders_in(text)? {
            if !kind.placeholders().contains(&name.as_str()) {
                return Err(format!(
                    "unknown placeholder {{{name}}} for a {} label (known: {})",
                    kind.name(),
                    kind.placeholders().join(", ")
                ));
            }
        }
    }
    Ok(())
}

/// The templates shipped in `label-templates/`.
pub fn builtin(kind: LabelKind) -> (&'static str, &'static str) {
    match kind {
        LabelKind::Lot => (
            "label-templates/lot.toml",
            include_str!("../../../../label-templates/lot.toml"),
        ),
        LabelKind::Batch => (
            "label-templates/batch.toml",
            include_str!("../../../../label-templates/batch.toml"),
        ),
        LabelKind::Shipment => (
            "label-templates/shipment.toml",
            include_str!("../../../../label-templates/shipment.toml"),
        ),
        LabelKind::Pack => (
            "label-templates/pack.toml",
            include_str!("../../../../label-templates/pack.toml"),
        ),
        LabelKind::Card => (
            "label-templates/card.toml",
            include_str!("../../../../label-templates/card.toml"),
        ),
    }
}
