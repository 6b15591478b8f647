//! Labels: a template filled with its values resolves once into marks (`marks.rs`); each
//! printer language is a backend over them: ZPL (`zpl.rs`: the printer draws text and
//! barcodes from the marks' data), and the painter here, which draws the marks on a PDF page
//! (modules whose widths are whole printer dots) or a printer's bitmap (`raster.rs`: PNG,
//! TSPL, Brother QL). Pure: data in, bytes out.

pub mod code128;
pub mod facts;
pub mod flow;
pub mod marks;
pub mod raster;
pub mod sheet;
pub mod stock;
pub mod template;
pub mod zpl;

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::pdf::{self, Font};

use crate::gs1::{self, Element as Gs1Element, Message};
use marks::{Mark, Marks};
pub use template::{Element, LabelKind, LoadedTemplate, Symbology, Template, TemplateError};
pub use zpl::{render_zpl, zpl_escape};

/// The language a printer is sent labels in; the same names for `label render --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum LabelLanguage {
    /// Zebra ZPL: the printer draws text and barcodes itself
    Zpl,
    /// PDF, for printers behind CUPS/IPP and for paper
    Pdf,
    /// TSPL/TSPL2 (generic thermal printers): the label as one bitmap
    Tspl,
    /// Brother QL raster (300 dpi), on the printer's `media`
    #[serde(rename = "brother-ql")]
    BrotherQl,
    /// a PNG picture of the label per job (a folder of previews)
    Png,
}

impl LabelLanguage {
    /// The resolution a label is drawn at, from what was asked (a `[[printer]]`'s `dpi`,
    /// `label render --dpi`): a Brother QL prints at 300 and takes no other; the others at
    /// what was asked, 203 when nothing was.
    pub fn dpi(self, asked: Option<u32>) -> Result<u32, String> {
        let dpi = match (self, asked) {
            (LabelLanguage::BrotherQl, None | Some(300)) => 300,
            (LabelLanguage::BrotherQl, Some(other)) => {
                return Err(format!(
                    "a Brother QL prints at 300 dpi, not {other} (leave dpi out)"
                ));
            }
            (_, dpi) => dpi.unwrap_or(203),
        };
        if !(100..=1200).contains(&dpi) {
            return Err(format!(
                "dpi {dpi} is not a printer's resolution (203, 300 or 600)"
            ));
        }
        Ok(dpi)
    }
}

/// The values a label's placeholders take.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct LabelData {
    pub values: BTreeMap<String, String>,
}

impl LabelData {
    pub fn set(&mut self, name: &str, value: impl Into<String>) -> &mut Self {
        self.values.insert(name.to_string(), value.into());
        self
    }

