//! Receiving (SPEC §5): supplier → invoice → item → supplier lot → quantity → `@DONE`
//! creates the lot, assigns its code and prints its label.

use super::{
    Accepted, BenchState, Doc, Effect, LabelKind, Outcome, PrintRequest, Receipt, ReceiptLine,
    Record, Resolved, StepContext, World, WorldError, accept, expiry_text, reject, resolve_code,
    resolve_gs1, scale_weight,
};
use crate::codes::{CodeContext, Quantity};
use crate::gs1::Message;
use crate::scan::{Command, PrefixKind, Scan, ScanKind};
use crate::workflow::{CorrectionTarget, ItemView, Status};

pub(super) fn step(
    state: &BenchState,
    ctx: &StepContext<'_>,
    scan: &Scan,
    world: &mut dyn World,
) -> Result<Outcome, WorldError> {
    let outcome = scanned(state, ctx, scan, world)?;
    // an @UNDO that asked to take a label off is answered by the next scan only
    Ok(match outcome {
        Outcome::Accepted(mut accepted) if scan.kind != ScanKind::Command(Command::Undo) => {
            if let Doc::Receipt(r) = &mut accepted.state.doc {
                r.undo_asked = None;
            }
            Outcome::Accepted(accepted)
        }
        other => other,
    })
}

fn scanned(
    state: &BenchState,
    ctx: &StepContext<'_>,
    scan: &Scan,
    world: &mut dyn World,
) -> Result<Outcome, WorldError> {
    let receipt = match &state.doc {
        Doc::Receipt(r) => r,
        _ => return no_receipt(state, scan, world),
    };
    match &scan.kind {
        ScanKind::Command(Command::Cancel) => cancel(state, receipt),
        // what is in hand first: the line being scanned, as @CANCEL drops it
        ScanKind::Command(Command::Undo) if receipt.line.is_some() => cancel(state, receipt),
        ScanKind::Command(Command::Undo) => undo(state, ctx, receipt, world),
        ScanKind::Command(Command::Done) => done(state, ctx, receipt, world),
        ScanKind::Command(Command::Qty(text)) => {
            let Some(line) = &receipt.line else {
                return reject("no item to give a quantity to: scan the item first");
            };
            match Quantity::parse_for(text, line.item.unit) {
                Ok(q) => quantity(state, ctx, q, world),
                Err(e) => reject(format!("@QTY:{text}: {e}")),
            }
        }
        ScanKind::Command(Command::Weigh) => match scale_weight(ctx) {
            Ok(q) => quantity(state, ctx, q, world),
            Err(reason) => reject(reason),
        },
        ScanKind::Command(c) => reject(format!("{} does not apply while receiving", c.name())),
        ScanKind::Prefixed {
            kind: PrefixKind::Supplier,
            value,
        } => {
            if !receipt.lots.is_empty() || receipt.line.is_some() {
                return reject(format!(
                    "the receipt from {} is open: @DONE to close it before the next supplier",
                    receipt.supplier_code
                ));
            }
            open_receipt(state, value, world)
        }
        ScanKind::Prefixed {
            kind: PrefixKind::Invoice,
            value,
        } => set_invoice(state, receipt, value),
        ScanKind::Prefixed {
            kind: PrefixKind::Note,
            value,
        } => {
            let Some(_) = &receipt.line else {
                return reject("no lot to attach a note to: notes go with the item being received");
            };
            let mut next = state.clone();
            if let Doc::Receipt(r) = &mut next.doc
                && let Some(l) = &mut r.line
            {
                l.note = Some(value.clone());
            }
            accept(Accepted::new(next, "note added to the lot"))
        }
        ScanKind::Prefixed {
            kind: PrefixKind::Item,
            value,
        } => match world.item(value)? {
            Some(item) => start_line(state, ctx, receipt, item, None),
            None => reject(format!(
                "unknown item {value}: import it in items.csv first"
            )),
        },
        ScanKind::Prefixed { kind, value } => reject(format!(
            "{} {value} does not apply while receiving",
            kind.noun()
        )),
        ScanKind::Gs1(message) => gs1_scan(state, ctx, receipt, message, world),
        ScanKind::Code(text) => {
            // free text is what the bench waits for at two places
            if receipt.invoice.is_none() {
                return set_invoice(state, receipt, text);
            }
            if let Some(line) = &receipt.line
                && line.supplier_lot.is_none()
            {
                return set_supplier_lot(state, line, text);
            }
            // a lot the supplier's shipping notice (EPCIS) announced: item, lot and
            // quantity filled in; the clerk confirms with @DONE or corrects with @QTY
            if receipt.line.is_none()
                && let Some(expected) = world.expected_receipt(&receipt.supplier_code, text)?
            {
                let (item, q) = (&expected.item, Quantity::from_base(expected.quantity));
                let mut next = state.clone();
                if let Doc::Receipt(r) = &mut next.doc {
                    r.line = Some(ReceiptLine {
                        item: item.clone(),
                        supplier_lot: Some(text.to_string()),
                        quantity: Some(q),
                        expiry: expected.expiry,
                        hold: false,
                        note: None,
                    });
                }
                return accept(Accepted::new(
                    next,
                    format!(
                        "{} ({}), supplier lot {text}{}, {} as the supplier's shipping notice says: @DONE if that is what came, or @QTY:<n> with the count",
                        item.name,
                        item.sku,
                        expected
                            .expiry
                            .map(|d| format!(", expires {d}"))
                            .unwrap_or_default(),
                        q.for_people(item.unit),
                    ),
                ));
            }
            match resolve_code(text, world)? {
                Resolved::Item(item) => start_line(state, ctx, receipt, item, None),
                Resolved::Stock(stock) => reject(format!(
                    "{} is our own {} label; scan the supplier's item barcode or ITEM:...",
                    stock.code,
                    stock.kind.noun()
                )),
                _ if receipt.line.is_some() => reject(format!(
                    "{text} is not an item, and the line has its supplier lot already: @QTY:<n> or @DONE"
                )),
                _ => reject(format!(
                    "unknown item {text}: scan ITEM:<sku> or the item's GTIN barcode"
                )),
            }
        }
    }
}

