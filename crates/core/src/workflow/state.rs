//! Bench state (what is open, what is pending), the records a step asks to commit, and the
//! prompt that tells the person at the bench what comes next.

use crate::codes::{Quantity, Unit};
use crate::workflow::Mode;
use crate::workflow::world::{ItemView, Status, StockKind};

/// Everything a bench remembers between scans. It is persisted with every accepted scan,
/// so a restarted daemon carries on where it was.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct BenchState {
    pub mode: Option<Mode>,
    pub operator: Option<String>,
    pub doc: Doc,
    pub armed: Option<Armed>,
    /// `@VOID` or `@ADJUST` collecting what it needs
    pub correcting: Option<super::correct::Correcting>,
    pub last_print: Option<PrintRequest>,
    /// a scan answered with a warning: recorded when it comes again or with `@OK`
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirm: Option<Confirm>,
    /// documents set aside by a switch of workflow, oldest first: scanning one's code (or
    /// the workflow's command) resumes it
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parked: Vec<Doc>,
}

/// A probable mistake waiting for its confirmation.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Confirm {
    /// what was scanned (or weighed), stepped again when confirmed
    pub input: super::Input,
    /// what the warning said
    pub warning: String,
}

#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Doc {
    #[default]
    None,
    Receipt(Receipt),
    Batch(BatchDoc),
    Shipment(ShipmentDoc),
    Waste(WasteDoc),
}

impl Doc {
    /// The workflow a document belongs to.
    pub fn mode(&self) -> Option<Mode> {
        match self {
            Doc::None => None,
            Doc::Receipt(_) => Some(Mode::Receive),
            Doc::Batch(_) => Some(Mode::Make),
            Doc::Shipment(_) => Some(Mode::Pack),
            Doc::Waste(_) => Some(Mode::Waste),
        }
    }

    /// What to scan to resume it when parked.
    pub fn resume_hint(&self) -> Option<String> {
        match self {
            Doc::None => None,
            Doc::Receipt(r) => Some(format!("SUP:{}", r.supplier_code)),
            Doc::Batch(b) => Some(b.code.clone()),
            Doc::Shipment(s) => Some(format!("ORD:{}", s.order_number)),
            Doc::Waste(w) => Some(w.code.clone()),
        }
    }

    /// Whether a scan names this document (to resume it when parked).
    pub fn named_by(&self, scan: &crate::scan::Scan) -> bool {
        use crate::scan::{PrefixKind, ScanKind};
        match (self, &scan.kind) {
            (Doc::Batch(b), ScanKind::Code(text)) => text.eq_ignore_ascii_case(&b.code),
            (Doc::Waste(w), ScanKind::Code(text)) => text.eq_ignore_ascii_case(&w.code),
            (
                Doc::Receipt(r),
                ScanKind::Prefixed {
                    kind: PrefixKind::Supplier,
                    value,
                },
            ) => value.eq_ignore_ascii_case(&r.supplier_code),
            (
                Doc::Shipment(s),
                ScanKind::Prefixed {
                    kind: PrefixKind::Order,
                    value,
                },
            ) => value == &s.order_number,
            _ => false,
        }
    }

