//! The bench state machine (SPEC §5): `step(state, context, input, world)` gives either an
//! accepted outcome (new state, records to commit, labels to print, a message) or a
//! rejection with its reason. Time comes in through `StepContext`; what the records say
//! comes in through the `World` trait, which the store implements over one transaction.

#[cfg(test)]
mod bench_tests;
mod correct;
mod make;
pub mod memory;
mod pack;
mod receive;
mod state;
mod waste;
mod world;

pub use correct::{AdjustField, Asked, Change, CorrectAction, Correcting, correct};
pub use state::*;
pub use world::*;

use crate::codes::{CodeFormat, Quantity};
use crate::scan::{Command, PrefixKind, Scan, ScanKind};

/// What a bench is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    Receive,
    Make,
    Pack,
    Waste,
}

impl Mode {
    pub fn verb(self) -> &'static str {
        match self {
            Mode::Receive => "receiving",
            Mode::Make => "making",
            Mode::Pack => "packing",
            Mode::Waste => "writing off waste",
        }
    }
}

/// How many batch labels `@DONE` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchLabels {
    /// one per unit for products counted in `each` (capped), else one
    PerUnit,
    Fixed(u32),
}

/// Most labels one batch close will print per unit (a safety cap against `@YIELD:5000`).
pub const MAX_LABELS_PER_BATCH: u32 = 500;

/// Everything a step needs that is not bench state or records.
#[derive(Debug, Clone)]
pub struct StepContext<'a> {
    pub bench: &'a str,
    pub now: jiff::Timestamp,
    /// the shop's local date at `now`
    pub today: jiff::civil::Date,
    pub default_mode: Option<Mode>,
    pub allow_overdraw: bool,
    /// percent of a recipe line's target an ingredient may be off before `@DONE` warns
    pub recipe_tolerance_percent: u32,
    /// percent of an order line a product sold by weight or volume may be off and still
    /// fill it
    pub pack_tolerance_percent: u32,
    pub batch_labels: BatchLabels,
    pub lot_format: &'a CodeFormat,
    pub batch_format: &'a CodeFormat,
    pub shipment_format: &'a CodeFormat,
    /// the bench scale's latest stable reading, if it has a scale
    pub scale: ScaleState,
}

/// What the bench knows about its scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScaleState {
    NoScale,
    Lost,
    Unstable,
    /// a stable net reading in base units (mg)
    Stable(Quantity),
}

/// One thing that happened at the bench.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Input {
    Scan(Scan),
    /// a stable non-zero weight held for the settle time (auto-capture)
    Weight(Quantity),
}

/// The result of one step.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Accepted(Box<Accepted>),
    Rejected {
        reason: String,
    },
    /// a probable mistake: nothing is recorded; the bench (its state saved) waits for the
    /// same scan again or `@OK`
    Warned(Box<Warned>),
}

/// A probable mistake: the bench's state (waiting for the confirmation), what it said, and
/// what the daemon still does (a warned weight is not offered again).
#[derive(Debug, Clone, PartialEq)]
pub struct Warned {
    pub state: BenchState,
    pub warning: String,
    pub effects: Vec<Effect>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Accepted {
    pub state: BenchState,
    /// committed with the scan, in this order
    pub records: Vec<Record>,
    /// what the daemon carries out once the scan is committed
    pub effects: Vec<Effect>,
    pub message: String,
    /// remarks that record with the step (`ok: … (note: …)`)
    pub warnings: Vec<String>,
    /// probable mistakes: the step records only once the person confirms
    pub cautions: Vec<String>,
    /// the cautions the person confirmed, journaled with the records
    pub confirmed: Vec<String>,
}

/// Something outside the records that an accepted step asks for. The daemon carries each
/// out after the commit; the step never re-derives them from the scan.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// print a label (its print job is journaled in the same commit as the record)
    Print(PrintRequest),
    /// ask the bench's scale to tare
    Tare,
    /// the scale's current weight was taken: automatic capture waits for the next load
    WeightTaken,
}

impl Accepted {
    fn new(state: BenchState, message: impl Into<String>) -> Accepted {
        Accepted {
            state,
            records: Vec::new(),
            effects: Vec::new(),
            message: message.into(),
            warnings: Vec::new(),
            cautions: Vec::new(),
            confirmed: Vec::new(),
        }
    }