    pub fn get(&self, name: &str) -> &str {
        self.values.get(name).map(String::as_str).unwrap_or("")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LabelError {
    #[error("label {kind}: barcode data {data:?}: {message}")]
    Barcode {
        kind: String,
        data: String,
        message: String,
    },
    #[error(transparent)]
    Template(#[from] TemplateError),
    /// a flow template that cannot be laid out on its stock, even shrunk and with its
    /// optional rows left off
    #[error("the {kind} label does not fit stock {stock} ({size}): {what}")]
    Fit {
        kind: String,
        stock: String,
        size: String,
        what: String,
    },
}

/// The GS1 element string of a lot or batch label: (01) GTIN, (17) expiry, (310n) net
/// weight when it can be written exactly, then (10) the internal code (variable length,
/// last, so no separator is needed). None when the item has no GTIN or the code is not
/// GS1 character set 82.
pub fn gs1_message(
    gtin: &str,
    code: &str,
    expiry: Option<jiff::civil::Date>,
    net_mg: Option<i64>,
) -> Option<Message> {
    if gtin.is_empty() || !code.chars().all(gs1::is_cset82) || code.len() > 20 {
        return None;
    }
    let mut elements = vec![Gs1Element::new("01", gtin)];
    if let Some(expiry) = expiry {
        elements.push(Gs1Element::new("17", &gs1::date_to_yymmdd(expiry)));
    }
    if let Some(weight) = net_mg.and_then(gs1::net_weight_element) {
        elements.push(weight);
    }
    elements.push(Gs1Element::new("10", code));
    let message = Message { elements };
    message.to_element_string().ok().map(|_| message)
}

/// A GS1 Digital Link URI for a GTIN and lot: `{base}/01/{gtin}/10/{lot}?17={yymmdd}`;
/// empty for an item without a GTIN, which has no Digital Link.
pub fn digital_link(
    base: &str,
    gtin: &str,
    lot: &str,
    expiry: Option<jiff::civil::Date>,
) -> String {
    if gtin.is_empty() {
        return String::new();
    }
    let mut uri = format!("{}/01/{gtin}/10/", base.trim_end_matches('/'));
    for b in lot.bytes() {
        // unreserved characters, but '~' (a ZPL command prefix) percent-encoded too
        if b.is_ascii_alphanumeric() || b"-._".contains(&b) {
            uri.push(b as char);
        } else {
            let _ = write!(uri, "%{b:02X}");
        }
    }
    if let Some(expiry) = expiry {
        let _ = write!(uri, "?17={}", gs1::date_to_yymmdd(expiry));
    }
    uri
}

/// Draws a label's marks on a surface (a PDF page, or a printer's bitmap); `origin` is the
/// label's top-left corner on it, in points from its bottom-left.
struct Painter<'a> {
    page: &'a mut dyn pdf::Surface,
    dpi: u32,
    origin_x: f32,
    origin_top: f32,
}

const PT_PER_MM: f32 = 72.0 / 25.4;

impl Painter<'_> {
    fn x(&self, mm: f32) -> f32 {
        self.origin_x + mm * PT_PER_MM
    }

    fn y(&self, mm: f32) -> f32 {
        self.origin_top - mm * PT_PER_MM
    }

    /// One printer dot in points.
    fn dot(&self) -> f32 {
        72.0 / self.dpi as f32
    }

    fn rect(&mut self, x: f32, y_bottom: f32, w: f32, h: f32) {
        self.page.rect(x, y_bottom, w, h);
    }

    /// Fitted lines, one under another: `y_mm` is the top of the first line's box (the
    /// font's ascent above its baseline), lines `flow::LINE_PITCH` apart.
    fn text(&mut self, x_mm: f32, y_mm: f32, size_mm: f32, lines: &[String]) {
        let size = size_mm * PT_PER_MM;
        let x = self.x(x_mm);
        let mut baseline = self.y(y_mm) - size * flow::ASCENT;
        for line in lines {
            self.page.text(x, baseline, Font::Regular, size, line);
            baseline -= size * flow::LINE_PITCH;
        }
    }

    /// 1-D modules, merged into one rectangle per bar.
    fn bars(&mut self, x_mm: f32, y_mm: f32, height_mm: f32, module_dots: u32, modules: &[u8]) {
        let w = module_dots as f32 * self.dot();
        let x0 = self.x(x_mm);
        let top = self.y(y_mm);
        let h = height_mm * PT_PER_MM;
        let mut i = 0;
        while i < modules.len() {
            if modules[i] == 1 {
                let start = i;
                while i < modules.len() && modules[i] == 1 {
                    i += 1;
                }
                self.rect(x0 + start as f32 * w, top - h, (i - start) as f32 * w, h);
            } else {
                i += 1;
            }
        }
    }

    /// 2-D modules: one square per dark module.
    fn matrix(&mut self, x_mm: f32, y_mm: f32, module_dots: u32, dark: &[(usize, usize)]) {
        let m = module_dots as f32 * self.dot();
        let x0 = self.x(x_mm);
        let top = self.y(y_mm);
        for &(col, row) in dark {
            self.rect(x0 + col as f32 * m, top - (row + 1) as f32 * m, m, m);
        }
    }

    fn draw(&mut self, label: &Marks) {
        for mark in &label.marks {
            match mark {
                Mark::Text {
                    x_mm,
                    y_mm,
                    size_mm,
                    lines,
                } => self.text(*x_mm, *y_mm, *size_mm, lines),
                Mark::Code128 {
                    x_mm,
                    y_mm,
                    height_mm,
                    module_dots,
                    modules,
                    ..
                } => self.bars(*x_mm, *y_mm, *height_mm, *module_dots, modules),
                Mark::DataMatrix {
                    x_mm,
                    y_mm,
                    module_dots,
                    dark,
                    ..
                }
                | Mark::Qr {
                    x_mm,
                    y_mm,
                    module_dots,
                    dark,
                    ..
                } => self.matrix(*x_mm, *y_mm, *module_dots, dark),
                Mark::Fill {
                    x_mm,
                    y_mm,
                    width_mm,
                    height_mm,
                } => {
                    let (x, top) = (self.x(*x_mm), self.y(*y_mm));
                    self.rect(
                        x,
                        top - height_mm * PT_PER_MM,
                        width_mm * PT_PER_MM,
                        height_mm * PT_PER_MM,
                    );
                }
                Mark::Frame {
                    x_mm,
                    y_mm,
                    width_mm,
                    height_mm,
                    thickness_mm,
                } => {
                    let (x, top) = (self.x(*x_mm), self.y(*y_mm));
                    let (w, h, t) = (
                        width_mm * PT_PER_MM,
                        height_mm * PT_PER_MM,
                        thickness_mm * PT_PER_MM,
                    );
                    self.rect(x, top - t, w, t);
                    self.rect(x, top - h, w, t);
                    self.rect(x, top - h, t, h);
                    self.rect(x + w - t, top - h, t, h);
                }
            }
        }
    }
}

/// The template's description, or why a raw ZPL template cannot be `what`.
fn described<'t>(template: &'t LoadedTemplate, what: &str) -> Result<&'t Template, LabelError> {
    match template {
        LoadedTemplate::Described(t) => Ok(t),
        LoadedTemplate::RawZpl { .. } => Err(LabelError::Template(TemplateError::Invalid {
            path: format!("{}.zpl", template.kind().name()),
            message: format!("a raw ZPL template cannot be {what}; use a .toml template"),
        })),
    }
}

