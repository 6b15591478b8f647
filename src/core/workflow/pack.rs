//! Packing (SPEC §5): order → customer (from the imported order, else `CUS:`) → one scan
//! per unit of a batch → `@DONE` records the shipment and prints its label.

use super::{
    Accepted, BenchState, Doc, Effect, LabelKind, Outcome, PrintRequest, Record, Resolved,
    ShipmentDoc, ShipmentLine, ShippedLine, StepContext, World, WorldError, accept, blocked,
    reject, resolve_code, scanned_stock,
};
use crate::core::codes::{CodeContext, Quantity, Unit};
use crate::core::scan::{Command, PrefixKind, Scan, ScanKind};
use crate::core::workflow::StockKind;

pub(super) fn step(
    state: &BenchState,
    ctx: &StepContext<'_>,
    scan: &Scan,
    world: &mut dyn World,
) -> Result<Outcome, WorldError> {
    let shipment = match &state.doc {
        Doc::Shipment(s) => s,
        _ => return no_order(state, scan, world),
    };
    match &scan.kind {
        ScanKind::Prefixed {
            kind: PrefixKind::Customer,
            value,
        } => set_customer(state, shipment, value, world),
        ScanKind::Prefixed {
            kind: PrefixKind::Order,
            value,
        } => {
            if shipment.lines.is_empty() {
                let mut cleared = state.clone();
                cleared.doc = Doc::None;
                return open_order(&cleared, value, world);
            }
            reject(format!(
                "order {} has units packed: @DONE to ship it or @CANCEL to take units off first",
                shipment.order_number
            ))
        }
        ScanKind::Prefixed { kind, value } => reject(format!(
            "{} {value} does not apply while packing",
            kind.noun()
        )),
        ScanKind::Command(Command::Qty(text)) => set_count(state, shipment, text),
        ScanKind::Command(Command::Done) => done(state, ctx, shipment, world),
        ScanKind::Command(Command::Cancel | Command::Undo) => {
            let mut next = state.clone();
            let Doc::Shipment(s) = &mut next.doc else {
                return reject("no order open");
            };
            match s.lines.pop() {
                Some(line) => accept(Accepted::new(
                    next,
                    format!(
                        "took {} × {} off order {}",
                        line.quantity, line.batch_code, shipment.order_number
                    ),
                )),
                None => {
                    next.doc = Doc::None;
                    accept(Accepted::new(
                        next,
                        format!("order {} dropped; nothing recorded", shipment.order_number),
                    ))
                }
            }
        }
        ScanKind::Command(c) => reject(format!("{} does not apply while packing", c.name())),
        ScanKind::Code(_) | ScanKind::Gs1(_) => add_unit(state, ctx, shipment, scan, world),
    }
}

fn no_order(state: &BenchState, scan: &Scan, world: &mut dyn World) -> Result<Outcome, WorldError> {
    match &scan.kind {
        ScanKind::Prefixed {
            kind: PrefixKind::Order,
            value,
        } => open_order(state, value, world),
        ScanKind::Code(text) => match resolve_code(text, world)? {
            Resolved::Unknown(_) => open_order(state, text, world),
            _ => reject(format!(
                "scan the order first; {text} is a label, not an order number"
            )),
        },
        ScanKind::Command(Command::Done) => reject("nothing to finish: scan the order first"),
        ScanKind::Command(Command::Cancel) => reject("nothing is open to cancel"),
        ScanKind::Command(Command::Undo) => reject("nothing to undo: no order is open"),
        _ => reject(format!(
            "scan the order first (ORD:... or the packing slip); got {}",
            scan.describe()
        )),
    }
}

fn open_order(
    state: &BenchState,
    number: &str,
    world: &mut dyn World,
) -> Result<Outcome, WorldError> {
    let order = world.order(number)?;
    if order.is_none()
        && let Some(shipment) = world.shipment(number)?
    {
        return reject(format!(
            "{number} is a shipment already made (order {}, customer {}, shipped {}): scan the order number to pack",
            shipment.order_number,
            shipment.customer_code,
            shipment.shipped_at.strftime("%Y-%m-%d %H:%M UTC")
        ));
    }
    let mut next = state.clone();
    let (customer_code, order_skus, message) = match order {
        Some(order) => {
            let name = world
                .customer(&order.customer_code)?
                .map(|c| c.name)
                .unwrap_or_else(|| order.customer_code.clone());
            let message = format!(
                "packing order {number} for {name} ({})",
                order.customer_code
            );
            (Some(order.customer_code), order.skus, message)
        }
        None => (
            None,
            Vec::new(),
            format!("packing order {number} (not in the imported orders)"),
        ),
    };
    next.doc = Doc::Shipment(ShipmentDoc {
        order_number: number.to_string(),
        customer_code,
        order_skus,
        lines: Vec::new(),
    });
    accept(Accepted::new(next, message))
}

fn set_customer(
    state: &BenchState,
    shipment: &ShipmentDoc,
    code: &str,
    world: &mut dyn World,
) -> Result<Outcome, WorldError> {
    let Some(customer) = world.customer(code)? else {
        return reject(format!(
            "unknown customer {code}: import it in customers.csv first"
        ));
    };
    if let Some(existing) = &shipment.customer_code
        && *existing != customer.code
    {
        return reject(format!(
            "order {} belongs to customer {existing}, not {}",
            shipment.order_number, customer.code
        ));
    }
    let mut next = state.clone();
    if let Doc::Shipment(s) = &mut next.doc {
        s.customer_code = Some(customer.code.clone());
    }
    accept(Accepted::new(
        next,
        format!(
            "order {} goes to {} ({})",
            shipment.order_number, customer.name, customer.code
        ),
    ))
}

