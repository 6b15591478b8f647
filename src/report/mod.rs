//! Printable reports as PDF (A4, the station's embedded fonts, no IO): the recall package's
//! report. Tables are set in the monospaced face with column widths from their content;
//! a cell too long for its column wraps within it, and a table's header is repeated at the
//! top of every page it runs onto. Every page is numbered ("page 2 of 5") and carries the
//! journal's head.

pub mod fsma;
pub mod notice;
pub mod tables;

use std::collections::HashMap;

use crate::core::trace::{ForwardShipment, ForwardTrace, RecallPackage};
use crate::pdf::{self, Font};
use crate::store::{Store, StoreError, Target};

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const MARGIN: f32 = 40.0;
/// the monospaced size of tables
const MONO: f32 = 8.0;
/// room left at the bottom for the footer
const FOOTER: f32 = 22.0;

/// Lays out lines of text on as many A4 pages as they need.
struct Pages {
    pages: Vec<pdf::Page>,
    y: f32,
    /// what every page's footer says before its page number
    footer: String,
    /// the journal head, in full, under the footer
    head: String,
    /// the header row of the table being set, repeated on each page it runs onto
    table_header: Option<(Vec<usize>, Vec<String>)>,
}

/// Characters of the monospaced face at `MONO` that fit between the margins.
fn line_chars() -> usize {
    ((PAGE_W - 2.0 * MARGIN) / pdf::text_width(Font::Mono, MONO, "0")).floor() as usize
}

impl Pages {
    fn new(footer: String, head: String) -> Pages {
        let mut pages = Pages {
            pages: Vec::new(),
            y: 0.0,
            footer,
            head,
            table_header: None,
        };
        pages.new_page();
        pages
    }

    fn new_page(&mut self) {
        self.pages.push(pdf::Page::new(PAGE_W, PAGE_H));
        self.y = PAGE_H - MARGIN;
        if let Some((widths, header)) = self.table_header.clone() {
            self.row(&widths, &header, Font::Mono);
        }
    }

    fn text_at(&mut self, x: f32, y: f32, font: Font, size: f32, text: &str) {
        let page = self.pages.last_mut().expect("a page");
        page.text(x, y, font, size, text);
    }

    /// One line; a line wider than the page is shrunk to fit, never cut.
    fn line(&mut self, font: Font, size: f32, text: &str) {
        let room = PAGE_W - 2.0 * MARGIN;
        let size = size.min(size * room / pdf::text_width(font, size, text).max(1.0));
        let height = size * 1.35;
        if self.y - height < MARGIN + FOOTER {
            self.new_page();
        }
        self.y -= height;
        let y = self.y;
        self.text_at(MARGIN, y, font, size, text);
    }

    fn heading(&mut self, text: &str) {
        self.table_header = None;
        if self.y < MARGIN + FOOTER + 80.0 {
            self.new_page();
        }
        self.gap(6.0);
        self.line(Font::Bold, 12.0, text);
        self.rule();
    }

    fn rule(&mut self) {
        self.y -= 3.0;
        let y = self.y;
        let page = self.pages.last_mut().expect("a page");
        page.rect(MARGIN, y, PAGE_W - 2.0 * MARGIN, 0.6);
    }

    fn gap(&mut self, points: f32) {
        self.y -= points;
    }

    /// A table: column widths from the content (each at least its header), the last
    /// column taking what is left; a cell wider than its column wraps within it.
    fn table(&mut self, header: &[&str], rows: &[Vec<String>]) {
        let total = line_chars();
        let columns = header.len();
        let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
        for row in rows {
            for (i, cell) in row.iter().enumerate().take(columns) {
                widths[i] = widths[i].max(cell.chars().count());
            }
        }
        // two spaces between columns; shrink the widest columns until the table fits
        let gaps = 2 * (columns - 1);
        while widths.iter().sum::<usize>() + gaps > total {
            let (widest, _) = widths
                .iter()
                .enumerate()
                .max_by_key(|(_, w)| **w)
                .expect("a column");
            if widths[widest] <= 6 {
                break;
            }
            widths[widest] -= 1;
        }
        let header: Vec<String> = header.iter().map(|h| h.to_string()).collect();
        self.row(&widths, &header, Font::Mono);
        self.table_header = Some((widths.clone(), header));
        for row in rows {
            self.row(&widths, row, Font::Mono);
        }
        self.table_header = None;
    }