/// One label's marks drawn on `surface` (the label's own size), at `dpi`.
fn paint(label: &Marks, dpi: u32, surface: &mut dyn pdf::Surface) {
    Painter {
        page: surface,
        dpi,
        origin_x: 0.0,
        origin_top: label.height_mm * PT_PER_MM,
    }
    .draw(label);
}

/// A PDF of `copies` pages, each one label the size of the template.
pub fn render_pdf(
    template: &LoadedTemplate,
    values: &LabelData,
    dpi: u32,
    copies: u32,
) -> Result<Vec<u8>, LabelError> {
    let t = described(template, "printed as PDF")?;
    let label = marks::resolve(t, values, dpi)?;
    let mut page = pdf::Page::new(label.width_mm * PT_PER_MM, label.height_mm * PT_PER_MM);
    paint(&label, dpi, &mut page);
    let pages = vec![page; copies.max(1) as usize];
    Ok(pdf::document(&format!("{} label", t.kind.name()), &pages))
}

/// The label as a printer's bitmap at `dpi`: the marks of the PDF, one bit per dot.
pub fn render_bitmap(
    template: &LoadedTemplate,
    values: &LabelData,
    dpi: u32,
) -> Result<raster::Bitmap, LabelError> {
    bitmap_and_size(template, values, dpi).map(|(bitmap, _, _)| bitmap)
}

/// The label's bitmap and its size in millimetres (an endless label's as its content).
fn bitmap_and_size(
    template: &LoadedTemplate,
    values: &LabelData,
    dpi: u32,
) -> Result<(raster::Bitmap, f32, f32), LabelError> {
    let t = described(template, "drawn as a picture")?;
    let label = marks::resolve(t, values, dpi)?;
    let mut bitmap =
        raster::Bitmap::new(label.width_mm * PT_PER_MM, label.height_mm * PT_PER_MM, dpi);
    paint(&label, dpi, &mut bitmap);
    Ok((bitmap, label.width_mm, label.height_mm))
}

