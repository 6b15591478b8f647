//! Packing (SPEC §5): order → customer (from the imported order, else `CUS:`) → one scan
//! per unit of a batch → `@DONE` records the shipment and prints its label. A product
//! kept in a unit of mass or volume is packed by weight: each scan of its batch label is
//! one pack, weighed (`@WEIGH`, or the scale settling) or given (`@QTY:750g`, or a GS1
//! label's net weight in the same scan); an order line of it is filled within the bench's
//! `pack_tolerance_percent`.

use super::{
    Accepted, BenchState, Doc, Effect, LabelKind, OrderLineDoc, Outcome, PrintRequest, Record,
    Resolved, ShipmentDoc, ShipmentLine, ShippedLine, StepContext, World, WorldError, accept,
    blocked, reject, resolve_code, scale_weight, scanned_stock,
};
use crate::codes::{CodeContext, Dimension, Quantity, Unit};
use crate::scan::{Command, PrefixKind, Scan, ScanKind};
use crate::workflow::StockKind;

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
        } if shipment.confirm_repack && *value == shipment.order_number => {
            confirm_repack(state, shipment)
        }
        ScanKind::Code(text) if shipment.confirm_repack && *text == shipment.order_number => {
            confirm_repack(state, shipment)
        }
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
        ScanKind::Command(Command::Qty(text)) => match shipment.lines.last() {
            Some(last) if last.pack => {
                let unit = world
                    .item(&last.product_sku)?
                    .map_or(Unit::Each, |i| i.unit);
                match Quantity::parse_for(text, unit) {
                    Ok(amount) => weigh_pack(state, ctx, shipment, amount, unit.dimension(), unit),
                    Err(e) => reject(format!("@QTY:{text}: {e}")),
                }
            }
            _ => set_count(state, ctx, shipment, text, world),
        },
        ScanKind::Command(Command::Weigh) => match shipment.lines.last() {
            Some(last) if last.pack => match scale_weight(ctx) {
                Ok(weight) => {
                    let unit = world
                        .item(&last.product_sku)?
                        .map_or(Unit::Each, |i| i.unit);
                    weigh_pack(state, ctx, shipment, weight, Dimension::Mass, unit)
                }
                Err(reason) => reject(reason),
            },
            Some(last) => reject(format!(
                "{} is counted in units, not weighed: scan each unit, or @QTY:<count>",
                last.product_sku
            )),
            None => reject("scan the batch label of what you pack first, then @WEIGH"),
        },
        ScanKind::Command(Command::Done) => done(state, ctx, shipment, world),
        ScanKind::Command(Command::Cancel | Command::Undo) => {
            let mut next = state.clone();
            let Doc::Shipment(s) = &mut next.doc else {
                return reject("no order open");
            };
            match s.lines.pop() {
                Some(line) if line.pack => accept(Accepted::new(
                    next,
                    format!(
                        "took the pack of {} ({}) off order {}",
                        line.batch_code,
                        if line.unit_base > 0 {
                            Quantity::from_base(line.unit_base).for_people(
                                world
                                    .item(&line.product_sku)?
                                    .map_or(Unit::Each, |i| i.unit),
                            )
                        } else {
                            "not weighed".to_string()
                        },
                        shipment.order_number
                    ),
                )),
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
        ScanKind::Command(Command::Undo) => reject(
            "nothing to undo: no order is open (a shipment already made: @VOID, its label, NOTE:<reason>)",
        ),
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
    let mut confirm_repack = false;
    // unpaid or partly refunded: a probable mistake, packed once confirmed
    let unsettled = order
        .as_ref()
        .filter(|o| matches!(o.status.as_str(), "unpaid" | "partly refunded"))
        .map(|o| {
            format!(
                "order {} is {} in {}: pack it only if the shop says so",
                o.number,
                o.status,
                if o.shop.is_empty() {
                    "the shop"
                } else {
                    o.shop.as_str()
                }
            )
        });
    if let Some(order) = &order
        && !matches!(order.status.as_str(), "open" | "unpaid" | "partly refunded")
    {
        let shop = if order.shop.is_empty() {
            "the shop"
        } else {
            order.shop.as_str()
        };
        if order.status == "shipped elsewhere" {
            return reject(format!(
                "order {} was fulfilled in {shop} already (shipped elsewhere): do not pack it (to pack it here, import the shop's orders again with --include-fulfilled)",
                order.number
            ));
        }
        return reject(format!(
            "order {} was {} in {shop}: do not pack it (if it is wanted after all, import the shop's orders again once it is reopened there)",
            order.number, order.status
        ));
    }
    // the number as the order has it (`#1001` found by scanning `1001`)
    let number = order
        .as_ref()
        .map_or(number, |o| o.number.as_str())
        .to_string();
    let number = number.as_str();
    let mut customer_name = None;
    let (customer_code, order_skus, order_lines, message) = match order {
        Some(order) => {
            let name = world
                .customer(&order.customer_code)?
                .map(|c| c.name)
                .unwrap_or_else(|| order.customer_code.clone());
            customer_name = Some(name.clone());
            let mut lines: Vec<OrderLineDoc> = Vec::with_capacity(order.lines.len());
            for l in &order.lines {
                lines.push(OrderLineDoc {
                    sku: l.sku.clone(),
                    ordered: l.ordered,
                    shipped: l.shipped,
                    unit: world.item(&l.sku)?.map_or(Unit::Each, |i| i.unit),
                });
            }
            let listed = describe_lines(&lines);
            confirm_repack = !lines.is_empty() && lines.iter().all(|l| l.shipped >= l.ordered);
            let message = if confirm_repack {
                format!(
                    "order {number} for {name} ({}) was shipped in full already ({}): scan the order again to pack it anyway, or @CANCEL",
                    order.customer_code,
                    order.shipments.join(", ")
                )
            } else {
                // what the buyer asked for and how it goes out, for the packer to see
                let mut asked = String::new();
                if !order.note.is_empty() {
                    asked.push_str(&format!("; the buyer's note: {}", order.note));
                }
                if !order.shipping.is_empty() {
                    asked.push_str(&format!("; shipping: {}", order.shipping));
                }
                format!(
                    "packing order {number} for {name} ({}): {listed}{asked}",
                    order.customer_code
                )
            };
            let skus = lines.iter().map(|l| l.sku.clone()).collect();
            (Some(order.customer_code), skus, lines, message)
        }
        None => (
            None,
            Vec::new(),
            Vec::new(),
            format!("packing order {number} (not in the imported orders)"),
        ),
    };
    next.doc = Doc::Shipment(ShipmentDoc {
        order_number: number.to_string(),
        customer_code,
        customer_name,
        order_skus,
        lines: Vec::new(),
        order_lines,
        confirm_repack,
    });
    let mut accepted = Accepted::new(next, message);
    accepted.cautions.extend(unsettled);
    accept(accepted)
}

/// An order's lines as a packer reads them: `2 × SOAP (1 shipped before), 500 g BLEND`.
fn describe_lines(lines: &[OrderLineDoc]) -> String {
    let mut parts = Vec::new();
    for line in lines {
        let amount = |base: i64| match line.unit {
            Unit::Each => format!("{base} ×"),
            other => Quantity::from_base(base).for_people(other),
        };
        let mut part = format!("{} {}", amount(line.ordered), line.sku);
        if line.shipped > 0 {
            part.push_str(&format!(
                " ({} shipped before)",
                amount(line.shipped).trim_end_matches(" ×")
            ));
        }
        parts.push(part);
    }
    if parts.is_empty() {
        "no lines on the imported order".to_string()
    } else {
        parts.join(", ")
    }
}

/// `percent` of `amount` (base units), rounded down.
fn within(amount: i64, percent: u32) -> i64 {
    (i128::from(amount) * i128::from(percent) / 100) as i64
}

/// What of each order line this box and earlier shipments leave unshipped: a line of a
/// product sold by weight or volume is filled within `tolerance` percent of it.
fn still_to_ship(shipment: &ShipmentDoc, tolerance: u32) -> Vec<OrderLineDoc> {
    shipment
        .order_lines
        .iter()
        .filter_map(|line| {
            let left = line.ordered - line.shipped - packed_of(shipment, &line.sku);
            let slack = match line.unit {
                Unit::Each => 0,
                _ => within(line.ordered, tolerance),
            };
            (left > slack).then(|| OrderLineDoc {
                sku: line.sku.clone(),
                ordered: left,
                shipped: 0,
                unit: line.unit,
            })
        })
        .collect()
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
    if customer.retired {
        return reject(format!(
            "customer {} ({}) is retired: nothing is packed for them (the owner brings them back on the customers page)",
            customer.code, customer.name
        ));
    }
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
        s.customer_name = Some(customer.name.clone());
    }
    accept(Accepted::new(
        next,
        format!(
            "order {} goes to {} ({})",
            shipment.order_number, customer.name, customer.code
        ),
    ))
}