/// Receiving mode with no receipt open: only a supplier opens one.
fn no_receipt(
    state: &BenchState,
    scan: &Scan,
    world: &mut dyn World,
) -> Result<Outcome, WorldError> {
    match &scan.kind {
        ScanKind::Prefixed {
            kind: PrefixKind::Supplier,
            value,
        } => open_receipt(state, value, world),
        ScanKind::Command(Command::Cancel) => reject("nothing is open to cancel"),
        ScanKind::Command(Command::Undo) => reject(
            "nothing to undo: no receipt is open (a lot already received: @VOID or @ADJUST, its label, NOTE:<reason>)",
        ),
        ScanKind::Command(Command::Done) => {
            reject("nothing to finish: scan the supplier card (SUP:...) first")
        }
        _ => reject(format!(
            "scan the supplier card (SUP:...) first; {} is not a supplier",
            scan.describe()
        )),
    }
}

fn open_receipt(
    state: &BenchState,
    code: &str,
    world: &mut dyn World,
) -> Result<Outcome, WorldError> {
    let Some(supplier) = world.supplier(code)? else {
        return reject(format!(
            "unknown supplier {code}: import it in suppliers.csv first"
        ));
    };
    if supplier.retired {
        return reject(format!(
            "supplier {} ({}) is retired: nothing is received from it (the owner brings it back on the suppliers page)",
            supplier.code, supplier.name
        ));
    }
    let mut next = state.clone();
    next.doc = Doc::Receipt(Receipt {
        undo_asked: None,
        supplier_code: supplier.code.clone(),
        supplier_name: supplier.name.clone(),
        invoice: None,
        line: None,
        lots: Vec::new(),
    });
    accept(Accepted::new(
        next,
        format!("receiving from {} ({})", supplier.name, supplier.code),
    ))
}

