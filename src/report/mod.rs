//! Printable reports as PDF (A4, base-14 fonts, no IO): the recall package's report. Tables
//! are set in Courier so that columns line up without font metrics.

pub mod fsma;
pub mod tables;

use printpdf::{
    BuiltinFont, Color, Mm, Op, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions, Point, Pt,
    Rect, Rgb, TextItem,
};

use std::collections::HashMap;

use crate::core::trace::{ForwardShipment, ForwardTrace, RecallPackage};
use crate::store::{Store, StoreError, Target};

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const MARGIN: f32 = 40.0;
/// characters of 8 pt Courier that fit between the margins
const LINE_CHARS: usize = 106;

/// Lays out lines of text on as many A4 pages as they need.
struct Pages {
    pages: Vec<Vec<Op>>,
    y: f32,
    footer: String,
}

impl Pages {
    fn new(footer: String) -> Pages {
        let mut pages = Pages {
            pages: Vec::new(),
            y: 0.0,
            footer,
        };
        pages.new_page();
        pages
    }

    fn new_page(&mut self) {
        let number = self.pages.len() + 1;
        let footer = format!("{}  page {number}", self.footer);
        self.pages.push(Vec::new());
        self.y = PAGE_H - MARGIN;
        self.text_at(MARGIN, MARGIN - 16.0, BuiltinFont::Helvetica, 7.0, &footer);
    }

    fn text_at(&mut self, x: f32, y: f32, font: BuiltinFont, size: f32, text: &str) {
        let ops = self.pages.last_mut().expect("a page");
        ops.extend([
            Op::StartTextSection,
            Op::SetTextCursor {
                pos: Point { x: Pt(x), y: Pt(y) },
            },
            Op::SetFont {
                font: PdfFontHandle::Builtin(font),
                size: Pt(size),
            },
            Op::ShowText {
                items: vec![TextItem::Text(latin1(text))],
            },
            Op::EndTextSection,
        ]);
    }

    fn line(&mut self, font: BuiltinFont, size: f32, text: &str) {
        let height = size * 1.35;
        if self.y - height < MARGIN {
            self.new_page();
        }
        self.y -= height;
        let y = self.y;
        self.text_at(MARGIN, y, font, size, text);
    }

    fn heading(&mut self, text: &str) {
        if self.y < MARGIN + 80.0 {
            self.new_page();
        }
        self.gap(6.0);
        self.line(BuiltinFont::HelveticaBold, 12.0, text);
        self.rule();
    }

    fn rule(&mut self) {
        self.y -= 3.0;
        let y = self.y;
        let ops = self.pages.last_mut().expect("a page");
        ops.extend([
            Op::SetFillColor {
                col: Color::Rgb(Rgb {
                    r: 0.0,
                    g: 0.0,
                    b: 0.0,
                    icc_profile: None,
                }),
            },
            Op::DrawPolygon {
                polygon: Rect::from_xywh(Pt(MARGIN), Pt(y), Pt(PAGE_W - 2.0 * MARGIN), Pt(0.6))
                    .to_polygon(),
            },
        ]);
    }

    fn gap(&mut self, points: f32) {
        self.y -= points;
    }

    fn mono(&mut self, text: &str) {
        let mut rest: &str = text;
        loop {
            let cut = rest
                .char_indices()
                .nth(LINE_CHARS)
                .map(|(i, _)| i)
                .unwrap_or(rest.len());
            self.line(BuiltinFont::Courier, 8.0, &rest[..cut]);
            if cut == rest.len() {
                break;
            }
            rest = &rest[cut..];
        }
    }

    fn finish(self, title: &str) -> Vec<u8> {
        let pages = self
            .pages
            .into_iter()
            .map(|ops| PdfPage::new(Mm(210.0), Mm(297.0), ops))
            .collect();
        PdfDocument::new(title)
            .with_pages(pages)
            .save(&PdfSaveOptions::default(), &mut Vec::new())
    }
}

/// Base-14 fonts speak WinAnsi: keep Latin-1, replace what they cannot show.
fn latin1(text: &str) -> String {
    text.chars()
        .map(|c| {
            if (' '..='~').contains(&c) || ('\u{a0}'..='\u{ff}').contains(&c) {
                c
            } else {
                '?'
            }
        })
        .collect()
}

fn cell(text: &str, width: usize) -> String {
    let mut out: String = text.chars().take(width).collect();
    while out.chars().count() < width {
        out.push(' ');
    }
    out
}

/// What the report says about the recalled lot itself.
pub struct LotFacts {
    pub code: String,
    pub item: String,
    pub supplier: String,
    pub supplier_lot: String,
    pub received_at: String,
}