/// The packer scanned an order shipped in full again: they mean it (a re-pack).
fn confirm_repack(state: &BenchState, shipment: &ShipmentDoc) -> Result<Outcome, WorldError> {
    let mut next = state.clone();
    if let Doc::Shipment(s) = &mut next.doc {
        s.confirm_repack = false;
    }
    let mut accepted = Accepted::new(
        next,
        format!("packing order {} again", shipment.order_number),
    );
    accepted.warnings.push(format!(
        "order {} was shipped in full already: this box ships more than it asked for",
        shipment.order_number
    ));
    accept(accepted)
}

fn add_unit(
    state: &BenchState,
    ctx: &StepContext<'_>,
    shipment: &ShipmentDoc,
    scan: &Scan,
    world: &mut dyn World,
) -> Result<Outcome, WorldError> {
    if shipment.confirm_repack {
        return reject(format!(
            "order {0} was shipped in full already: scan ORD:{0} again to pack it anyway, or @CANCEL",
            shipment.order_number
        ));
    }
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
    if stock.item.unit != Unit::Each {
        return add_pack(state, ctx, shipment, scan, &stock);
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
            Quantity::from_base(stock.balance.max(0)).for_people(stock.item.unit)
        ));
    }
    let mut next = state.clone();
    let Doc::Shipment(s) = &mut next.doc else {
        return reject("no order open");
    };
    match s.lines.last_mut() {
        Some(last) if last.batch_code == stock.code && !last.pack => last.quantity += 1,
        _ => s.lines.push(ShipmentLine {
            batch_code: stock.code.clone(),
            product_sku: stock.item.sku.clone(),
            quantity: 1,
            unit_base,
            available: stock.balance / unit_base,
            pack: false,
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
        accepted.cautions.push(format!(
            "{} is not on order {}",
            stock.item.sku, shipment.order_number
        ));
    }
    if let Doc::Shipment(packed) = &accepted.state.doc
        && let Some(warning) = over_packed(packed, &stock.item.sku, stock.item.unit, 0)
    {
        accepted.cautions.push(warning);
    }
    accept(accepted)
}

/// A batch label of a product sold by weight or volume: one pack, to be weighed, or
/// weighed already when the label carries its net weight (GS1 (310n), (320n), (315n)).
fn add_pack(
    state: &BenchState,
    ctx: &StepContext<'_>,
    shipment: &ShipmentDoc,
    scan: &Scan,
    stock: &super::StockView,
) -> Result<Outcome, WorldError> {
    if let Some(pending) = shipment.lines.last().filter(|l| l.pack && l.unit_base == 0) {
        return reject(format!(
            "weigh the pack of {} first (@WEIGH or @QTY:<amount>), or @UNDO it",
            pending.batch_code
        ));
    }
    let mut next = state.clone();
    let Doc::Shipment(s) = &mut next.doc else {
        return reject("no order open");
    };
    s.lines.push(ShipmentLine {
        batch_code: stock.code.clone(),
        product_sku: stock.item.sku.clone(),
        quantity: 1,
        unit_base: 0,
        available: stock.balance,
        pack: true,
    });
    let Doc::Shipment(opened) = &next.doc else {
        return reject("no order open");
    };
    // a GS1 label with the pack's net weight or volume: weighed in the same scan
    if let ScanKind::Gs1(message) = &scan.kind
        && let Some((amount, dimension)) = message.net_quantity()
    {
        if dimension != stock.item.unit.dimension() {
            return reject(format!(
                "the label states a net {} and {} is kept in {}: scan @QTY:<amount>",
                dimension.noun(),
                stock.item.sku,
                stock.item.unit
            ));
        }
        return weigh_pack(&next, ctx, opened, amount, dimension, stock.item.unit);
    }
    let mut accepted = Accepted::new(
        next.clone(),
        format!(
            "a pack of {} ({}) on order {}: weigh it (@WEIGH) or scan @QTY:<amount>",
            stock.code, stock.item.sku, shipment.order_number
        ),
    );
    if !shipment.order_skus.is_empty() && !shipment.order_skus.contains(&stock.item.sku) {
        accepted.cautions.push(format!(
            "{} is not on order {}",
            stock.item.sku, shipment.order_number
        ));
    }
    accept(accepted)
}

/// The open pack's amount (a weighing, `@QTY`, a label's net weight): checked against
/// what the batch has left, then the pack is ready to ship.
fn weigh_pack(
    state: &BenchState,
    ctx: &StepContext<'_>,
    shipment: &ShipmentDoc,
    amount: Quantity,
    of: Dimension,
    unit: Unit,
) -> Result<Outcome, WorldError> {
    let Some(last) = shipment.lines.last().filter(|l| l.pack) else {
        return reject("scan the batch label of the pack first");
    };
    if amount.base <= 0 {
        return reject(format!(
            "a pack must hold something: {} is not an amount to ship",
            amount.for_people(unit)
        ));
    }
    if of != unit.dimension() {
        return reject(format!(
            "{} is kept in {unit}: a {} cannot be packed as it (scan @QTY:<amount> in {unit})",
            last.product_sku,
            of.noun()
        ));
    }
    let elsewhere: i64 = shipment.lines[..shipment.lines.len() - 1]
        .iter()
        .filter(|l| l.batch_code == last.batch_code)
        .map(|l| l.quantity * l.unit_base)
        .sum();
    if elsewhere + amount.base > last.available && !ctx.allow_overdraw {
        let in_box = if elsewhere > 0 {
            format!(
                " ({} already in this box)",
                Quantity::from_base(elsewhere).for_people(unit)
            )
        } else {
            String::new()
        };
        return reject(format!(
            "batch {} has {} left to ship{in_box}: this pack does not fit it; check the label and the scale",
            last.batch_code,
            Quantity::from_base(last.available.max(0)).for_people(unit),
        ));
    }
    let mut next = state.clone();
    let Doc::Shipment(s) = &mut next.doc else {
        return reject("no order open");
    };
    let Some(pack) = s.lines.last_mut() else {
        return reject("no pack open");
    };
    pack.unit_base = amount.base;
    let warning = over_packed(s, &last.product_sku, unit, ctx.pack_tolerance_percent);
    let mut accepted = Accepted::new(
        next,
        format!(
            "{} of {} ({}) packed on order {}",
            amount.for_people(unit),
            last.batch_code,
            last.product_sku,
            shipment.order_number
        ),
    );
    accepted.cautions.extend(warning);
    accept(accepted)
}

/// A settled weight on the packing bench's scale: the open pack's, if one waits for it.
pub(super) fn weighed(
    state: &BenchState,
    ctx: &StepContext<'_>,
    weight: Quantity,
    world: &mut dyn World,
) -> Result<Outcome, WorldError> {
    let Doc::Shipment(shipment) = &state.doc else {
        return reject("no quantity is wanted right now");
    };
    match shipment.lines.last() {
        Some(last) if last.pack && last.unit_base == 0 => {
            let unit = world
                .item(&last.product_sku)?
                .map_or(Unit::Each, |i| i.unit);
            weigh_pack(state, ctx, shipment, weight, Dimension::Mass, unit)
        }
        _ => reject("no pack waits for a weight: scan its batch label first"),
    }
}

/// How much of `sku` this box holds (base units).
fn packed_of(shipment: &ShipmentDoc, sku: &str) -> i64 {
    shipment
        .lines
        .iter()
        .filter(|l| l.product_sku.eq_ignore_ascii_case(sku))
        .map(|l| l.quantity * l.unit_base)
        .sum()
}

/// A box holding more of an order line than the order still asks for (beyond
/// `tolerance` percent of it for a product sold by weight or volume), in words.
fn over_packed(shipment: &ShipmentDoc, sku: &str, unit: Unit, tolerance: u32) -> Option<String> {
    let line = shipment
        .order_lines
        .iter()
        .find(|l| l.sku.eq_ignore_ascii_case(sku))?;
    let packed = packed_of(shipment, sku);
    let amount = |base: i64| match unit {
        Unit::Each => base.to_string(),
        other => Quantity::from_base(base).for_people(other),
    };
    let allowed = if unit == Unit::Each {
        line.ordered
    } else {
        line.ordered + within(line.ordered, tolerance)
    };
    (line.shipped + packed > allowed).then(|| {
        format!(
            "order {} asks for {} {}{}: this box now has {}",
            shipment.order_number,
            amount(line.ordered),
            if unit == Unit::Each {
                format!("× {}", line.sku)
            } else {
                format!("of {}", line.sku)
            },
            if line.shipped > 0 {
                format!(" ({} shipped before)", amount(line.shipped))
            } else {
                String::new()
            },
            amount(packed)
        )
    })
}

/// Shipment quantities count units: one piece, or one whole g / ml for bulk products.
fn one_unit(unit: Unit) -> i64 {
    match unit {
        Unit::Each => 1,
        other => Quantity::convert(
            crate::codes::Decimal {
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
    ctx: &StepContext<'_>,
    shipment: &ShipmentDoc,
    text: &str,
    world: &mut dyn World,
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
    let mut warning = None;
    if let Doc::Shipment(s) = &mut next.doc
        && let Some(l) = s.lines.last_mut()
    {
        l.quantity = count;
        let sku = l.product_sku.clone();
        let unit = world.item(&sku)?.map_or(Unit::Each, |i| i.unit);
        warning = over_packed(s, &sku, unit, ctx.pack_tolerance_percent);
    }
    let mut accepted = Accepted::new(
        next,
        format!(
            "{count} × {} on order {}",
            last.batch_code, shipment.order_number
        ),
    );
    accepted.cautions.extend(warning);
    accept(accepted)
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
    if let Some(pending) = shipment.lines.iter().find(|l| l.pack && l.unit_base == 0) {
        return reject(format!(
            "weigh the pack of {} first (@WEIGH or @QTY:<amount>), or @UNDO it",
            pending.batch_code
        ));
    }
    let code = world.allocate_code(
        ctx.shipment_format,
        CodeContext {
            prefix: "SHP",
            date: ctx.today,
        },
    )?;
    // what the box holds: units counted, packs by their product's amount
    let units: i64 = shipment
        .lines
        .iter()
        .filter(|l| !l.pack)
        .map(|l| l.quantity)
        .sum();
    let mut contents = Vec::new();
    if units > 0 || shipment.lines.iter().all(|l| !l.pack) {
        contents.push(crate::counted(units, "unit"));
    }
    let mut packed: Vec<(String, Unit, i64, usize)> = Vec::new();
    for line in shipment.lines.iter().filter(|l| l.pack) {
        match packed.iter_mut().find(|p| p.0 == line.product_sku) {
            Some(p) => {
                p.2 += line.unit_base;
                p.3 += 1;
            }
            None => {
                let unit = world
                    .item(&line.product_sku)?
                    .map_or(Unit::Each, |i| i.unit);
                packed.push((line.product_sku.clone(), unit, line.unit_base, 1));
            }
        }
    }
    for (sku, unit, amount, packs) in &packed {
        contents.push(format!(
            "{} of {sku} in {}",
            Quantity::from_base(*amount).for_people(*unit),
            crate::counted(*packs, "pack")
        ));
    }
    let print = PrintRequest {
        label: LabelKind::Shipment,
        code: code.clone(),
        copies: 1,
    };
    let mut next = state.clone();
    next.doc = Doc::None;
    next.last_print = Some(print.clone());
    let mut message = format!(
        "shipment {code} recorded: order {} to {customer}, {} from {}",
        shipment.order_number,
        contents.join(" and "),
        crate::counted(shipment.lines.len(), "batch line"),
    );
    // a short box is a partial shipment: say what the order still waits for
    let short = still_to_ship(shipment, ctx.pack_tolerance_percent);
    if !short.is_empty() {
        message.push_str(&format!(
            "; SHORT: order {} still waits for {}",
            shipment.order_number,
            describe_lines(&short)
        ));
    }
    let mut accepted = Accepted::new(next, message);
    accepted.records.push(Record::Shipment {
        code: code.clone(),
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
    // a label for each weighed pack, named by the shipment and its line
    for (i, line) in shipment.lines.iter().enumerate() {
        if line.pack {
            accepted.effects.push(Effect::Print(PrintRequest {
                label: LabelKind::Pack,
                code: format!("{code}/{}", i + 1),
                copies: 1,
            }));
        }
    }
    accept(accepted)
}