/// The label in a printer's language, at its resolution (and, for a Brother QL, on its
/// media): what a print job sends.
pub fn render_for(
    template: &LoadedTemplate,
    values: &LabelData,
    language: LabelLanguage,
    dpi: u32,
    media: raster::BrotherMedia,
    copies: u32,
) -> Result<Vec<u8>, LabelError> {
    match language {
        LabelLanguage::Zpl => render_zpl(template, values, dpi, copies).map(String::into_bytes),
        LabelLanguage::Pdf => render_pdf(template, values, dpi, copies),
        LabelLanguage::Tspl => render_tspl(template, values, dpi, copies),
        LabelLanguage::Png => render_bitmap(template, values, dpi).map(|b| raster::png(&b)),
        LabelLanguage::BrotherQl => {
            let bitmap = render_bitmap(template, values, 300)?;
            raster::brother_ql(&bitmap, media, copies).map_err(|message| {
                LabelError::Template(TemplateError::Invalid {
                    path: format!("{}.toml", template.kind().name()),
                    message,
                })
            })
        }
    }
}

/// The label as TSPL for a generic thermal printer (its bitmap in one `BITMAP` command).
pub fn render_tspl(
    template: &LoadedTemplate,
    values: &LabelData,
    dpi: u32,
    copies: u32,
) -> Result<Vec<u8>, LabelError> {
    let (bitmap, width_mm, height_mm) = bitmap_and_size(template, values, dpi)?;
    Ok(raster::tspl(&bitmap, width_mm, height_mm, copies))
}

/// An A4 sheet of cards in a grid (the command sheet), as many pages as they need.
pub fn render_sheet(card: &Template, cards: &[LabelData], dpi: u32) -> Result<Vec<u8>, LabelError> {
    let (page_w, page_h, margin) = (210.0_f32, 297.0_f32, 8.0_f32);
    let columns = (((page_w - 2.0 * margin) / card.width_mm).floor() as usize).max(1);
    let rows = (((page_h - 2.0 * margin) / card.height_mm).floor() as usize).max(1);
    let mut pages = Vec::new();
    for chunk in cards.chunks(columns * rows) {
        let mut page = pdf::Page::new(page_w * PT_PER_MM, page_h * PT_PER_MM);
        for (i, values) in chunk.iter().enumerate() {
            let (col, row) = (i % columns, i / columns);
            let label = marks::resolve(card, values, dpi)?;
            Painter {
                page: &mut page,
                dpi,
                origin_x: (margin + col as f32 * card.width_mm) * PT_PER_MM,
                origin_top: (page_h - margin - row as f32 * card.height_mm) * PT_PER_MM,
            }
            .draw(&label);
        }
        pages.push(page);
    }
    Ok(pdf::document("lotstation command sheet", &pages))
}