    /// The labels this step prints.
    pub fn prints(&self) -> impl Iterator<Item = &PrintRequest> {
        self.effects.iter().filter_map(|effect| match effect {
            Effect::Print(print) => Some(print),
            _ => None,
        })
    }
}

fn reject(reason: impl Into<String>) -> Result<Outcome, WorldError> {
    Ok(Outcome::Rejected {
        reason: reason.into(),
    })
}

fn accept(accepted: Accepted) -> Result<Outcome, WorldError> {
    Ok(Outcome::Accepted(Box::new(accepted)))
}

/// What a code scan refers to, after lookup (SPEC §4 rule 5).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Resolved {
    Stock(StockView),
    Item(ItemView),
    /// a GS1 scan: the item, the lot it names if found, and its other data
    Gs1 {
        item: Option<ItemView>,
        stock: Option<StockView>,
        message: crate::gs1::Message,
    },
    /// nothing known by that text
    Unknown(String),
}

pub(crate) fn resolve_code(text: &str, world: &mut dyn World) -> Result<Resolved, WorldError> {
    if let Some(stock) = world.stock(text)? {
        return Ok(Resolved::Stock(stock));
    }
    if let Ok(gtin) = crate::codes::Gtin::parse(text)
        && let Some(item) = world.item_by_gtin(&gtin)?
    {
        return Ok(Resolved::Item(item));
    }
    Ok(Resolved::Unknown(text.to_string()))
}

pub(crate) fn resolve_gs1(
    message: &crate::gs1::Message,
    world: &mut dyn World,
) -> Result<Resolved, WorldError> {
    let item = match message.gtin() {
        Some(gtin) => world.item_by_gtin(&gtin)?,
        None => None,
    };
    let stock = match (&item, message.lot()) {
        (Some(item), Some(lot)) => world.stock_of_item(&item.sku, lot)?,
        (None, Some(lot)) => world.stock(lot)?,
        _ => None,
    };
    Ok(Resolved::Gs1 {
        item,
        stock,
        message: message.clone(),
    })
}