fn set_invoice(
    state: &BenchState,
    receipt: &Receipt,
    invoice: &str,
) -> Result<Outcome, WorldError> {
    if let Some(why) = crate::codes::text_problem("invoice", invoice, crate::codes::MAX_LOT_CHARS) {
        return reject(why);
    }
    if !receipt.lots.is_empty() {
        return reject(format!(
            "lots are already recorded on invoice {}: @DONE to close the receipt first",
            receipt.invoice.as_deref().unwrap_or("?")
        ));
    }
    let mut next = state.clone();
    if let Doc::Receipt(r) = &mut next.doc {
        r.invoice = Some(invoice.to_string());
    }
    accept(Accepted::new(next, format!("invoice {invoice}")))
}

fn set_supplier_lot(
    state: &BenchState,
    line: &ReceiptLine,
    lot: &str,
) -> Result<Outcome, WorldError> {
    if let Some(why) = crate::codes::text_problem("supplier lot", lot, crate::codes::MAX_LOT_CHARS)
    {
        return reject(why);
    }
    let mut next = state.clone();
    if let Doc::Receipt(r) = &mut next.doc
        && let Some(l) = &mut r.line
    {
        l.supplier_lot = Some(lot.to_string());
    }
    accept(Accepted::new(
        next,
        format!("supplier lot {lot} of {}", line.item.sku),
    ))
}

fn start_line(
    state: &BenchState,
    ctx: &StepContext<'_>,
    receipt: &Receipt,
    item: ItemView,
    message: Option<&Message>,
) -> Result<Outcome, WorldError> {
    if receipt.invoice.is_none() {
        return reject("scan or type the supplier's invoice number first");
    }
    if item.retired {
        return reject(format!(
            "{} ({}) is retired: it is no longer received (the owner brings it back on the items page)",
            item.sku, item.name
        ));
    }
    if let Some(line) = &receipt.line
        && line.item.sku != item.sku
    {
        return reject(format!(
            "{} is still being received: @DONE to create its lot, or @CANCEL to drop it",
            line.item.sku
        ));
    }
    let mut line = ReceiptLine {
        item: item.clone(),
        supplier_lot: None,
        quantity: None,
        expiry: None,
        hold: false,
        note: None,
    };
    if let Some(existing) = &receipt.line {
        line = existing.clone();
    }
    let mut parts = vec![format!("{} ({})", item.name, item.sku)];
    if let Some(message) = message {
        if let Some(lot) = message.lot() {
            line.supplier_lot = Some(lot.to_string());
            parts.push(format!("supplier lot {lot}"));
        }
        if let Some(expiry) = message.expiry(ctx.today) {
            line.expiry = Some(expiry);
            parts.push(format!("expires {expiry}"));
        }
        if let Some((q, dimension)) = message.net_quantity() {
            if dimension != item.unit.dimension() {
                return reject(format!(
                    "the barcode gives a {dimension:?} but {} is counted in {}",
                    item.sku, item.unit
                ));
            }
            line.quantity = Some(q);
            parts.push(q.for_people(item.unit));
        }
    }
    let mut next = state.clone();
    if let Doc::Receipt(r) = &mut next.doc {
        r.line = Some(line);
    }
    accept(Accepted::new(next, parts.join(", ")))
}

fn gs1_scan(
    state: &BenchState,
    ctx: &StepContext<'_>,
    receipt: &Receipt,
    message: &Message,
    world: &mut dyn World,
) -> Result<Outcome, WorldError> {
    let resolved = resolve_gs1(message, world)?;
    let Resolved::Gs1 { item, stock, .. } = resolved else {
        return reject("unreadable GS1 scan");
    };
    // our own lot's or batch's GS1 symbol (its DataMatrix, its Digital Link QR), not a
    // supplier's: the same refusal as its Code 128 (a supplier lot number that an earlier
    // delivery had too is a supplier's, and received again)
    if let (Some(stock), Some(lot)) = (&stock, message.lot())
        && stock.code == lot
    {
        return reject(format!(
            "{} is our own {} label; scan the supplier's item barcode or ITEM:...",
            stock.code,
            stock.kind.noun()
        ));
    }
    match item {
        Some(item) => start_line(state, ctx, receipt, item, Some(message)),
        None => match (&receipt.line, message.gtin(), message.lot()) {
            // a supplier label with only a lot on it
            (Some(line), None, Some(lot)) if line.supplier_lot.is_none() => {
                set_supplier_lot(state, line, lot)
            }
            (_, Some(gtin), _) => reject(format!(
                "unknown GTIN {gtin}: add it to the item in items.csv, or scan ITEM:<sku>"
            )),
            _ => reject(format!("GS1 barcode {} names no item", message.to_hri())),
        },
    }
}