/// The printable recall report.
pub fn recall_pdf(package: &RecallPackage, lot: &LotFacts, tz: &jiff::tz::TimeZone) -> Vec<u8> {
    let trace = &package.trace;
    // times as the people reading it live them: the station's zone, to the second
    let local = |text: &str| crate::clock::local_text(text, tz);
    let kind = if package.mock {
        "MOCK RECALL (drill, nothing changed)"
    } else {
        "RECALL"
    };
    let mut pages = Pages::new(format!(
        "{kind} {}  generated {}  journal head {}",
        lot.code,
        local(&package.generated_at),
        package.journal_head
    ));
    pages.line(
        BuiltinFont::HelveticaBold,
        18.0,
        &format!("{kind}: lot {}", lot.code),
    );
    pages.line(BuiltinFont::Helvetica, 10.0, &lot.item);
    pages.line(
        BuiltinFont::Helvetica,
        10.0,
        &format!(
            "from {}, supplier lot {}, received {}",
            lot.supplier,
            lot.supplier_lot,
            local(&lot.received_at)
        ),
    );
    pages.line(
        BuiltinFont::Helvetica,
        9.0,
        &format!("Generated {}", local(&package.generated_at)),
    );
    pages.line(
        BuiltinFont::Helvetica,
        9.0,
        &format!("Journal head {}", package.journal_head),
    );
    pages.gap(4.0);
    pages.line(
        BuiltinFont::HelveticaBold,
        11.0,
        &format!(
            "{} batches affected, {} shipment lines, {} customers to contact, {} stock items to quarantine",
            trace.batches.len(),
            trace.shipments.len(),
            trace.customers.len(),
            trace.on_hand.len()
        ),
    );

    pages.heading(&format!("Customers to contact ({})", trace.customers.len()));
    pages.mono(&format!(
        "{}{}{}{}{}",
        cell("code", 10),
        cell("name", 24),
        cell("email", 30),
        cell("phone", 16),
        "units"
    ));
    let by_customer = shipments_by_customer(trace);
    for customer in &trace.customers {
        let units: i64 = by_customer
            .get(customer.code.as_str())
            .map(|lines| lines.iter().map(|s| s.quantity.base).sum())
            .unwrap_or(0);
        pages.mono(&format!(
            "{}{}{}{}{}",
            cell(&customer.code, 10),
            cell(&customer.name, 24),
            cell(&customer.email, 30),
            cell(&customer.phone, 16),
            units
        ));
        if !customer.address.is_empty() {
            pages.mono(&format!("{}{}", cell("", 10), customer.address));
        }
    }

    pages.heading(&format!("Affected batches ({})", trace.batches.len()));
    pages.mono(&format!(
        "{}{}{}{}",
        cell("batch", 14),
        cell("product", 18),
        cell("depth", 7),
        "consumed / path"
    ));
    for batch in &trace.batches {
        pages.mono(&format!(
            "{}{}{}{}  {}",
            cell(&batch.code, 14),
            cell(&batch.product_sku, 18),
            cell(&batch.depth.to_string(), 7),
            batch.quantity_consumed,
            batch.path.join(" > ")
        ));
    }

    pages.heading(&format!("Stock to quarantine ({})", trace.on_hand.len()));
    for item in &trace.on_hand {
        pages.mono(&format!("{}{}", cell(&item.code, 16), item.quantity));
    }

    if !package.complaints.is_empty() {
        pages.heading(&format!(
            "Complaints about these products ({})",
            package.complaints.len()
        ));
        for c in &package.complaints {
            let k = &c.complaint;
            let serious = match &k.report_by {
                Some(by) => format!("SERIOUS (report by {by}) "),
                None => String::new(),
            };
            pages.mono(&format!(
                "{}{}{}{serious}{}",
                cell(&local(&c.at), 24),
                cell(&k.customer, 12),
                cell(&k.code, 14),
                k.text
            ));
        }
    }

    pages.heading(&format!("Shipments ({})", trace.shipments.len()));
    pages.mono(&format!(
        "{}{}{}{}{}{}",
        cell("shipped", 24),
        cell("shipment", 12),
        cell("order", 12),
        cell("customer", 10),
        cell("batch", 14),
        "quantity"
    ));
    for s in &trace.shipments {
        pages.mono(&format!(
            "{}{}{}{}{}{}",
            cell(&local(&s.shipped_at), 24),
            cell(&s.shipment_code, 12),
            cell(&s.order_number, 12),
            cell(&s.customer_code, 10),
            cell(&s.batch_code, 14),
            s.quantity
        ));
    }
    pages.finish(&format!("Recall {}", lot.code))
}

/// Each customer's shipment lines, in the order of the trace.
fn shipments_by_customer(trace: &ForwardTrace) -> HashMap<&str, Vec<&ForwardShipment>> {
    let mut map: HashMap<&str, Vec<&ForwardShipment>> = HashMap::new();
    for s in &trace.shipments {
        map.entry(&*s.customer_code).or_default().push(s);
    }
    map
}

