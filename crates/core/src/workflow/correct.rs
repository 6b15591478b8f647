//! Corrections as records, never edits: `@VOID` (a lot, batch or shipment that should not
//! be in the records) and `@ADJUST` (a lot's or batch's counted quantity, a batch's yield,
//! an expiry). The rules live here once; the bench collects the document, the change and
//! the reason scan by scan, and the CLI and the API hand them over whole (`void`, `adjust`).

use super::{
    Accepted, BenchState, CorrectionTarget, LabelKind, PrintRequest, Record, Status, StepContext,
    StockKind, StockView, World, WorldError, accept, reject, scanned_stock,
};
use crate::codes::{Quantity, Unit};
use crate::scan::{Command, PrefixKind, Scan, ScanKind};

/// What a correction changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CorrectAction {
    Void,
    Adjust,
}

impl CorrectAction {
    pub fn command(self) -> &'static str {
        match self {
            CorrectAction::Void => "@VOID",
            CorrectAction::Adjust => "@ADJUST",
        }
    }
}

/// `@VOID` or `@ADJUST` collecting its document, its change and its reason.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Correcting {
    pub action: CorrectAction,
    pub code: Option<String>,
    pub change: Option<Change>,
    pub note: Option<String>,
}

/// What an adjustment sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "field", rename_all = "snake_case")]
pub enum Change {
    /// what a count found on hand now (base units)
    Quantity {
        counted: i64,
    },
    /// what the batch really made (base units)
    Yield {
        quantity: i64,
    },
    Expiry {
        date: jiff::civil::Date,
    },
}

/// Which field an adjustment corrects, as kept in the records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdjustField {
    Quantity,
    Yield,
    Expiry,
}

impl AdjustField {
    pub fn as_str(self) -> &'static str {
        match self {
            AdjustField::Quantity => "quantity",
            AdjustField::Yield => "yield",
            AdjustField::Expiry => "expiry",
        }
    }
}

/// A count of what is on hand: like any quantity, but nothing left (`0`) is a count too.
pub fn parse_count(text: &str, unit: Unit) -> Result<Quantity, String> {
    let digits: String = text
        .trim()
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    if !digits.is_empty()
        && digits.chars().any(|c| c.is_ascii_digit())
        && digits.chars().all(|c| c == '0' || c == '.')
    {
        return Ok(Quantity { base: 0 });
    }
    Quantity::parse_for(text, unit).map_err(|e| format!("{text}: {e}"))
}

/// Parses the value of `@QTY`, `@YIELD` or `@EXPIRY` for the lot or batch being adjusted.
pub fn parse_change(
    command: &Command,
    stock: &StockView,
    today: jiff::civil::Date,
) -> Result<Change, String> {
    let unit = stock.item.unit;
    match command {
        Command::Qty(text) => parse_count(text, unit).map(|q| Change::Quantity { counted: q.base }),
        Command::Yield(text) => Quantity::parse_for(text, unit)
            .map(|q| Change::Yield { quantity: q.base })
            .map_err(|e| format!("{text}: {e}")),
        Command::Expiry(text) => parse_date(text, today).map(|date| Change::Expiry { date }),
        other => Err(format!(
            "{} is not a correction: scan @QTY:<counted>, @YIELD:<n> or @EXPIRY:YYMMDD",
            other.name()
        )),
    }
}

/// `YYMMDD` as GS1 writes it, or `YYYY-MM-DD`.
pub fn parse_date(text: &str, today: jiff::civil::Date) -> Result<jiff::civil::Date, String> {
    let text = text.trim();
    crate::gs1::yymmdd_to_date(text, today)
        .or_else(|| text.parse().ok())
        .ok_or_else(|| format!("{text} is not a date: write it YYMMDD (271231) or 2027-12-31"))
}

/// What a void can name.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Voidable {
    Stock(StockView),
    Shipment(super::ShipmentView),
}

/// The document a scanned or typed code names: a shipment by its code, else a lot or batch
/// (by its code, its GS1 label or a supplier's lot number that names exactly one lot).
fn find_document(
    scan: &Scan,
    world: &mut dyn World,
) -> Result<Result<Voidable, String>, WorldError> {
    if let ScanKind::Code(text) = &scan.kind
        && let Some(shipment) = world.shipment(text)?
    {
        return Ok(Ok(Voidable::Shipment(shipment)));
    }
    Ok(scanned_stock(scan, world)?
        .map(Voidable::Stock)
        .map_err(|e| {
            e.replace(
                "unknown lot or batch",
                "no lot, batch or shipment has the code",
            )
        }))
}

