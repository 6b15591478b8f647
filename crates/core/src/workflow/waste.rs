//! Waste (SPEC §5): a lot or batch label → quantity → `NOTE:` reason → `@DONE`. Held,
//! expired and recalled stock may be written off: disposal is what they are for.

use super::{
    Accepted, BenchState, Doc, Outcome, Record, StepContext, WasteDoc, World, WorldError, accept,
    reject, scale_weight, scanned_stock,
};
use crate::codes::Quantity;
use crate::scan::{Command, PrefixKind, Scan, ScanKind};
use crate::workflow::Status;

pub(super) fn step(
    state: &BenchState,
    ctx: &StepContext<'_>,
    scan: &Scan,
    world: &mut dyn World,
) -> Result<Outcome, WorldError> {
    let waste = match &state.doc {
        Doc::Waste(w) => w,
        _ => return start(state, scan, world),
    };
    match &scan.kind {
        ScanKind::Command(Command::Qty(text)) => match Quantity::parse_for(text, waste.item.unit) {
            Ok(q) => quantity(state, q),
            Err(e) => reject(format!("@QTY:{text}: {e}")),
        },
        ScanKind::Command(Command::Weigh) => match scale_weight(ctx) {
            Ok(q) => quantity(state, q),
            Err(reason) => reject(reason),
        },
        ScanKind::Prefixed {
            kind: PrefixKind::Note,
            value,
        } => {
            let mut next = state.clone();
            if let Doc::Waste(w) = &mut next.doc {
                w.reason = Some(value.clone());
            }
            accept(Accepted::new(next, format!("reason: {value}")))
        }
        ScanKind::Command(Command::Cancel | Command::Undo) => {
            let mut next = state.clone();
            next.doc = Doc::None;
            accept(Accepted::new(
                next,
                format!("write-off of {} dropped; nothing recorded", waste.code),
            ))
        }
        ScanKind::Command(Command::Done) => {
            let (Some(quantity), Some(reason)) = (waste.quantity, &waste.reason) else {
                return reject(match waste.quantity {
                    None => "the waste needs a quantity first: weigh it or @QTY:<n>",
                    Some(_) => "the waste needs a reason first: scan NOTE:<reason>",
                });
            };
            let mut next = state.clone();
            next.doc = Doc::None;
            let mut accepted = Accepted::new(
                next,
                format!(
                    "waste recorded: {} of {} {} ({reason})",
                    quantity.for_people(waste.item.unit),
                    waste.kind.noun(),
                    waste.code
                ),
            );
            accepted.records.push(Record::Waste {
                code: waste.code.clone(),
                quantity: quantity.base,
                unit: waste.item.unit,
                reason: reason.clone(),
                at: ctx.now,
            });
            accept(accepted)
        }
        ScanKind::Command(c) => reject(format!(
            "{} does not apply while writing off waste",
            c.name()
        )),
        _ => reject(format!(
            "the write-off of {} is open: quantity, NOTE:<reason> and @DONE, or @CANCEL",
            waste.code
        )),
    }
}

fn start(state: &BenchState, scan: &Scan, world: &mut dyn World) -> Result<Outcome, WorldError> {
    match &scan.kind {
        ScanKind::Command(Command::Done) => {
            return reject("nothing to finish: scan the lot or batch to write off");
        }
        ScanKind::Command(Command::Cancel) => return reject("nothing is open to cancel"),
        ScanKind::Command(Command::Undo) => return reject("nothing to undo"),
        ScanKind::Command(c) => {
            return reject(format!("{} needs a lot or batch scanned first", c.name()));
        }
        _ => {}
    }
    let stock = match scanned_stock(scan, world)? {
        Ok(stock) => stock,
        Err(reason) => return reject(reason),
    };
    if stock.status == Status::Void {
        return reject(format!(
            "{} {} was undone and no longer exists",
            stock.kind.noun(),
            stock.code
        ));
    }
    let mut next = state.clone();
    next.doc = Doc::Waste(WasteDoc {
        code: stock.code.clone(),
        kind: stock.kind,
        item: stock.item.clone(),
        balance: stock.balance,
        quantity: None,
        reason: None,
    });
    accept(Accepted::new(
        next,
        format!(
            "writing off {} {} ({}), {} left",
            stock.kind.noun(),
            stock.code,
            stock.item.sku,
            Quantity::from_base(stock.balance.max(0)).for_people(stock.item.unit)
        ),
    ))
}

pub(super) fn quantity(state: &BenchState, quantity: Quantity) -> Result<Outcome, WorldError> {
    let Doc::Waste(waste) = &state.doc else {
        return reject("scan the lot or batch to write off first");
    };
    if quantity.base > waste.balance {
        return reject(format!(
            "{} is more than the {} left of {}",
            quantity.for_people(waste.item.unit),
            Quantity::from_base(waste.balance.max(0)).for_people(waste.item.unit),
            waste.code
        ));
    }
    let mut next = state.clone();
    if let Doc::Waste(w) = &mut next.doc {
        w.quantity = Some(quantity);
    }
    accept(Accepted::new(
        next,
        format!("{} to write off", quantity.for_people(waste.item.unit)),
    ))
}