/// Who to contact: one row per customer with what they received. The first three columns
/// are named as email tools (Mailchimp, Klaviyo, Brevo…) take them on import without
/// mapping; ours follow.
pub fn customers_csv(trace: &ForwardTrace) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "Email Address",
        "First Name",
        "Last Name",
        "code",
        "name",
        "phone",
        "address",
        "orders",
        "batches",
        "units",
    ])?;
    let by_customer = shipments_by_customer(trace);
    for c in &trace.customers {
        let lines = by_customer
            .get(c.code.as_str())
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let mut orders: Vec<&str> = lines.iter().map(|s| &*s.order_number).collect();
        orders.dedup();
        let mut batches: Vec<&str> = lines.iter().map(|s| &*s.batch_code).collect();
        batches.sort();
        batches.dedup();
        let units: i64 = lines.iter().map(|s| s.quantity.base).sum();
        let (first, last) = split_name(&c.name);
        w.write_record([
            &c.email,
            first,
            last,
            c.code.as_str(),
            &c.name,
            &c.phone,
            &c.address,
            &orders.join(" "),
            &batches.join(" "),
            &units.to_string(),
        ])?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

/// A person's name as first and last name: the last word is the last name (`Mary Ann
/// Smith` → `Mary Ann`, `Smith`); one word is a first name.
fn split_name(name: &str) -> (&str, &str) {
    let name = name.trim();
    match name.rsplit_once(char::is_whitespace) {
        Some((first, last)) => (first.trim_end(), last),
        None => (name, ""),
    }
}

/// The three files of a recall package.
pub struct RecallFiles {
    pub package: RecallPackage,
    pub json: Vec<u8>,
    pub csv: Vec<u8>,
    pub pdf: Vec<u8>,
}

/// Journals a drill: the package's question and answer, who ran it and how long the whole
/// answer took (`seconds`, from the start of the trace to the written files).
pub fn journal_drill(
    store: &mut Store,
    target: &Target,
    files: &RecallFiles,
    seconds: f64,
    at: jiff::Timestamp,
    operator: Option<&str>,
) -> Result<i64, StoreError> {
    let trace = &files.package.trace;
    let body = serde_json::json!({
        "code": target.code(),
        "kind": target.kind(),
        "lots": target.stock_codes(),
        "batches": trace.batches.len(),
        "shipment_lines": trace.shipments.len(),
        "customers": trace.customers.len(),
        "on_hand": trace.on_hand.len(),
        "journal_head": files.package.journal_head,
        "seconds": (seconds * 1000.0).round() / 1000.0,
    });
    store.record_drill(&body, at, operator)
}

#[derive(Debug, thiserror::Error)]
pub enum RecallError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("writing the package: {0}")]
    Encode(String),
}

/// A recall of `target` (a lot or a batch): the forward trace stamped with the time and
/// the journal head, as JSON, a customer CSV and a printable PDF. A real recall first
/// records the lot as recalled and its downstream batches on hold; `mock` changes nothing
/// in the records (a drill is journaled by `journal_drill`).
pub fn recall_package(
    store: &mut Store,
    target: &Target,
    mock: bool,
    now: jiff::Timestamp,
    operator: Option<&str>,
    tz: &jiff::tz::TimeZone,
) -> Result<RecallFiles, RecallError> {
    let trace = store.trace_forward(target)?;
    let journal_head = if mock {
        store.head()?.map(|(_, hash)| hash).unwrap_or_default()
    } else {
        let batches: Vec<String> = trace.batches.iter().map(|b| b.code.clone()).collect();
        store.record_recall(target, &batches, now, operator)?
    };
    let stock = target.stock_codes();
    let mut facts = store.lot_facts(stock.first().map_or(target.code(), String::as_str))?;
    if let Target::SupplierLot { number, lots, .. } = target {
        // the heading names the supplier's lot and every internal lot received under it
        facts.0 = format!("{number} (supplier lot: {})", lots.join(", "));
    }
    // complaints about the lot or anything made from it (a complaint keeps its batches
    // and their lots)
    let traced: std::collections::BTreeSet<String> = stock
        .iter()
        .cloned()
        .chain(trace.batches.iter().map(|b| b.code.clone()))
        .collect();
    let complaints = store
        .complaints()?
        .into_iter()
        .filter(|c| c.touches(&traced))
        .collect();
    let package = RecallPackage {
        trace,
        generated_at: now.to_string(),
        journal_head,
        mock,
        complaints,
    };
    let json =
        serde_json::to_vec_pretty(&package).map_err(|e| RecallError::Encode(e.to_string()))?;
    let csv = customers_csv(&package.trace).map_err(|e| RecallError::Encode(e.to_string()))?;
    let pdf = recall_pdf(
        &package,
        &LotFacts {
            code: facts.0,
            item: facts.1,
            supplier: facts.2,
            supplier_lot: facts.3,
            received_at: facts.4,
        },
        tz,
    );
    Ok(RecallFiles {
        package,
        json,
        csv,
        pdf,
    })
}