pub(super) fn quantity(
    state: &BenchState,
    _ctx: &StepContext<'_>,
    quantity: Quantity,
    world: &mut dyn World,
) -> Result<Outcome, WorldError> {
    let Doc::Receipt(receipt) = &state.doc else {
        return reject("no item to give a quantity to: scan the supplier card and the item first");
    };
    let Some(line) = &receipt.line else {
        return reject("no item to give a quantity to: scan the item first");
    };
    let mut next = state.clone();
    if let Doc::Receipt(r) = &mut next.doc
        && let Some(l) = &mut r.line
    {
        l.quantity = Some(quantity);
    }
    let mut accepted = Accepted::new(
        next,
        format!(
            "{} of {}",
            quantity.for_people(line.item.unit),
            line.item.sku
        ),
    );
    // a mis-keyed number (a zero too many or too few, grams keyed as kilograms) is ten
    // times off what this item usually comes in: said while it can still be corrected
    if let Some((least, most)) = world.recent_receipts(&line.item.sku)? {
        let show = |base: i64| Quantity::from_base(base).for_people(line.item.unit);
        let off = if quantity.base / 10 > most {
            Some(format!(
                "more than ten times the largest recent delivery of {} ({})",
                line.item.sku,
                show(most)
            ))
        } else if quantity.base.saturating_mul(10) < least {
            Some(format!(
                "less than a tenth of the smallest recent delivery of {} ({})",
                line.item.sku,
                show(least)
            ))
        } else {
            None
        };
        if let Some(off) = off {
            accepted.cautions.push(format!(
                "{} is {off}: check the number",
                quantity.for_people(line.item.unit)
            ));
        }
    }
    accept(accepted)
}