    /// "batch MFG-0057", if a document is open.
    pub fn describe_open(&self) -> Option<String> {
        match self {
            Doc::None => None,
            Doc::Receipt(r) => Some(format!("the receipt from {}", r.supplier_code)),
            Doc::Batch(b) => Some(format!("batch {}", b.code)),
            Doc::Shipment(s) => Some(format!("the shipment of order {}", s.order_number)),
            Doc::Waste(w) => Some(format!("the write-off of {}", w.code)),
        }
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Receipt {
    pub supplier_code: String,
    pub supplier_name: String,
    pub invoice: Option<String>,
    pub line: Option<ReceiptLine>,
    /// lots recorded on this receipt and not undone, oldest first
    pub lots: Vec<String>,
    /// a lot whose label is out: the `@UNDO` that asked to take it off, so that the next
    /// `@UNDO` voids it
    #[serde(default)]
    pub undo_asked: Option<String>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ReceiptLine {
    pub item: ItemView,
    pub supplier_lot: Option<String>,
    pub quantity: Option<Quantity>,
    /// from a GS1 (17) on the supplier's label
    pub expiry: Option<jiff::civil::Date>,
    pub hold: bool,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct BatchDoc {
    pub code: String,
    pub product: ItemView,
    /// the product's recipe, scaled by `planned` (none without a bill of materials that
    /// says how much product it is for)
    #[serde(default)]
    pub recipe: Option<Recipe>,
    /// how much the batch is meant to make (`@PLAN`, else the first `@YIELD`)
    #[serde(default)]
    pub planned: Option<Quantity>,
    pub opened_at: jiff::Timestamp,
    pub production_date: jiff::civil::Date,
    /// the batch record exists (written with its first consumption)
    pub recorded: bool,
    pub pending: Option<PendingInput>,
    pub lines: Vec<ConsumedLine>,
    pub yield_quantity: Option<Quantity>,
    pub note: Option<String>,
}

impl BatchDoc {
    pub fn active_lines(&self) -> impl Iterator<Item = &ConsumedLine> {
        self.lines.iter().filter(|l| !l.undone)
    }
}

/// An ingredient lot scanned and waiting for its quantity.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PendingInput {
    pub code: String,
    pub kind: StockKind,
    pub item: ItemView,
    pub balance: i64,
    pub expiry: Option<jiff::civil::Date>,
    pub warning: Option<String>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ConsumedLine {
    pub line_no: u32,
    pub input_code: String,
    /// the ingredient's item (for the recipe's lines)
    #[serde(default)]
    pub sku: String,
    pub quantity: Quantity,
    pub unit: Unit,
    pub expiry: Option<jiff::civil::Date>,
    pub undone: bool,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ShipmentDoc {
    pub order_number: String,
    pub customer_code: Option<String>,
    /// the customer's name, for the screen
    #[serde(default)]
    pub customer_name: Option<String>,
    /// SKUs on the imported order (empty if the order was not imported)
    pub order_skus: Vec<String>,
    pub lines: Vec<ShipmentLine>,
    /// the imported order's lines: SKU, ordered and shipped before (base units)
    #[serde(default)]
    pub order_lines: Vec<OrderLineDoc>,
    /// the order was shipped in full already: packing waits for the order scanned again
    #[serde(default)]
    pub confirm_repack: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OrderLineDoc {
    pub sku: String,
    pub ordered: i64,
    pub shipped: i64,
    /// the item's unit, for the screen (bench state saved before it had one: each)
    #[serde(default = "counted")]
    pub unit: Unit,
}

fn counted() -> Unit {
    Unit::Each
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ShipmentLine {
    pub batch_code: String,
    pub product_sku: String,
    pub quantity: i64,
    /// base units in one shipped unit (1 for `each`, 1000 for one whole g or ml); a
    /// weighed pack's weight (0 until it is weighed)
    pub unit_base: i64,
    /// units of this batch still unshipped before this shipment (base units for a pack)
    pub available: i64,
    /// a pack of a product sold by weight or volume: one line per pack, its amount
    /// weighed (`@WEIGH`, the scale settling) or given (`@QTY:750g`, a GS1 net weight)
    #[serde(default)]
    pub pack: bool,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct WasteDoc {
    pub code: String,
    pub kind: StockKind,
    pub item: ItemView,
    pub balance: i64,
    pub quantity: Option<Quantity>,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusAction {
    Hold,
    Release,
}

impl StatusAction {
    pub fn command(self) -> &'static str {
        match self {
            StatusAction::Hold => "@HOLD",
            StatusAction::Release => "@RELEASE",
        }
    }

    pub fn past(self) -> &'static str {
        match self {
            StatusAction::Hold => "put on hold",
            StatusAction::Release => "released",
        }
    }

    pub fn status(self) -> Status {
        match self {
            StatusAction::Hold => Status::Hold,
            StatusAction::Release => Status::Available,
        }
    }
}

/// `@HOLD` or `@RELEASE` waiting for its lot and reason.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Armed {
    pub action: StatusAction,
    pub code: Option<String>,
    pub note: Option<String>,
    /// the other lots a supplier's lot number names (two deliveries of one supplier lot):
    /// held or released with `code`
    #[serde(default)]
    pub more: Vec<String>,
}

/// Which label: one of a record (a lot, a batch, a shipment) or a card of the command sheet.
/// The one kind for the workflow's print requests, the queue, the templates, the CLI and the
/// API (the templates' placeholders are in `label::template`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LabelKind {
    Lot,
    Batch,
    Shipment,
    /// one weighed pack of a shipment (a product sold by weight): its code is the
    /// shipment's and the line's, `SHP-00012/2`
    Pack,
    /// one card of the command sheet (a command, an item, a supplier…): printed by
    /// `lotstation sheet`, never for a record
    Card,
}

impl LabelKind {
    /// The labels of records, which a bench, `label render|print` and the API print.
    pub const RECORDS: [LabelKind; 4] = [
        LabelKind::Lot,
        LabelKind::Batch,
        LabelKind::Shipment,
        LabelKind::Pack,
    ];
    pub const ALL: [LabelKind; 5] = [
        LabelKind::Lot,
        LabelKind::Batch,
        LabelKind::Shipment,
        LabelKind::Pack,
        LabelKind::Card,
    ];

    pub fn name(self) -> &'static str {
        match self {
            LabelKind::Lot => "lot",
            LabelKind::Batch => "batch",
            LabelKind::Shipment => "shipment",
            LabelKind::Pack => "pack",
            LabelKind::Card => "card",
        }
    }

    /// The kind of a record's label by its name (`lot`, `batch`, `shipment`, `pack`); a card is not
    /// one.
    pub fn record(name: &str) -> Option<LabelKind> {
        LabelKind::RECORDS.into_iter().find(|k| k.name() == name)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PrintRequest {
    pub label: LabelKind,
    pub code: String,
    pub copies: u32,
}

/// What a correction reverses.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CorrectionTarget {
    /// a received lot: it becomes void
    Lot { code: String },
    /// one consumption line of a batch
    Consumption { batch_code: String, line_no: u32 },
    /// a batch: abandoned while open with every line undone, or voided once made
    /// (its consumption lines voided with it)
    Batch { code: String },
    /// a shipment that should not have been recorded
    Shipment { code: String },
}

/// A traceability record. Each becomes one journal entry and rows in the record tables.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "record", rename_all = "snake_case")]
pub enum Record {
    LotReceived {
        code: String,
        item_sku: String,
        supplier_code: String,
        supplier_lot: String,
        invoice: String,
        quantity: i64,
        unit: Unit,
        received_at: jiff::Timestamp,
        expiry: Option<jiff::civil::Date>,
        note: Option<String>,
    },
    BatchOpened {
        code: String,
        product_sku: String,
        opened_at: jiff::Timestamp,
        production_date: jiff::civil::Date,
    },
    Consumption {
        batch_code: String,
        line_no: u32,
        input_code: String,
        input_kind: StockKind,
        quantity: i64,
        unit: Unit,
        warning: Option<String>,
    },
    BatchClosed {
        code: String,
        yield_quantity: i64,
        unit: Unit,
        expiry: Option<jiff::civil::Date>,
        closed_at: jiff::Timestamp,
        note: Option<String>,
    },
    Shipment {
        code: String,
        order_number: String,
        customer_code: String,
        shipped_at: jiff::Timestamp,
        lines: Vec<ShippedLine>,
    },
    Waste {
        code: String,
        quantity: i64,
        unit: Unit,
        reason: String,
        at: jiff::Timestamp,
    },
    StatusChange {
        code: String,
        status: Status,
        reason: String,
        at: jiff::Timestamp,
    },
    Correction {
        target: CorrectionTarget,
        reason: String,
        at: jiff::Timestamp,
    },
    /// a lot's or batch's counted quantity, yield or expiry set right
    Adjustment {
        code: String,
        kind: StockKind,
        field: super::correct::AdjustField,
        /// what the records said before (base units, or a date; "" for no expiry)
        was: String,
        /// what it says now (base units, or a date)
        value: String,
        /// base units the balance moves by (0 for an expiry)
        delta: i64,
        unit: Unit,
        reason: String,
        at: jiff::Timestamp,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ShippedLine {
    pub batch_code: String,
    pub quantity: i64,
}

impl Record {
    /// The journal's kind for this record.
    pub fn kind(&self) -> &'static str {
        match self {
            Record::LotReceived { .. } => "lot_received",
            Record::BatchOpened { .. } => "batch_opened",
            Record::Consumption { .. } => "consumption",
            Record::BatchClosed { .. } => "batch_closed",
            Record::Shipment { .. } => "shipment",
            Record::Waste { .. } => "waste",
            Record::StatusChange { .. } => "status_change",
            Record::Correction { .. } => "correction",
            Record::Adjustment { .. } => "adjustment",
        }
    }
}

impl BenchState {
    /// What the bench waits for next, in the words of the person standing at it.
    pub fn prompt(&self, default_mode: Option<Mode>) -> String {
        if self.confirm.is_some() {
            return "scan it again or @OK to go ahead; any other scan leaves it".into();
        }
        if let Some(correcting) = &self.correcting {
            return format!(
                "{}: scan {}, or @CANCEL",
                correcting.action.command(),
                super::correct::prompt(correcting)
            );
        }
        if let Some(armed) = &self.armed {
            return match (&armed.code, &armed.note) {
                (None, _) => format!(
                    "scan the lot or batch to {} (NOTE:<reason> too), or @CANCEL",
                    match armed.action {
                        StatusAction::Hold => "hold",
                        StatusAction::Release => "release",
                    }
                ),
                (Some(code), None) if armed.more.is_empty() => {
                    format!("scan NOTE:<reason> for {code}, or @CANCEL")
                }
                (Some(code), None) => format!(
                    "scan NOTE:<reason> for {code}, {}, or @CANCEL",
                    armed.more.join(", ")
                ),
                (Some(_), Some(_)) => "scan anything".into(),
            };
        }
        let mode = self.mode.or(default_mode);
        let prompt = self.doc_prompt(mode);
        match (&self.doc, self.parked.is_empty()) {
            (Doc::None, false) => format!(
                "{prompt}; parked: {}",
                self.parked
                    .iter()
                    .filter_map(|d| d.resume_hint())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            _ => prompt,
        }
    }

    fn doc_prompt(&self, mode: Option<Mode>) -> String {
        match (&self.doc, mode) {
            (Doc::None, None) => "scan @RECEIVE, @MAKE, @PACK or @WASTE".into(),
            (Doc::None, Some(Mode::Receive)) => "scan the supplier card (SUP:...)".into(),
            (Doc::None, Some(Mode::Make)) => {
                "scan the product to make (ITEM:... or its barcode)".into()
            }
            (Doc::None, Some(Mode::Pack)) => "scan the order (ORD:... or the packing slip)".into(),
            (Doc::None, Some(Mode::Waste)) => {
                "scan the label of the lot or batch to write off".into()
            }
            (Doc::Receipt(r), _) => match (&r.invoice, &r.line) {
                (None, _) => "scan or type the supplier's invoice number".into(),
                (Some(_), None) => {
                    "scan the next item (ITEM:... or its barcode), or @DONE to close the receipt"
                        .into()
                }
                (Some(_), Some(line)) => match (&line.supplier_lot, &line.quantity) {
                    (None, _) => format!("scan the supplier's lot number of {}", line.item.sku),
                    (Some(_), None) => format!("weigh {} or scan @QTY:<n>", line.item.sku),
                    (Some(_), Some(_)) => "@DONE to create the lot".into(),
                },
            },
            (Doc::Batch(b), _) => match (&b.pending, &b.yield_quantity) {
                (Some(p), _) => format!("weigh {} or scan @QTY:<n>", p.code),
                (None, None) => format!(
                    "scan the next ingredient of {}, or @YIELD:<n> then @DONE",
                    b.code
                ),
                (None, Some(_)) => format!("@DONE to close {}, or scan another ingredient", b.code),
            },
            (Doc::Shipment(s), _) => match &s.customer_code {
                _ if s.confirm_repack => format!(
                    "scan ORD:{} again to pack it anyway, or @CANCEL",
                    s.order_number
                ),
                None => "scan the customer card (CUS:...)".into(),
                Some(_) if s.lines.is_empty() => "scan a batch label for each unit packed".into(),
                Some(_) => match s.lines.last() {
                    Some(pack) if pack.pack && pack.unit_base == 0 => format!(
                        "weigh the pack of {} (@WEIGH) or scan @QTY:<amount>",
                        pack.batch_code
                    ),
                    Some(pack) if pack.pack => {
                        "scan the label of the next pack or unit, or @DONE to ship".into()
                    }
                    _ => "scan the next unit, or @DONE to ship".into(),
                },
            },
            (Doc::Waste(w), _) => match (&w.quantity, &w.reason) {
                (None, _) => format!("weigh the waste of {} or scan @QTY:<n>", w.code),
                (Some(_), None) => "scan NOTE:<reason>".into(),
                (Some(_), Some(_)) => "@DONE to record the waste".into(),
            },
        }
    }
}

/// A product's bill of materials with the batch size it is for.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Recipe {
    /// how much product the lines are for (base units of the product)
    pub per: i64,
    pub lines: Vec<RecipeLine>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RecipeLine {
    pub sku: String,
    pub name: String,
    pub unit: Unit,
    /// base units of the ingredient for `per` of the product
    pub quantity: i64,
}

impl Recipe {
    /// The amount of a line for `planned` (base units) of the product.
    pub fn target(&self, line: &RecipeLine, planned: i64) -> i64 {
        let scaled = i128::from(line.quantity) * i128::from(planned) / i128::from(self.per.max(1));
        i64::try_from(scaled).unwrap_or(i64::MAX)
    }
}

impl BatchDoc {
    /// What of an ingredient item is weighed into the batch so far (base units).
    pub fn weighed(&self, sku: &str) -> i64 {
        self.active_lines()
            .filter(|l| l.sku.eq_ignore_ascii_case(sku))
            .map(|l| l.quantity.base)
            .sum()
    }

    /// Each recipe line for the planned amount: (line, target, weighed so far).
    pub fn targets(&self) -> Vec<(&RecipeLine, i64, i64)> {
        match (&self.recipe, self.planned) {
            (Some(recipe), Some(planned)) => recipe
                .lines
                .iter()
                .map(|l| (l, recipe.target(l, planned.base), self.weighed(&l.sku)))
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// How far `weighed` is from `target`, in words: `on target`, `0.5 kg short`, `20 g over`.
pub fn difference(weighed: i64, target: i64, unit: Unit) -> String {
    let amount = |base: i64| match unit {
        Unit::Each => base.to_string(),
        other => Quantity::from_base(base).for_people(other),
    };
    match weighed.cmp(&target) {
        std::cmp::Ordering::Equal => "on target".to_string(),
        std::cmp::Ordering::Less => format!("{} short", amount(target - weighed)),
        std::cmp::Ordering::Greater => format!("{} over", amount(weighed - target)),
    }
}

/// What a station screen shows of the open document.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DocSummary {
    /// receipt | batch | shipment | waste
    pub kind: &'static str,
    pub title: String,
    pub lines: Vec<String>,
}

impl Doc {
    pub fn summary(&self) -> Option<DocSummary> {
        let summary = match self {
            Doc::None => return None,
            Doc::Receipt(r) => {
                let mut lines: Vec<String> =
                    r.lots.iter().map(|code| format!("lot {code}")).collect();
                if let Some(line) = &r.line {
                    let mut pending = format!("receiving {} ({})", line.item.name, line.item.sku);
                    if let Some(lot) = &line.supplier_lot {
                        pending.push_str(&format!(", supplier lot {lot}"));
                    }
                    if let Some(q) = line.quantity {
                        pending.push_str(&format!(", {}", q.for_people(line.item.unit)));
                    }
                    lines.push(pending);
                }
                DocSummary {
                    kind: "receipt",
                    title: format!(
                        "Receipt from {} ({}){}",
                        r.supplier_name,
                        r.supplier_code,
                        r.invoice
                            .as_ref()
                            .map(|i| format!(", invoice {i}"))
                            .unwrap_or_default()
                    ),
                    lines,
                }
            }
            Doc::Batch(b) => {
                // the recipe for the planned amount first: target, weighed, difference
                let mut lines: Vec<String> = b
                    .targets()
                    .into_iter()
                    .map(|(line, target, weighed)| {
                        format!(
                            "{}: {} planned, {} weighed, {}",
                            line.sku,
                            Quantity::from_base(target).for_people(line.unit),
                            Quantity::from_base(weighed).for_people(line.unit),
                            difference(weighed, target, line.unit)
                        )
                    })
                    .collect();
                lines.extend(
                    b.active_lines()
                        .map(|l| format!("{} of {}", l.quantity.for_people(l.unit), l.input_code)),
                );
                if let Some(p) = &b.pending {
                    lines.push(format!("{} waiting for its weight", p.code));
                }
                if let Some(y) = b.yield_quantity {
                    lines.push(format!("yield {}", y.for_people(b.product.unit)));
                }
                DocSummary {
                    kind: "batch",
                    title: format!("Batch {}: {} ({})", b.code, b.product.name, b.product.sku),
                    lines,
                }
            }
            Doc::Shipment(s) => {
                // the order's lines (ordered, in this box, shipped before), then the box
                let amount = |base: i64, unit: Unit| match unit {
                    Unit::Each => base.to_string(),
                    other => Quantity::from_base(base).for_people(other),
                };
                let mut lines: Vec<String> = s
                    .order_lines
                    .iter()
                    .map(|l| {
                        let boxed: i64 = s
                            .lines
                            .iter()
                            .filter(|b| b.product_sku.eq_ignore_ascii_case(&l.sku))
                            .map(|b| b.quantity * b.unit_base)
                            .sum();
                        format!(
                            "{}: {} ordered, {} in this box, {} shipped before",
                            l.sku,
                            amount(l.ordered, l.unit),
                            amount(boxed, l.unit),
                            amount(l.shipped, l.unit)
                        )
                    })
                    .collect();
                lines.extend(s.lines.iter().map(|l| {
                    format!("box: {} × {} ({})", l.quantity, l.batch_code, l.product_sku)
                }));
                let to = match (&s.customer_name, &s.customer_code) {
                    (Some(name), Some(code)) => format!(" for {name} ({code})"),
                    (None, Some(code)) => format!(" for {code}"),
                    _ => String::new(),
                };
                DocSummary {
                    kind: "shipment",
                    title: format!("Order {}{to}", s.order_number),
                    lines,
                }
            }
            Doc::Waste(w) => DocSummary {
                kind: "waste",
                title: format!("Write-off of {} {}", w.kind.noun(), w.code),
                lines: [
                    w.quantity
                        .map(|q| format!("quantity {}", q.for_people(w.item.unit))),
                    w.reason.as_ref().map(|r| format!("reason: {r}")),
                ]
                .into_iter()
                .flatten()
                .collect(),
            },
        };
        Some(summary)
    }
}

impl BenchState {
    /// Whether the bench waits for a quantity (so a settled weight on the scale is taken).
    pub fn wants_quantity(&self, default_mode: Option<Mode>) -> bool {
        if self.armed.is_some() {
            return false;
        }
        match (&self.doc, self.mode.or(default_mode)) {
            (Doc::Receipt(r), _) => r.line.as_ref().is_some_and(|l| l.quantity.is_none()),
            (Doc::Batch(b), _) => b.pending.is_some(),
            (Doc::Waste(w), _) => w.quantity.is_none(),
            // a pack of a product sold by weight, not weighed yet
            (Doc::Shipment(s), _) => s.lines.last().is_some_and(|l| l.pack && l.unit_base == 0),
            _ => false,
        }
    }
}