/// The records that void `code`, and what to say; or why it may not be voided.
fn void(
    code: &str,
    reason: &str,
    now: jiff::Timestamp,
    world: &mut dyn World,
) -> Result<Result<(Vec<Record>, String), String>, WorldError> {
    let scan = Scan {
        aim: None,
        kind: ScanKind::Code(code.to_string()),
    };
    let document = match find_document(&scan, world)? {
        Ok(document) => document,
        Err(why) => return Ok(Err(why)),
    };
    let correction = |target| Record::Correction {
        target,
        reason: reason.to_string(),
        at: now,
    };
    match document {
        Voidable::Shipment(shipment) => {
            if shipment.void {
                return Ok(Err(format!("shipment {} is already void", shipment.code)));
            }
            let records = vec![correction(CorrectionTarget::Shipment {
                code: shipment.code.clone(),
            })];
            Ok(Ok((
                records,
                format!(
                    "shipment {} of order {} to {} is void ({reason}): it is gone from traces, recalls and the order's shipped count",
                    shipment.code, shipment.order_number, shipment.customer_code
                ),
            )))
        }
        Voidable::Stock(stock) => {
            if let Some(why) = not_correctable(&stock) {
                return Ok(Err(why));
            }
            let uses = world.uses_of(&stock.code)?;
            if !uses.is_empty() {
                return Ok(Err(format!(
                    "{} {} cannot be voided: {} used it; void those first, or @ADJUST it instead",
                    stock.kind.noun(),
                    stock.code,
                    uses.join(", ")
                )));
            }
            let mut records = Vec::new();
            let mut message = format!("{} {} is void ({reason})", stock.kind.noun(), stock.code);
            if stock.kind == StockKind::Batch {
                // what it consumed goes back: the batch never happened
                let lines = world.live_lines(&stock.code)?;
                for line_no in &lines {
                    records.push(correction(CorrectionTarget::Consumption {
                        batch_code: stock.code.clone(),
                        line_no: *line_no,
                    }));
                }
                if !lines.is_empty() {
                    message.push_str(&format!(
                        "; its {} no longer count against their lots",
                        crate::counted(lines.len(), "ingredient line"),
                    ));
                }
                records.push(correction(CorrectionTarget::Batch {
                    code: stock.code.clone(),
                }));
            } else {
                records.push(correction(CorrectionTarget::Lot {
                    code: stock.code.clone(),
                }));
            }
            Ok(Ok((records, message)))
        }
    }
}

/// Why a lot or batch cannot be corrected at all, if it cannot.
fn not_correctable(stock: &StockView) -> Option<String> {
    if stock.status == Status::Void {
        return Some(format!(
            "{} {} is already void",
            stock.kind.noun(),
            stock.code
        ));
    }
    if !stock.closed {
        return Some(format!(
            "batch {} is still open: finish it with @YIELD and @DONE, or drop it at its bench",
            stock.code
        ));
    }
    None
}

/// A correction asked for whole (the CLI, the API): void the document, or set what a
/// lot or batch says, the value as a person typed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Asked {
    Void,
    /// a counted quantity (`17kg`, `0`)
    Count(String),
    /// a batch's yield
    Yield(String),
    /// YYMMDD or YYYY-MM-DD
    Expiry(String),
}

/// The records a correction asked for whole makes, and what to say; or why it may not.
pub fn correct(
    code: &str,
    asked: &Asked,
    reason: &str,
    now: jiff::Timestamp,
    today: jiff::civil::Date,
    world: &mut dyn World,
) -> Result<Result<(Vec<Record>, String), String>, WorldError> {
    if reason.trim().is_empty() {
        return Ok(Err("a correction needs its reason".into()));
    }
    let command = match asked {
        Asked::Void => return void(code, reason, now, world),
        Asked::Count(text) => Command::Qty(text.clone()),
        Asked::Yield(text) => Command::Yield(text.clone()),
        Asked::Expiry(text) => Command::Expiry(text.clone()),
    };
    let scan = Scan {
        aim: None,
        kind: ScanKind::Code(code.to_string()),
    };
    let stock = match scanned_stock(&scan, world)? {
        Ok(stock) => stock,
        Err(why) => return Ok(Err(why)),
    };
    let change = match parse_change(&command, &stock, today) {
        Ok(change) => change,
        Err(why) => return Ok(Err(why)),
    };
    Ok(adjust_stock(&stock, change, reason, now))
}