/// Example values for every placeholder of a label kind: what a template is rendered with
/// at start-up to prove it renders, and what previews show.
pub fn sample_data(kind: LabelKind) -> LabelData {
    let mut d = LabelData::default();
    let pairs: &[(&str, &str)] = match kind {
        LabelKind::Lot => &[
            ("code", "LAV-2611-001"),
            ("item_sku", "LAV-EO"),
            ("item_name", "Lavender essential oil"),
            ("supplier_code", "BRAMBLE"),
            ("supplier_name", "Bramble Oils"),
            ("supplier_lot", "BO-LAV-5521"),
            ("invoice", "INV-77"),
            ("received_date", "2026-11-21"),
            ("expiry", "2027-11-30"),
            ("quantity", "1.25 kg"),
            ("gtin", "09501101530003"),
            (
                "gs1",
                "(01)09501101530003(17)271130(3105)125000(10)LAV-2611-001",
            ),
            (
                "digital_link",
                "https://id.gs1.org/01/09501101530003/10/LAV-2611-001?17=271130",
            ),
        ],
        LabelKind::Batch => &[
            ("code", "MFG-0057"),
            ("product_sku", "SOAP-LAV"),
            ("product_name", "Lavender soap bar"),
            ("production_date", "2026-11-21"),
            ("expiry", "2028-05-15"),
            ("yield", "48 each"),
            ("net_quantity", "Net wt 110 g (3.88 oz)"),
            ("gtin", "09501101530010"),
            ("gs1", "(01)09501101530010(17)280515(10)MFG-0057"),
            (
                "digital_link",
                "https://id.gs1.org/01/09501101530010/10/MFG-0057?17=280515",
            ),
            ("lot_mark", "BATCH"),
        ],
        LabelKind::Shipment => &[
            ("code", "SHP-00012"),
            ("order_number", "1001"),
            ("customer_code", "C001"),
            ("customer_name", "Jo Smith"),
            ("customer_address", "1 Main St, Springfield"),
            ("shipped_date", "2026-11-21"),
            ("units", "3"),
            ("units_text", "3 units"),
            ("batches", "MFG-0057"),
        ],
        LabelKind::Pack => &[
            ("code", "MFG-0058"),
            ("shipment", "SHP-00012/2"),
            ("order_number", "5004"),
            ("product_sku", "SOAP-BULK"),
            ("product_name", "Lavender soap, loose"),
            ("quantity", "0.75 kg"),
            ("net_quantity", "Net wt 750 g (1 lb 10.4 oz)"),
            ("expiry", "2028-05-15"),
            ("gtin", "09501101530027"),
            (
                "gs1",
                "(01)09501101530027(17)280515(3103)000750(10)MFG-0058",
            ),
            (
                "digital_link",
                "https://id.gs1.org/01/09501101530027/10/MFG-0058?17=280515",
            ),
            ("lot_mark", "BATCH"),
        ],
        LabelKind::Card => &[
            ("scan", "@DONE"),
            ("title", "DONE"),
            ("subtitle", "finish the line"),
        ],
    };
    for (k, v) in pairs {
        d.set(k, *v);
    }
    d
}

#[cfg(test)]
mod tests {
    use super::zpl::render_raw_zpl;
    use super::*;

    #[test]
    fn a_brother_ql_is_drawn_at_300_dpi_and_others_as_asked() {
        use LabelLanguage::*;
        assert_eq!(BrotherQl.dpi(None), Ok(300));
        assert_eq!(BrotherQl.dpi(Some(300)), Ok(300));
        assert_eq!(
            BrotherQl.dpi(Some(203)),
            Err("a Brother QL prints at 300 dpi, not 203 (leave dpi out)".into())
        );
        assert_eq!(Zpl.dpi(None), Ok(203));
        assert_eq!(Tspl.dpi(Some(300)), Ok(300));
        assert!(
            Pdf.dpi(Some(20))
                .is_err_and(|e| e.contains("not a printer's resolution"))
        );
    }

    #[test]
    fn escaping_keeps_zpl_commands_out() {
        assert_eq!(zpl_escape("LOT^XZ~JA\\_x"), "LOT_5EXZ_7EJA_5C_5Fx");
        assert_eq!(zpl_escape("Öl"), "_C3_96l");
        assert_eq!(zpl_escape("a b-1/2"), "a b-1/2");
    }