    /// One row of a table: each cell cut into its column's width, as many lines as the
    /// longest cell needs, kept together on one page.
    fn row(&mut self, widths: &[usize], cells: &[String], font: Font) {
        let pieces: Vec<Vec<String>> = cells
            .iter()
            .zip(widths)
            .map(|(cell, width)| wrap_chars(cell, *width))
            .collect();
        let lines = pieces.iter().map(Vec::len).max().unwrap_or(1).max(1);
        let height = MONO * 1.35;
        if self.y - height * (lines as f32) < MARGIN + FOOTER {
            self.new_page();
        }
        let advance = pdf::text_width(Font::Mono, MONO, "0");
        for line in 0..lines {
            self.y -= height;
            let mut x = MARGIN;
            for (piece, width) in pieces.iter().zip(widths) {
                if let Some(text) = piece.get(line) {
                    let y = self.y;
                    self.text_at(x, y, font, MONO, text);
                }
                x += (width + 2) as f32 * advance;
            }
        }
    }

    fn finish(mut self, title: &str) -> Vec<u8> {
        let count = self.pages.len();
        for (i, page) in self.pages.iter_mut().enumerate() {
            let footer = format!("{}  ·  page {} of {count}", self.footer, i + 1);
            let size = 7.0_f32
                .min(7.0 * (PAGE_W - 2.0 * MARGIN) / pdf::text_width(Font::Regular, 7.0, &footer));
            page.text(MARGIN, MARGIN - 6.0, Font::Regular, size, &footer);
            page.text(
                MARGIN,
                MARGIN - 15.0,
                Font::Mono,
                6.5,
                &format!("journal head {}", self.head),
            );
        }
        pdf::document(title, &self.pages)
    }
}

/// A one-document summary on A4: a title, then sections of lines (long lines wrapped), the
/// journal head in every footer (the complaint's 3500A summary).
pub fn summary_pdf(title: &str, sections: &[(String, Vec<String>)], head: &str) -> Vec<u8> {
    let mut pages = Pages::new(title.to_string(), head.to_string());
    pages.line(Font::Bold, 16.0, title);
    for (heading, lines) in sections {
        pages.heading(heading);
        for line in lines {
            for piece in wrap_chars(line, 95) {
                pages.line(Font::Regular, 10.0, &piece);
            }
        }
    }
    pages.finish(title)
}

/// `text` in pieces of at most `width` characters, broken at spaces where one is near.
fn wrap_chars(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut out = Vec::new();
    let mut rest: Vec<char> = text.chars().collect();
    while rest.len() > width {
        let cut = rest[..=width]
            .iter()
            .rposition(|c| *c == ' ')
            .filter(|at| *at > width / 2)
            .unwrap_or(width);
        out.push(
            rest[..cut]
                .iter()
                .collect::<String>()
                .trim_end()
                .to_string(),
        );
        rest = rest[cut..].to_vec();
        while rest.first() == Some(&' ') {
            rest.remove(0);
        }
    }
    out.push(rest.into_iter().collect());
    out
}

/// What the report says about the recalled lot itself.
pub struct LotFacts {
    /// what is recalled, as the heading names it: `lot OLV-2611-001`, `batch MFG-0002`,
    /// `supplier lot VAN-2612-001: lots VAN-2612-001, CAR-2612-003`
    pub title: String,
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
    let mut pages = Pages::new(
        format!(
            "{kind} {}  ·  generated {}",
            lot.code,
            local(&package.generated_at)
        ),
        package.journal_head.clone(),
    );
    pages.line(Font::Bold, 18.0, &format!("{kind}: {}", lot.title));
    pages.line(Font::Regular, 10.0, &lot.item);
    pages.line(
        Font::Regular,
        10.0,
        &format!(
            "from {}, supplier lot {}, received {}",
            lot.supplier,
            lot.supplier_lot,
            local(&lot.received_at)
        ),
    );
    pages.line(
        Font::Regular,
        9.0,
        &format!("Generated {}", local(&package.generated_at)),
    );
    pages.line(
        Font::Regular,
        9.0,
        &format!("Journal head {}", package.journal_head),
    );
    pages.gap(4.0);
    pages.line(Font::Bold, 11.0, &trace.reach());

    pages.heading(&format!("Customers to contact ({})", trace.customers.len()));
    let by_customer = shipments_by_customer(trace);
    let rows: Vec<Vec<String>> = trace
        .customers
        .iter()
        .map(|customer| {
            let units = by_customer
                .get(customer.code.as_str())
                .map(|lines| units_text(lines))
                .unwrap_or_else(|| "0".into());
            vec![
                customer.code.to_string(),
                customer.name.to_string(),
                customer.email.to_string(),
                customer.phone.to_string(),
                units,
                // an address's line breaks read ", " in the table's one line
                crate::label::flow::one_line(&customer.address),
            ]
        })
        .collect();
    pages.table(
        &["code", "name", "email", "phone", "units", "address"],
        &rows,
    );