/// The lot or batch a scan names, for steps that want one.
pub(crate) fn scanned_stock(
    scan: &Scan,
    world: &mut dyn World,
) -> Result<Result<StockView, String>, WorldError> {
    let resolved = match &scan.kind {
        ScanKind::Code(text) => resolve_code(text, world)?,
        ScanKind::Gs1(message) => resolve_gs1(message, world)?,
        ScanKind::Prefixed { kind, value } => {
            return Ok(Err(format!(
                "{} {value} is not a lot or batch label",
                kind.noun()
            )));
        }
        ScanKind::Command(c) => {
            return Ok(Err(format!("{} is not a lot or batch label", c.name())));
        }
    };
    // not one of our codes: a supplier's lot number, if it names exactly one lot (of the
    // scanned item, for a GS1 label); the station never guesses between several
    let by_supplier_lot = match &resolved {
        Resolved::Unknown(text) => Some((None, text.clone())),
        Resolved::Gs1 {
            item,
            stock: None,
            message,
        } => message
            .lot()
            .map(|lot| (item.as_ref().map(|i| i.sku.clone()), lot.to_string())),
        _ => None,
    };
    if let Some((sku, number)) = by_supplier_lot {
        let mut lots = world.lots_by_supplier_lot(sku.as_deref(), &number)?;
        match lots.len() {
            0 => {}
            1 => return Ok(Ok(lots.remove(0))),
            n => {
                return Ok(Err(format!(
                    "supplier lot {number} was received as {n} lots ({}): scan the lot label we printed, not the supplier's",
                    lots.iter()
                        .map(|l| format!("{} of {}", l.code, l.item.sku))
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
        }
    }
    Ok(match resolved {
        Resolved::Stock(stock)
        | Resolved::Gs1 {
            stock: Some(stock), ..
        } => Ok(stock),
        Resolved::Gs1 {
            item: Some(item),
            message,
            ..
        } if message.lot().is_some() => Err(format!(
            "unknown lot or batch {} of {} ({})",
            message.lot().unwrap_or_default(),
            item.sku,
            item.name
        )),
        Resolved::Item(item)
        | Resolved::Gs1 {
            item: Some(item), ..
        } => Err(format!(
            "{} ({}) is an item, not a lot: scan the lot or batch label on the container",
            item.sku, item.name
        )),
        Resolved::Gs1 { message, .. } => Err(format!(
            "unknown lot or batch {}",
            message
                .lot()
                .map(str::to_string)
                .unwrap_or_else(|| message.to_hri())
        )),
        Resolved::Unknown(text) => Err(format!("unknown lot or batch {text}")),
    })
}

/// Advances one bench by one input.
pub fn step(
    state: &BenchState,
    ctx: &StepContext<'_>,
    input: &Input,
    world: &mut dyn World,
) -> Result<Outcome, WorldError> {
    // a warning waits for its confirmation: `@OK` or the same scan again records it,
    // `@CANCEL` drops it, anything else drops it and is stepped as itself
    let mut base = state.clone();
    let waiting = base.confirm.take();
    let is =
        |command: Command| matches!(input, Input::Scan(s) if s.kind == ScanKind::Command(command));
    let (input, confirming) = match waiting {
        Some(waiting) if is(Command::Ok) => (waiting.input, true),
        Some(waiting) if is(Command::Cancel) => {
            return accept(Accepted::new(
                base,
                format!("not recorded: {}", waiting.warning),
            ));
        }
        Some(waiting) if same_scan(&waiting.input, input) => (waiting.input, true),
        None if is(Command::Ok) => return reject("no warning is waiting for @OK"),
        _ => (input.clone(), false),
    };
    let outcome = step_input(&base, ctx, &input, world)?;
    let took_weight = match &input {
        Input::Weight(_) => true,
        Input::Scan(scan) => scan.kind == ScanKind::Command(Command::Weigh),
    };
    Ok(match outcome {
        Outcome::Accepted(accepted) if !accepted.cautions.is_empty() && !confirming => {
            let warning = accepted.cautions.join("; ");
            base.confirm = Some(Confirm {
                input,
                warning: warning.clone(),
            });
            Outcome::Warned(Box::new(Warned {
                state: base,
                warning,
                // a weight that warned is not offered again: `@OK` takes it
                effects: if took_weight {
                    vec![Effect::WeightTaken]
                } else {
                    Vec::new()
                },
            }))
        }
        Outcome::Accepted(mut accepted) => {
            accepted.confirmed = std::mem::take(&mut accepted.cautions);
            if took_weight {
                accepted.effects.push(Effect::WeightTaken);
            }
            Outcome::Accepted(accepted)
        }
        other => other,
    })
}

/// The same scan as the one that warned (a weight is confirmed only by `@OK`).
fn same_scan(waiting: &Input, input: &Input) -> bool {
    match (waiting, input) {
        (Input::Scan(a), Input::Scan(b)) => a.kind == b.kind,
        _ => false,
    }
}

fn step_input(
    state: &BenchState,
    ctx: &StepContext<'_>,
    input: &Input,
    world: &mut dyn World,
) -> Result<Outcome, WorldError> {
    let scan = match input {
        Input::Scan(scan) => scan,
        Input::Weight(weight) => return weighed(state, ctx, *weight, world),
    };
    // commands and prefixes that mean the same in every workflow
    match &scan.kind {
        ScanKind::Prefixed {
            kind: PrefixKind::Operator,
            value,
        } => {
            let mut next = state.clone();
            next.operator = Some(value.clone());
            return accept(Accepted::new(next, format!("operator {value} signed in")));
        }
        ScanKind::Command(Command::Tare) => {
            if ctx.scale == ScaleState::NoScale {
                return reject("this bench has no scale to tare");
            }
            let mut accepted = Accepted::new(state.clone(), "taring the scale");
            accepted.effects.push(Effect::Tare);
            return accept(accepted);
        }
        ScanKind::Command(Command::Reprint(copies)) => {
            return match &state.last_print {
                Some(print) => {
                    let mut accepted = Accepted::new(
                        state.clone(),
                        format!(
                            "reprinting the {} label of {} ({copies} cop{})",
                            print.label.name(),
                            print.code,
                            if *copies == 1 { "y" } else { "ies" }
                        ),
                    );
                    accepted.effects.push(Effect::Print(PrintRequest {
                        copies: *copies,
                        ..print.clone()
                    }));
                    accept(accepted)
                }
                None => reject("nothing has been printed at this bench yet"),
            };
        }
        ScanKind::Command(command @ (Command::Hold | Command::Release))
            if state.correcting.is_none() =>
        {
            return arm_status(state, command, ctx);
        }
        ScanKind::Command(Command::Void) => return correct::arm(state, CorrectAction::Void),
        ScanKind::Command(Command::Adjust) => return correct::arm(state, CorrectAction::Adjust),
        ScanKind::Command(
            command @ (Command::Receive | Command::Make | Command::Pack | Command::Waste),
        ) if state.correcting.is_none() => {
            return switch_mode(state, command);
        }
        _ => {}
    }
    if let Some(correcting) = &state.correcting {
        return correct::step(state, correcting, ctx, scan, world);
    }
    if let Some(armed) = &state.armed {
        return status_step(state, armed, ctx, scan, world);
    }
    if let Some(resumed) = resume(state, scan) {
        return resumed;
    }
    match state.mode.or(ctx.default_mode) {
        None => reject("choose what this bench does first: scan @RECEIVE, @MAKE, @PACK or @WASTE"),
        Some(Mode::Receive) => receive::step(state, ctx, scan, world),
        Some(Mode::Make) => make::step(state, ctx, scan, world),
        Some(Mode::Pack) => pack::step(state, ctx, scan, world),
        Some(Mode::Waste) => waste::step(state, ctx, scan, world),
    }
}

/// An automatic stable weight: it becomes the pending quantity where one is wanted.
fn weighed(
    state: &BenchState,
    ctx: &StepContext<'_>,
    weight: Quantity,
    world: &mut dyn World,
) -> Result<Outcome, WorldError> {
    match state.mode.or(ctx.default_mode) {
        Some(Mode::Receive) => receive::quantity(state, ctx, weight, world),
        Some(Mode::Make) => make::quantity(state, ctx, weight, world),
        Some(Mode::Waste) => waste::quantity(state, weight),
        Some(Mode::Pack) => pack::weighed(state, ctx, weight, world),
        None => reject("no quantity is wanted right now"),
    }
}

/// The weight `@WEIGH` takes, or why there is none.
pub(crate) fn scale_weight(ctx: &StepContext<'_>) -> Result<Quantity, String> {
    match ctx.scale {
        ScaleState::NoScale => Err("this bench has no scale: scan @QTY:<n> instead".into()),
        ScaleState::Lost => {
            Err("the scale is not connected: check its cable, or scan @QTY:<n>".into())
        }
        ScaleState::Unstable => {
            Err("the scale is not stable yet: wait for it to settle and scan @WEIGH again".into())
        }
        ScaleState::Stable(q) if q.base <= 0 => Err("the scale shows no weight".into()),
        ScaleState::Stable(q) => Ok(q),
    }
}

/// Most documents one bench keeps parked.
pub const MAX_PARKED: usize = 8;

fn switch_mode(state: &BenchState, command: &Command) -> Result<Outcome, WorldError> {
    let mode = match command {
        Command::Receive => Mode::Receive,
        Command::Make => Mode::Make,
        Command::Pack => Mode::Pack,
        _ => Mode::Waste,
    };
    let mut next = state.clone();
    let mut said = Vec::new();
    if let Some(open) = state.doc.describe_open() {
        if state.mode == Some(mode) {
            return reject(format!("already {}: {open} is open", mode.verb()));
        }
        // the open document is set aside with its lines, to be resumed by its code
        if next.parked.len() >= MAX_PARKED {
            return reject(format!(
                "{open} is still open and {} are parked already ({}): finish one before {}",
                next.parked.len(),
                parked_names(&next.parked),
                mode.verb()
            ));
        }
        said.push(format!(
            "{open} parked ({} resumes it)",
            state.doc.resume_hint().unwrap_or_default()
        ));
        next.parked.push(std::mem::take(&mut next.doc));
    }
    next.mode = Some(mode);
    next.doc = Doc::None;
    // a @HOLD or @RELEASE still waiting for its label is dropped with the old workflow
    if let Some(armed) = next.armed.take() {
        said.push(format!(
            "the {} that waited for a lot or batch was dropped",
            armed.action.command()
        ));
    }
    // one document of this workflow parked: it is resumed; several are listed
    let parked: Vec<usize> = (0..next.parked.len())
        .filter(|&i| next.parked[i].mode() == Some(mode))
        .collect();
    let mut message = format!("bench is now {}", mode.verb());
    match parked.as_slice() {
        [] => {}
        [one] => {
            next.doc = next.parked.remove(*one);
            message = format!(
                "{} resumed; bench is now {}",
                next.doc.describe_open().unwrap_or_default(),
                mode.verb()
            );
        }
        several => said.push(format!(
            "parked: {}: scan one to resume it",
            several
                .iter()
                .filter_map(|&i| next.parked[i].resume_hint())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
    for s in said {
        message.push_str("; ");
        message.push_str(&s);
    }
    accept(Accepted::new(next, message))
}

fn parked_names(parked: &[Doc]) -> String {
    parked
        .iter()
        .filter_map(Doc::describe_open)
        .collect::<Vec<_>>()
        .join(", ")
}

/// A scan that names a parked document (its batch code, its order, its supplier, the lot
/// being written off) resumes it, setting aside what is open.
fn resume(state: &BenchState, scan: &Scan) -> Option<Result<Outcome, WorldError>> {
    let index = state.parked.iter().position(|doc| doc.named_by(scan))?;
    let mut next = state.clone();
    let doc = next.parked.remove(index);
    let mut message = format!(
        "{} resumed{}",
        doc.describe_open().unwrap_or_default(),
        doc.summary()
            .map(|s| match s.lines.len() {
                0 => String::new(),
                n => format!(" with {}", crate::counted(n, "line")),
            })
            .unwrap_or_default()
    );
    if let Some(open) = next.doc.describe_open() {
        message.push_str(&format!(
            "; {open} parked ({} resumes it)",
            next.doc.resume_hint().unwrap_or_default()
        ));
        next.parked.push(std::mem::take(&mut next.doc));
    }
    next.mode = doc.mode();
    next.doc = doc;
    Some(accept(Accepted::new(next, message)))
}

fn arm_status(
    state: &BenchState,
    command: &Command,
    _ctx: &StepContext<'_>,
) -> Result<Outcome, WorldError> {
    let action = if *command == Command::Hold {
        StatusAction::Hold
    } else {
        StatusAction::Release
    };
    // @HOLD while receiving a line: the lot will be created on hold
    if action == StatusAction::Hold
        && let Doc::Receipt(receipt) = &state.doc
        && let Some(line) = &receipt.line
    {
        let mut next = state.clone();
        if let Doc::Receipt(r) = &mut next.doc
            && let Some(l) = &mut r.line
        {
            l.hold = true;
        }
        return accept(Accepted::new(
            next,
            format!(
                "the lot of {} will be created on hold; NOTE:<reason> says why",
                line.item.sku
            ),
        ));
    }
    let mut next = state.clone();
    next.armed = Some(Armed {
        action,
        code: None,
        note: None,
        more: Vec::new(),
    });
    accept(Accepted::new(
        next,
        format!(
            "{}: the next lot or batch scanned will be {}",
            action.command(),
            action.past()
        ),
    ))
}

/// `@HOLD`/`@RELEASE` armed: collect the code and the reason, then record.
fn status_step(
    state: &BenchState,
    armed: &Armed,
    ctx: &StepContext<'_>,
    scan: &Scan,
    world: &mut dyn World,
) -> Result<Outcome, WorldError> {
    let mut armed = armed.clone();
    let mut next = state.clone();
    match &scan.kind {
        ScanKind::Command(Command::Cancel) => {
            next.armed = None;
            return accept(Accepted::new(
                next,
                format!("{} cancelled", armed.action.command()),
            ));
        }
        ScanKind::Prefixed {
            kind: PrefixKind::Note,
            value,
        } => armed.note = Some(value.clone()),
        ScanKind::Code(text)
            if matches!(resolve_code(text, world)?, Resolved::Unknown(_))
                && world.lots_by_supplier_lot(None, text)?.len() > 1 =>
        {
            // a supplier's lot number received as several lots: every one of them, as the
            // command line holds them
            let lots = world.lots_by_supplier_lot(None, text)?;
            let wanted: Vec<String> = lots
                .iter()
                .filter(|l| match armed.action {
                    StatusAction::Hold => l.status == Status::Available,
                    StatusAction::Release => matches!(l.status, Status::Hold | Status::Quarantine),
                })
                .map(|l| l.code.clone())
                .collect();
            let Some((first, more)) = wanted.split_first() else {
                return reject(format!(
                    "supplier lot {text} names {} ({}): none of them can be {}",
                    crate::counted(lots.len(), "lot"),
                    lots.iter()
                        .map(|l| l.code.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    armed.action.past()
                ));
            };
            armed.code = Some(first.clone());
            armed.more = more.to_vec();
        }
        ScanKind::Code(_) | ScanKind::Gs1(_) => {
            let stock = match scanned_stock(scan, world)? {
                Ok(stock) => stock,
                Err(reason) => return reject(reason),
            };
            match (armed.action, stock.status) {
                (StatusAction::Hold, Status::Hold) => {
                    return reject(format!(
                        "{} {} is already on hold",
                        stock.kind.noun(),
                        stock.code
                    ));
                }
                (StatusAction::Release, Status::Available) => {
                    return reject(format!(
                        "{} {} is not on hold",
                        stock.kind.noun(),
                        stock.code
                    ));
                }
                (StatusAction::Release, Status::Recalled) => {
                    return reject(format!(
                        "{} {} is recalled; a recall is not released at a bench",
                        stock.kind.noun(),
                        stock.code
                    ));
                }
                (_, Status::Void) => {
                    return reject(format!(
                        "{} {} was undone and no longer exists",
                        stock.kind.noun(),
                        stock.code
                    ));
                }
                _ => {}
            }
            armed.code = Some(stock.code.clone());
        }
        _ => {
            return reject(format!(
                "{} is waiting for a lot or batch label and NOTE:<reason>; @CANCEL to stop",
                armed.action.command()
            ));
        }
    }
    match (&armed.code, &armed.note) {
        (Some(code), Some(note)) => {
            next.armed = None;
            let codes: Vec<&String> = std::iter::once(code).chain(&armed.more).collect();
            let named = codes
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            let mut accepted =
                Accepted::new(next, format!("{named} {} ({note})", armed.action.past()));
            for code in codes {
                accepted.records.push(Record::StatusChange {
                    code: code.clone(),
                    status: armed.action.status(),
                    reason: note.clone(),
                    at: ctx.now,
                });
            }
            accept(accepted)
        }
        (Some(code), None) => {
            let message = match armed.more.is_empty() {
                true => format!("{code} selected for {}", armed.action.command()),
                false => format!(
                    "{code}, {} selected for {} (the lots of one supplier lot)",
                    armed.more.join(", "),
                    armed.action.command()
                ),
            };
            next.armed = Some(armed);
            accept(Accepted::new(next, message))
        }
        (None, _) => {
            next.armed = Some(armed);
            accept(Accepted::new(next, "reason noted"))
        }
    }
}

/// Labels of expiry for messages.
pub(crate) fn expiry_text(expiry: Option<jiff::civil::Date>) -> String {
    match expiry {
        Some(date) => format!("expires {date}"),
        None => "no expiry".to_string(),
    }
}

/// Why a lot or batch may not be used or shipped on `date`, if it may not.
pub(crate) fn blocked(stock: &StockView, date: jiff::civil::Date) -> Option<String> {
    let what = format!("{} {}", stock.kind.noun(), stock.code);
    let why = |s: &str| match &stock.status_reason {
        Some(reason) => format!("{what} is {s} ({reason})"),
        None => format!("{what} is {s}"),
    };
    match stock.status {
        Status::Hold => return Some(why("on hold")),
        Status::Quarantine => return Some(why("in quarantine")),
        Status::Recalled => return Some(why("recalled")),
        Status::Void => return Some(format!("{what} was undone and no longer exists")),
        Status::Available => {}
    }
    if let Some(expiry) = stock.expiry
        && expiry < date
    {
        return Some(format!("{what} expired on {expiry}"));
    }
    None
}