    /// Hostile values in every element kind a template can hold (text, Code 128, GS1-128,
    /// DataMatrix, QR): none reaches the ZPL as a command.
    #[test]
    fn hostile_values_cannot_start_a_zpl_command_in_any_element() {
        let template = LoadedTemplate::parse(
            "hostile.toml",
            r#"
kind = "lot"
width_mm = 100
height_mm = 60
[[element]]
type = "text"
x_mm = 2
y_mm = 2
height_mm = 4
text = "{item_name}"
[[element]]
type = "barcode"
symbology = "code128"
x_mm = 2
y_mm = 10
height_mm = 8
data = "{code}"
[[element]]
type = "barcode"
symbology = "qr"
x_mm = 60
y_mm = 10
module_dots = 3
data = "{digital_link}"
[[element]]
type = "barcode"
symbology = "gs1-datamatrix"
x_mm = 60
y_mm = 40
module_dots = 3
data = "{gs1}"
"#,
            None,
        )
        .expect("template");
        let mut values = sample_data(LabelKind::Lot);
        values.set("item_name", "Oil^XZ~JR\\_");
        values.set("code", "LOT^XZ~JR");
        values.set("digital_link", "https://x.example/01/1^XZ~JR");
        let zpl = render_zpl(&template, &values, 203, 1).expect("renders");
        // the only commands are the template's own: every ^ and ~ in the output starts one
        // of ours, and neither the hostile ^XZ nor ~JR appears
        assert!(!zpl.contains("^XZ~JR") && !zpl.contains("~JR"), "{zpl}");
        assert_eq!(zpl.matches("^XZ").count(), 1, "{zpl}");
        assert!(
            zpl.contains("^FH_^FDMA,https://x.example/01/1_5EXZ_7EJR"),
            "{zpl}"
        );
        assert!(zpl.contains("^FH_^FD>:LOT_5EXZ_7EJR"), "{zpl}");
        // TSPL carries no value as text at all: everything is in the bitmap
        let tspl = render_tspl(&template, &values, 203, 1).expect("tspl");
        let head = String::from_utf8_lossy(
            &tspl[..tspl
                .windows(7)
                .position(|w| w == b"BITMAP ")
                .expect("bitmap")],
        );
        assert!(!head.contains("XZ") && !head.contains("Oil"), "{head}");
        assert!(tspl.ends_with(b"\r\nPRINT 1,1\r\n"));
        // GS1 data outside GS1's character set is refused, never printed
        values.set("gs1", "(01)09501101530003(10)A^XZ~JR");
        assert!(render_zpl(&template, &values, 203, 1).is_err());
    }

    #[test]
    fn gs1_for_labels() {
        let expiry = Some(jiff::civil::date(2027, 11, 30));
        let m = gs1_message("09501101530003", "LAV-2611-001", expiry, Some(1_000_000)).unwrap();
        assert_eq!(
            m.to_hri(),
            "(01)09501101530003(17)271130(3105)100000(10)LAV-2611-001"
        );
        assert!(gs1_message("", "LAV-2611-001", expiry, None).is_none());
        assert!(gs1_message("09501101530003", "LOT WITH SPACE", expiry, None).is_none());
        assert_eq!(
            digital_link("https://id.gs1.org/", "09501101530003", "A B/1", expiry),
            "https://id.gs1.org/01/09501101530003/10/A%20B%2F1?17=271130"
        );
        assert_eq!(digital_link("https://id.gs1.org/", "", "A1", expiry), "");
    }

    #[test]
    fn raw_zpl_templates_get_escaped_fields_and_copies() {
        let mut values = LabelData::default();
        values.set("code", "X^XZ~JA");
        let zpl = "^XA^FO10,10^A0N,30,30^FD{code}^FS^FO10,50^FDfixed^FS^PQ1^XZ";
        assert_eq!(
            render_raw_zpl(zpl, &values, 3),
            "^XA^FO10,10^A0N,30,30^FH_^FDX_5EXZ_7EJA^FS^FO10,50^FDfixed^FS^PQ3^XZ"
        );
        assert_eq!(
            render_raw_zpl("^XA^FD{code}^FS^XZ", &values, 2),
            "^XA^FH_^FDX_5EXZ_7EJA^FS^PQ2^XZ"
        );
        // a designer's variable fields are filled and escaped the same way
        assert_eq!(
            render_raw_zpl("^XA^FO1,1^FV{code}^FS^FO2,2^FDfixed^FS^XZ", &values, 1),
            "^XA^FO1,1^FH_^FVX_5EXZ_7EJA^FS^FO2,2^FDfixed^FS^XZ"
        );
        assert_eq!(
            render_raw_zpl("^XA^FD{code}^FS^XZ", &values, 1),
            "^XA^FH_^FDX_5EXZ_7EJA^FS^XZ"
        );
    }