fn add_unit(
    state: &BenchState,
    ctx: &StepContext<'_>,
    shipment: &ShipmentDoc,
    scan: &Scan,
    world: &mut dyn World,
) -> Result<Outcome, WorldError> {
    if shipment.customer_code.is_none() {
        return reject(format!(
            "order {} is not in the imported orders: scan the customer card (CUS:...) first",
            shipment.order_number
        ));
    }
    let stock = match scanned_stock(scan, world)? {
        Ok(stock) => stock,
        Err(reason) => return reject(reason),
    };
    if stock.kind == StockKind::Lot {
        return reject(format!(
            "{} is a lot of {} (a material); scan the batch label on the product",
            stock.code, stock.item.sku
        ));
    }
    if let Some(reason) = blocked(&stock, ctx.today) {
        return reject(format!("{reason}: do not ship it; put the unit aside"));
    }
    if !stock.closed {
        return reject(format!(
            "batch {} is not finished (no yield recorded): it cannot ship yet",
            stock.code
        ));
    }
    let unit_base = one_unit(stock.item.unit);
    let in_this_shipment: i64 = shipment
        .lines
        .iter()
        .filter(|l| l.batch_code == stock.code)
        .map(|l| l.quantity)
        .sum();
    if (in_this_shipment + 1) * unit_base > stock.balance && !ctx.allow_overdraw {
        return reject(format!(
            "batch {} has no units left to ship ({} left, {in_this_shipment} already in this box): check the label",
            stock.code,
            Quantity::from_base(stock.balance.max(0)).display_in(stock.item.unit)
        ));
    }
    let mut next = state.clone();
    let Doc::Shipment(s) = &mut next.doc else {
        return reject("no order open");
    };
    match s.lines.last_mut() {
        Some(last) if last.batch_code == stock.code => last.quantity += 1,
        _ => s.lines.push(ShipmentLine {
            batch_code: stock.code.clone(),
            product_sku: stock.item.sku.clone(),
            quantity: 1,
            unit_base,
            available: stock.balance / unit_base,
        }),
    }
    let count = in_this_shipment + 1;
    let mut accepted = Accepted::new(
        next,
        format!(
            "{} × {} ({}) on order {}",
            count, stock.code, stock.item.sku, shipment.order_number
        ),
    );
    if !shipment.order_skus.is_empty() && !shipment.order_skus.contains(&stock.item.sku) {
        accepted.warnings.push(format!(
            "{} is not on order {}",
            stock.item.sku, shipment.order_number
        ));
    }
    accept(accepted)
}

/// Shipment quantities count units: one piece, or one whole g / ml for bulk products.
fn one_unit(unit: Unit) -> i64 {
    match unit {
        Unit::Each => 1,
        other => Quantity::convert(
            crate::core::codes::Decimal {
                mantissa: 1,
                scale: 0,
            },
            other,
            other,
        )
        .map(|q| q.base)
        .unwrap_or(1),
    }
}

fn set_count(
    state: &BenchState,
    shipment: &ShipmentDoc,
    text: &str,
) -> Result<Outcome, WorldError> {
    let Some(last) = shipment.lines.last() else {
        return reject("scan a batch label first; @QTY sets how many of it");
    };
    let count = match Quantity::parse_for(text, Unit::Each) {
        Ok(q) => q.base,
        Err(e) => return reject(format!("@QTY:{text}: {e}")),
    };
    let elsewhere: i64 = shipment.lines[..shipment.lines.len() - 1]
        .iter()
        .filter(|l| l.batch_code == last.batch_code)
        .map(|l| l.quantity)
        .sum();
    if count + elsewhere > last.available {
        return reject(format!(
            "batch {} has only {} units left to ship",
            last.batch_code, last.available
        ));
    }
    let mut next = state.clone();
    if let Doc::Shipment(s) = &mut next.doc
        && let Some(l) = s.lines.last_mut()
    {
        l.quantity = count;
    }
    accept(Accepted::new(
        next,
        format!(
            "{count} × {} on order {}",
            last.batch_code, shipment.order_number
        ),
    ))
}

fn done(
    state: &BenchState,
    ctx: &StepContext<'_>,
    shipment: &ShipmentDoc,
    world: &mut dyn World,
) -> Result<Outcome, WorldError> {
    let Some(customer) = &shipment.customer_code else {
        return reject("scan the customer card (CUS:...) first");
    };
    if shipment.lines.is_empty() {
        return reject(format!(
            "nothing packed on order {}: scan batch labels, or @CANCEL",
            shipment.order_number
        ));
    }
    let code = world.allocate_code(
        ctx.shipment_format,
        CodeContext {
            prefix: "SHP",
            date: ctx.today,
        },
    )?;
    let units: i64 = shipment.lines.iter().map(|l| l.quantity).sum();
    let print = PrintRequest {
        label: LabelKind::Shipment,
        code: code.clone(),
        copies: 1,
    };
    let mut next = state.clone();
    next.doc = Doc::None;
    next.last_print = Some(print.clone());
    let mut accepted = Accepted::new(
        next,
        format!(
            "shipment {code} recorded: order {} to {customer}, {units} unit{} from {} batch line{}",
            shipment.order_number,
            if units == 1 { "" } else { "s" },
            shipment.lines.len(),
            if shipment.lines.len() == 1 { "" } else { "s" }
        ),
    );
    accepted.records.push(Record::Shipment {
        code,
        order_number: shipment.order_number.clone(),
        customer_code: customer.clone(),
        shipped_at: ctx.now,
        lines: shipment
            .lines
            .iter()
            .map(|l| ShippedLine {
                batch_code: l.batch_code.clone(),
                quantity: l.quantity * l.unit_base,
            })
            .collect(),
    });
    accepted.effects.push(Effect::Print(print));
    accept(accepted)
}