fn done(
    state: &BenchState,
    ctx: &StepContext<'_>,
    receipt: &Receipt,
    world: &mut dyn World,
) -> Result<Outcome, WorldError> {
    let Some(line) = &receipt.line else {
        let mut next = state.clone();
        next.doc = Doc::None;
        return accept(Accepted::new(
            next,
            format!(
                "receipt from {} closed with {}",
                receipt.supplier_code,
                crate::counted(receipt.lots.len(), "lot"),
            ),
        ));
    };
    let (Some(supplier_lot), Some(quantity)) = (&line.supplier_lot, &line.quantity) else {
        let missing = match (&line.supplier_lot, &line.quantity) {
            (None, None) => "a supplier lot number and a quantity",
            (None, Some(_)) => "a supplier lot number",
            _ => "a quantity (weigh it or @QTY:<n>)",
        };
        return reject(format!("{} still needs {missing}", line.item.sku));
    };
    let invoice = receipt.invoice.clone().unwrap_or_default();
    let expiry = line.expiry.or_else(|| {
        line.item.shelf_life_days.and_then(|days| {
            ctx.today
                .checked_add(jiff::Span::new().days(i64::from(days)))
                .ok()
        })
    });
    let code = world.allocate_code(
        ctx.lot_format,
        CodeContext {
            prefix: line.item.prefix(),
            date: ctx.today,
        },
    )?;
    let mut next = state.clone();
    let mut accepted;
    {
        let Doc::Receipt(r) = &mut next.doc else {
            return reject("no receipt open");
        };
        r.line = None;
        r.lots.push(code.clone());
        let print = PrintRequest {
            label: LabelKind::Lot,
            code: code.clone(),
            copies: 1,
        };
        next.last_print = Some(print.clone());
        accepted = Accepted::new(
            next,
            format!(
                "lot {code} created: {} {}, supplier lot {supplier_lot}, {}",
                quantity.for_people(line.item.unit),
                line.item.sku,
                expiry_text(expiry)
            ),
        );
        accepted.effects.push(Effect::Print(print));
    }
    // the same supplier lot of the same item again: a second delivery, or a lot keyed twice
    let earlier = world.lots_by_supplier_lot(Some(&line.item.sku), supplier_lot)?;
    if !earlier.is_empty() {
        accepted.warnings.push(format!(
            "supplier lot {supplier_lot} of {} was received before as {}: its recall will cover both",
            line.item.sku,
            earlier
                .iter()
                .map(|l| l.code.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    accepted.records.push(Record::LotReceived {
        code: code.clone(),
        item_sku: line.item.sku.clone(),
        supplier_code: receipt.supplier_code.clone(),
        supplier_lot: supplier_lot.clone(),
        invoice,
        quantity: quantity.base,
        unit: line.item.unit,
        received_at: ctx.now,
        expiry,
        note: line.note.clone(),
    });
    if line.hold {
        accepted.records.push(Record::StatusChange {
            code: code.clone(),
            status: Status::Hold,
            reason: line
                .note
                .clone()
                .unwrap_or_else(|| "held on receipt".into()),
            at: ctx.now,
        });
        accepted.message.push_str(", ON HOLD");
    }
    if let Some(expiry) = expiry
        && expiry < ctx.today
    {
        accepted.warnings.push(format!(
            "lot {code} is already expired ({expiry}); it cannot be used in production"
        ));
    }
    accept(accepted)
}

fn cancel(state: &BenchState, receipt: &Receipt) -> Result<Outcome, WorldError> {
    let mut next = state.clone();
    if let Some(line) = &receipt.line {
        if let Doc::Receipt(r) = &mut next.doc {
            r.line = None;
        }
        return accept(Accepted::new(
            next,
            format!("dropped {}; nothing recorded", line.item.sku),
        ));
    }
    if !receipt.lots.is_empty() {
        return reject(format!(
            "{} lots are recorded on this receipt: @UNDO reverses the last one, @DONE closes the receipt",
            receipt.lots.len()
        ));
    }
    next.doc = Doc::None;
    accept(Accepted::new(
        next,
        format!(
            "receipt from {} dropped; nothing recorded",
            receipt.supplier_code
        ),
    ))
}

fn undo(
    state: &BenchState,
    ctx: &StepContext<'_>,
    receipt: &Receipt,
    world: &mut dyn World,
) -> Result<Outcome, WorldError> {
    let Some(code) = receipt.lots.last() else {
        return reject(
            "nothing recorded on this receipt to undo (@CANCEL drops the line being scanned)",
        );
    };
    if let Some(stock) = world.stock(code)?
        && stock.balance != stock.initial
    {
        return reject(format!(
            "lot {code} has already been used or written off; it cannot be undone here"
        ));
    }
    // its label is out: the first @UNDO says to take it off, the second voids the lot
    if receipt.undo_asked.as_deref() != Some(code.as_str()) {
        let mut next = state.clone();
        if let Doc::Receipt(r) = &mut next.doc {
            r.undo_asked = Some(code.clone());
        }
        return accept(Accepted::new(
            next,
            format!(
                "lot {code} was recorded and its label printed: take the label off the container, then scan @UNDO again to void the lot (any other scan keeps it)"
            ),
        ));
    }
    let mut next = state.clone();
    if let Doc::Receipt(r) = &mut next.doc {
        r.lots.pop();
        r.undo_asked = None;
    }
    let mut accepted = Accepted::new(
        next,
        format!("lot {code} undone: it is void and its code will not be reused"),
    );
    accepted.records.push(Record::Correction {
        target: CorrectionTarget::Lot { code: code.clone() },
        reason: "@UNDO at the receiving bench".into(),
        at: ctx.now,
    });
    accept(accepted)
}