fn adjust_stock(
    stock: &StockView,
    change: Change,
    reason: &str,
    now: jiff::Timestamp,
) -> Result<(Vec<Record>, String), String> {
    if let Some(why) = not_correctable(stock) {
        return Err(why);
    }
    let unit = stock.item.unit;
    let show = |base: i64| Quantity { base }.for_people(unit);
    let what = format!("{} {}", stock.kind.noun(), stock.code);
    let (field, was, value, delta, message) = match change {
        Change::Quantity { counted } => {
            let delta = counted - stock.balance;
            if delta == 0 {
                return Err(format!(
                    "{what} already has {} on hand: nothing to adjust",
                    show(counted)
                ));
            }
            let signed = if delta > 0 {
                format!("+{}", show(delta))
            } else {
                format!("-{}", show(-delta))
            };
            (
                AdjustField::Quantity,
                stock.balance.to_string(),
                counted.to_string(),
                delta,
                format!(
                    "{what} counted: {} on hand (the records said {}, {signed}) ({reason})",
                    show(counted),
                    show(stock.balance)
                ),
            )
        }
        Change::Yield { quantity } => {
            if stock.kind != StockKind::Batch {
                return Err(format!(
                    "{what} is a lot: a yield belongs to a batch; correct a lot with @QTY:<counted>"
                ));
            }
            let used = stock.initial - stock.balance;
            if quantity < used {
                return Err(format!(
                    "{what} has already given {} (shipped, used or wasted): its yield cannot be {}",
                    show(used),
                    show(quantity)
                ));
            }
            if quantity == stock.initial {
                return Err(format!(
                    "{what} already made {}: nothing to adjust",
                    show(quantity)
                ));
            }
            (
                AdjustField::Yield,
                stock.initial.to_string(),
                quantity.to_string(),
                quantity - stock.initial,
                format!(
                    "{what} made {} (recorded as {}); {} on hand now ({reason})",
                    show(quantity),
                    show(stock.initial),
                    show(stock.balance + quantity - stock.initial)
                ),
            )
        }
        Change::Expiry { date } => {
            if stock.expiry == Some(date) {
                return Err(format!(
                    "{what} already expires on {date}: nothing to adjust"
                ));
            }
            (
                AdjustField::Expiry,
                stock.expiry.map(|d| d.to_string()).unwrap_or_default(),
                date.to_string(),
                0,
                format!(
                    "{what} now expires on {date} (was {}) ({reason})",
                    stock
                        .expiry
                        .map_or_else(|| "none".to_string(), |d| d.to_string())
                ),
            )
        }
    };
    Ok((
        vec![Record::Adjustment {
            code: stock.code.clone(),
            kind: stock.kind,
            field,
            was,
            value,
            delta,
            unit,
            reason: reason.to_string(),
            at: now,
        }],
        message,
    ))
}

/// `@VOID` or `@ADJUST` scanned: the bench collects what it needs.
pub(crate) fn arm(state: &BenchState, action: CorrectAction) -> Result<super::Outcome, WorldError> {
    let mut next = state.clone();
    next.armed = None;
    next.correcting = Some(Correcting {
        action,
        code: None,
        change: None,
        note: None,
    });
    accept(Accepted::new(
        next,
        match action {
            CorrectAction::Void => {
                "@VOID: scan the lot, batch or shipment label to void, then NOTE:<reason>"
            }
            CorrectAction::Adjust => {
                "@ADJUST: scan the lot or batch label, then @QTY:<counted>, @YIELD:<n> or @EXPIRY:YYMMDD, then NOTE:<reason>"
            }
        },
    ))
}