    pages.heading(&format!("Affected batches ({})", trace.batches.len()));
    let rows: Vec<Vec<String>> = trace
        .batches
        .iter()
        .map(|batch| {
            vec![
                batch.code.to_string(),
                batch.product_sku.to_string(),
                batch.depth.to_string(),
                batch.quantity_consumed.to_string(),
                batch.path.join(" > "),
            ]
        })
        .collect();
    pages.table(&["batch", "product", "depth", "consumed", "path"], &rows);

    pages.heading(&format!("Stock to quarantine ({})", trace.on_hand.len()));
    let rows: Vec<Vec<String>> = trace
        .on_hand
        .iter()
        .map(|item| vec![item.code.to_string(), item.quantity.to_string()])
        .collect();
    pages.table(&["lot or batch", "on hand"], &rows);

    if !package.complaints.is_empty() {
        pages.heading(&format!(
            "Complaints about these products ({})",
            package.complaints.len()
        ));
        let rows: Vec<Vec<String>> = package
            .complaints
            .iter()
            .map(|c| {
                let k = &c.complaint;
                let serious = match &k.report_by {
                    Some(by) => format!("SERIOUS (report by {by}) "),
                    None => String::new(),
                };
                vec![
                    local(&c.at),
                    k.customer.clone(),
                    k.code.clone(),
                    format!("{serious}{}", k.text),
                ]
            })
            .collect();
        pages.table(&["received", "customer", "code", "complaint"], &rows);
    }

    pages.heading(&format!("Shipments ({})", trace.shipments.len()));
    let rows: Vec<Vec<String>> = trace
        .shipments
        .iter()
        .map(|s| {
            vec![
                local(&s.shipped_at),
                s.shipment_code.to_string(),
                s.order_number.to_string(),
                s.customer_code.to_string(),
                s.batch_code.to_string(),
                s.quantity.to_string(),
            ]
        })
        .collect();
    pages.table(
        &[
            "shipped", "shipment", "order", "customer", "batch", "quantity",
        ],
        &rows,
    );
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
        let units = units_text(lines);
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
            &units,
        ])?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

/// What a customer received, in words: a count of units, an amount with its unit for
/// what is sold by weight or volume (`1.5 kg`).
fn units_text(lines: &[&crate::core::trace::ForwardShipment]) -> String {
    let amounts: Vec<crate::core::trace::Amount> = lines.iter().map(|s| s.quantity).collect();
    crate::core::trace::Amount::total_text(&amounts)
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

/// The files of a recall package: the records' answer, and the notice to consumers.
pub struct RecallFiles {
    pub package: RecallPackage,
    pub json: Vec<u8>,
    pub csv: Vec<u8>,
    pub pdf: Vec<u8>,
    pub notice: notice::Notice,
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
    store.record_drill(&drill_body(target, files, seconds), at, operator)
}

/// What a drill's journal entry says: the question, the answer's size, the journal head it
/// answered from, and how many seconds the whole answer took.
pub fn drill_body(target: &Target, files: &RecallFiles, seconds: f64) -> serde_json::Value {
    let trace = &files.package.trace;
    serde_json::json!({
        "code": target.code(),
        "kind": target.kind(),
        "lots": target.stock_codes(),
        "batches": trace.batches.len(),
        "shipment_lines": trace.shipments.len(),
        "customers": trace.customers.len(),
        "on_hand": trace.on_hand.len(),
        "journal_head": files.package.journal_head,
        "seconds": (seconds * 1000.0).round() / 1000.0,
    })
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
    words: &notice::NoticeWords,
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
    let mut title = format!("{} {}", target.kind(), target.code());
    if let Target::SupplierLot { number, lots, .. } = target {
        // the supplier's lot number, then every lot of ours received under it, and each item
        // it stands for (a supplier may number two items' lots alike)
        title = format!("supplier lot {number}: our lots {}", lots.join(", "));
        let mut items: Vec<String> = Vec::new();
        for lot in lots {
            let item = store.lot_facts(lot)?.1;
            if !items.contains(&item) {
                items.push(item);
            }
        }
        facts.1 = items.join("; ");
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
    let lot = LotFacts {
        title,
        code: facts.0,
        item: facts.1,
        supplier: facts.2,
        supplier_lot: facts.3,
        received_at: facts.4,
    };
    let pdf = recall_pdf(&package, &lot, tz);
    let notice = notice::notice(&package, &lot, words, tz);
    Ok(RecallFiles {
        package,
        json,
        csv,
        pdf,
        notice,
    })
}