    #[test]
    fn builtin_templates_load() {
        for kind in LabelKind::ALL {
            let t = LoadedTemplate::builtin(kind).unwrap();
            assert_eq!(t.kind(), kind);
        }
        let bad = LoadedTemplate::parse(
            "x.toml",
            "kind='lot'\nwidth_mm=50\nheight_mm=30\n[[element]]\ntype='text'\nx_mm=1\ny_mm=1\nheight_mm=3\ntext='{colour}'\n",
            None,
        );
        assert!(
            bad.unwrap_err()
                .to_string()
                .contains("unknown placeholder {colour} for a lot label")
        );
    }

    #[test]
    fn zpl_snapshots() {
        for kind in LabelKind::ALL {
            let template = LoadedTemplate::builtin(kind).unwrap();
            let zpl = render_zpl(&template, &sample_data(kind), 203, 1).unwrap();
            insta::assert_snapshot!(
                format!("{}_203dpi", kind.name()),
                zpl.replace('^', "\n^").trim_start()
            );
        }
        let template = LoadedTemplate::builtin(LabelKind::Batch).unwrap();
        let zpl = render_zpl(&template, &sample_data(LabelKind::Batch), 300, 48).unwrap();
        insta::assert_snapshot!(
            "batch_300dpi_48_copies",
            zpl.replace('^', "\n^").trim_start()
        );
    }
}

#[cfg(test)]
mod fit_tests {
    use super::marks::SHRINK_TO;
    use super::zpl::dots;
    use super::*;

    /// A name too long for the label is set in ZPL as PDF sets it: smaller, then on two
    /// lines, then shortened with `…`; never past the label's right edge by the font's
    /// widths.
    #[test]
    fn zpl_text_is_fitted_like_pdf() {
        let template = LoadedTemplate::builtin(LabelKind::Batch).unwrap();
        let fields = |name: &str| {
            let mut values = sample_data(LabelKind::Batch);
            values.set("product_name", name);
            let zpl = render_zpl(&template, &values, 203, 1).unwrap();
            // a line ending in "…" travels as a picture (font 0 has no ellipsis)
            let pictures = zpl.matches("^GFA").count();
            let fields = zpl
                .split("^FO")
                .filter(|f| f.contains("^A0N"))
                .map(|f| {
                    let (at, rest) = f.split_once("^A0N,").unwrap();
                    let size: f32 = rest.split(',').next().unwrap().parse().unwrap();
                    let x: f32 = at.split(',').next().unwrap().parse().unwrap();
                    let text = rest.split("^FD").nth(1).unwrap().trim_end_matches("^FS");
                    (x, size, text.to_string())
                })
                .collect::<Vec<_>>();
            (fields, pictures)
        };
        let width = dots(100.0, 203) as f32;
        let (short, _) = fields("Lavender soap bar");
        assert_eq!(short[0], (24.0, 40.0, "Lavender soap bar".to_string()));
        let long = "Lavender & cedar cold process soap bar with goat milk and oatmeal, 110 g";
        let (set, pictures) = fields(long);
        let names: Vec<_> = set.iter().take_while(|(_, size, _)| *size < 40.0).collect();
        assert_eq!(names.len() + pictures, 2, "{set:?}");
        for (x, size, text) in &names {
            assert!(*size >= 40.0 * SHRINK_TO - 1.0, "{size}");
            let text = text
                .replace("_E2_80_A6", "…")
                .replace("_26", "&")
                .replace("_2C", ",");
            assert!(
                x + pdf::text_width(Font::Regular, *size, &text) <= width,
                "{text}"
            );
        }
        let very_long = long.repeat(3);
        let (_, pictures) = fields(&very_long);
        assert_eq!(
            pictures, 1,
            "the name's last line, ending in …, as a picture"
        );
        let (empty, _) = fields("");
        assert!(!empty.iter().any(|(_, _, t)| t.is_empty()), "{empty:?}");
    }
}