/// One scan while a correction is being collected.
pub(crate) fn step(
    state: &BenchState,
    correcting: &Correcting,
    ctx: &StepContext<'_>,
    scan: &Scan,
    world: &mut dyn World,
) -> Result<super::Outcome, WorldError> {
    let mut c = correcting.clone();
    let mut next = state.clone();
    let command = c.action.command();
    match &scan.kind {
        ScanKind::Command(Command::Cancel) => {
            next.correcting = None;
            return accept(Accepted::new(
                next,
                format!("{command} cancelled: nothing changed"),
            ));
        }
        ScanKind::Prefixed {
            kind: PrefixKind::Note,
            value,
        } => c.note = Some(value.clone()),
        ScanKind::Command(value @ (Command::Qty(_) | Command::Yield(_) | Command::Expiry(_)))
            if c.action == CorrectAction::Adjust =>
        {
            let Some(code) = c.code.clone() else {
                return reject("scan the lot or batch label first, then what it should say");
            };
            let stock = match world.stock(&code)? {
                Some(stock) => stock,
                None => return reject(format!("{code} is no longer a lot or batch")),
            };
            match parse_change(value, &stock, ctx.today) {
                Ok(change) => {
                    let said = match change {
                        Change::Quantity { counted } => format!(
                            "counted {}",
                            Quantity { base: counted }.for_people(stock.item.unit)
                        ),
                        Change::Yield { quantity } => format!(
                            "yield {}",
                            Quantity { base: quantity }.for_people(stock.item.unit)
                        ),
                        Change::Expiry { date } => format!("expiry {date}"),
                    };
                    c.change = Some(change);
                    if c.note.is_none() {
                        next.correcting = Some(c);
                        return accept(Accepted::new(next, format!("{said} noted for {code}")));
                    }
                }
                Err(why) => return reject(why),
            }
        }
        ScanKind::Code(_) | ScanKind::Gs1(_) => {
            let found = match c.action {
                CorrectAction::Void => find_document(scan, world)?,
                CorrectAction::Adjust => match find_document(scan, world)? {
                    Ok(Voidable::Shipment(s)) => {
                        return reject(format!(
                            "{} is a shipment: a shipment is not adjusted; @VOID it and pack the order again",
                            s.code
                        ));
                    }
                    other => other,
                },
            };
            let code = match found {
                Ok(Voidable::Shipment(s)) if s.void => {
                    return reject(format!("shipment {} is already void", s.code));
                }
                Ok(Voidable::Shipment(s)) => s.code,
                Ok(Voidable::Stock(stock)) => {
                    if let Some(why) = not_correctable(&stock) {
                        return reject(why);
                    }
                    // what depends on it is said now, not after the reason is scanned
                    if c.action == CorrectAction::Void
                        && let Err(why) = void(&stock.code, "", ctx.now, world)?
                    {
                        return reject(why);
                    }
                    stock.code
                }
                Err(why) => return reject(why),
            };
            c.code = Some(code);
            c.change = None;
        }
        _ => {
            return reject(format!(
                "{command} is waiting for {}; @CANCEL to stop",
                prompt(&c)
            ));
        }
    }
    let ready = match c.action {
        CorrectAction::Void => c.code.is_some() && c.note.is_some(),
        CorrectAction::Adjust => c.code.is_some() && c.change.is_some() && c.note.is_some(),
    };
    if !ready {
        let message = match (&c.code, &c.note) {
            (Some(code), _) if c.change.is_none() && c.action == CorrectAction::Adjust => {
                format!("{code} selected for @ADJUST")
            }
            (Some(code), None) => format!("{code} selected for {command}"),
            _ => "reason noted".to_string(),
        };
        next.correcting = Some(c);
        return accept(Accepted::new(next, message));
    }
    let (code, note) = (
        c.code.clone().unwrap_or_default(),
        c.note.clone().unwrap_or_default(),
    );
    let done = match (c.action, c.change) {
        (CorrectAction::Adjust, Some(change)) => match world.stock(&code)? {
            Some(stock) => adjust_stock(&stock, change, &note, ctx.now),
            None => Err(format!("{code} is no longer a lot or batch")),
        },
        _ => void(&code, &note, ctx.now, world)?,
    };
    match done {
        Ok((records, mut message)) => {
            next.correcting = None;
            // a new expiry needs a new label on the container: it prints now
            let print = match (c.change, records.first()) {
                (Some(Change::Expiry { .. }), Some(Record::Adjustment { code, kind, .. })) => {
                    Some(PrintRequest {
                        label: match kind {
                            StockKind::Lot => LabelKind::Lot,
                            StockKind::Batch => LabelKind::Batch,
                        },
                        code: code.clone(),
                        copies: 1,
                    })
                }
                _ => None,
            };
            if let Some(print) = &print {
                message.push_str("; its new label is printing");
                next.last_print = Some(print.clone());
            }
            let mut accepted = Accepted::new(next, message);
            accepted.records = records;
            if let Some(print) = print {
                accepted.effects.push(super::Effect::Print(print));
            }
            accept(accepted)
        }
        Err(why) => reject(why),
    }
}

/// What the correction still waits for, in the words of the person at the bench.
pub fn prompt(c: &Correcting) -> String {
    match (c.action, &c.code, &c.change, &c.note) {
        (CorrectAction::Void, None, _, _) => {
            "the lot, batch or shipment label to void (NOTE:<reason> too)".into()
        }
        (CorrectAction::Adjust, None, _, _) => {
            "the lot or batch label to adjust (NOTE:<reason> too)".into()
        }
        (CorrectAction::Adjust, Some(code), None, _) => {
            format!("@QTY:<counted>, @YIELD:<n> or @EXPIRY:YYMMDD for {code}")
        }
        (_, Some(code), _, None) => format!("NOTE:<reason> for {code}"),
        _ => "anything".into(),
    }
}
