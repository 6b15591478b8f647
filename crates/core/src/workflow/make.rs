//! Production (SPEC §5): product opens a batch (code assigned at open) → for each
//! ingredient, its lot or batch label then its quantity records a consumption →
//! `@YIELD` and `@DONE` close the batch and print its labels.

use super::{
    Accepted, BatchDoc, BatchLabels, BenchState, ConsumedLine, Doc, Effect, LabelKind,
    MAX_LABELS_PER_BATCH, Outcome, PendingInput, PrintRequest, Record, Resolved, StepContext,
    World, WorldError, accept, blocked, expiry_text, reject, resolve_code, resolve_gs1,
    scale_weight, scanned_stock,
};
use crate::codes::{CodeContext, Quantity, Unit};
use crate::scan::{Command, PrefixKind, Scan, ScanKind};
use crate::workflow::{CorrectionTarget, ItemKind, ItemView, StockKind};

pub(super) fn step(
    state: &BenchState,
    ctx: &StepContext<'_>,
    scan: &Scan,
    world: &mut dyn World,
) -> Result<Outcome, WorldError> {
    let batch = match &state.doc {
        Doc::Batch(b) => b,
        _ => return no_batch(state, ctx, scan, world),
    };
    match &scan.kind {
        ScanKind::Command(Command::Qty(text)) => {
            let Some(pending) = &batch.pending else {
                return reject("scan the ingredient's lot label first, then its quantity");
            };
            match Quantity::parse_for(text, pending.item.unit) {
                Ok(q) => quantity(state, ctx, q, world),
                Err(e) => reject(format!("@QTY:{text}: {e}")),
            }
        }
        ScanKind::Command(Command::Weigh) => match scale_weight(ctx) {
            Ok(q) => quantity(state, ctx, q, world),
            Err(reason) => reject(reason),
        },
        ScanKind::Command(Command::Yield(text)) => {
            match Quantity::parse_for(text, batch.product.unit) {
                Ok(q) => {
                    let mut next = state.clone();
                    if let Doc::Batch(b) = &mut next.doc {
                        b.yield_quantity = Some(q);
                        // the first yield is the plan when none was scanned
                        if b.planned.is_none() {
                            b.planned = Some(q);
                        }
                    }
                    let mut accepted = Accepted::new(
                        next,
                        format!(
                            "yield of {}: {}",
                            batch.code,
                            q.for_people(batch.product.unit)
                        ),
                    );
                    // a yield far from what was planned is likely a mis-keyed number
                    if let Some(plan) = batch.planned.filter(|p| p.base > 0)
                        && (q.base * 100 > plan.base * 120 || q.base * 100 < plan.base * 80)
                    {
                        accepted.cautions.push(format!(
                            "{} is far from the plan of {} ({:+} %): check the number",
                            q.for_people(batch.product.unit),
                            plan.for_people(batch.product.unit),
                            (i128::from(q.base) - i128::from(plan.base)) * 100
                                / i128::from(plan.base)
                        ));
                    }
                    accept(accepted)
                }
                Err(e) => reject(format!("@YIELD:{text}: {e}")),
            }
        }
        ScanKind::Command(Command::Plan(text)) => plan(state, batch, text),
        ScanKind::Command(Command::Done) => done(state, ctx, batch),
        ScanKind::Command(Command::Cancel) => cancel(state, ctx, batch),
        // what is in hand first: a lot waiting for its weight, as @CANCEL drops it
        ScanKind::Command(Command::Undo) if batch.pending.is_some() => cancel(state, ctx, batch),
        ScanKind::Command(Command::Undo) => undo(state, ctx, batch),
        ScanKind::Command(c) => reject(format!("{} does not apply while making a batch", c.name())),
        ScanKind::Prefixed {
            kind: PrefixKind::Note,
            value,
        } => {
            let mut next = state.clone();
            if let Doc::Batch(b) = &mut next.doc {
                b.note = Some(value.clone());
            }
            accept(Accepted::new(
                next,
                format!("note added to batch {}", batch.code),
            ))
        }
        ScanKind::Prefixed {
            kind: PrefixKind::Item,
            value,
        } => match world.item(value)? {
            // another product: a second batch while this one waits, once confirmed
            Some(item)
                if item.kind == ItemKind::Product && state.parked.len() < super::MAX_PARKED =>
            {
                let mut parked = state.clone();
                parked.parked.push(std::mem::take(&mut parked.doc));
                Ok(match no_batch(&parked, ctx, scan, world)? {
                    Outcome::Accepted(mut accepted) => {
                        accepted.message.push_str(&format!(
                            "; batch {} parked ({} resumes it)",
                            batch.code, batch.code
                        ));
                        accepted.cautions.push(format!(
                            "batch {} is open: {} starts another batch and parks it",
                            batch.code,
                            scan.describe()
                        ));
                        Outcome::Accepted(accepted)
                    }
                    other => other,
                })
            }
            _ => reject(format!(
                "batch {} is open; scan the lot label of the ingredient, not the item {value}",
                batch.code
            )),
        },
        ScanKind::Prefixed { kind, value } => reject(format!(
            "{} {value} does not apply while making a batch",
            kind.noun()
        )),
        ScanKind::Code(_) | ScanKind::Gs1(_) => ingredient(state, ctx, batch, scan, world),
    }
}

fn no_batch(
    state: &BenchState,
    ctx: &StepContext<'_>,
    scan: &Scan,
    world: &mut dyn World,
) -> Result<Outcome, WorldError> {
    let product = match &scan.kind {
        ScanKind::Prefixed {
            kind: PrefixKind::Item,
            value,
        } => match world.item(value)? {
            Some(item) => item,
            None => {
                return reject(format!(
                    "unknown item {value}: import it in items.csv first"
                ));
            }
        },
        ScanKind::Code(text) => match resolve_code(text, world)? {
            Resolved::Item(item) => item,
            Resolved::Stock(stock) => {
                return reject(format!(
                    "no batch is open: scan the product to make before its ingredients ({} is a {})",
                    stock.code,
                    stock.kind.noun()
                ));
            }
            _ => {
                return reject(format!(
                    "unknown product {text}: scan ITEM:<sku> or the product's barcode"
                ));
            }
        },
        ScanKind::Gs1(message) => match resolve_gs1(message, world)? {
            Resolved::Gs1 {
                item: Some(item), ..
            } => item,
            _ => return reject(format!("no product has the GTIN in {}", message.to_hri())),
        },
        ScanKind::Command(Command::Done) => {
            return reject("no batch is open: scan the product to make first");
        }
        ScanKind::Command(Command::Cancel) => return reject("nothing is open to cancel"),
        ScanKind::Command(Command::Undo) => {
            return reject(
                "nothing to undo: no batch is open (a batch already made: @VOID or @ADJUST, its label, NOTE:<reason>)",
            );
        }
        _ => {
            return reject(format!(
                "scan the product to make first; {} is not a product",
                scan.describe()
            ));
        }
    };
    if product.retired {
        return reject(format!(
            "{} ({}) is retired: it is no longer made (the owner brings it back on the items page)",
            product.sku, product.name
        ));
    }
    if product.kind != ItemKind::Product {
        return reject(format!(
            "{} ({}) is a material, not a product: scan the product to make",
            product.sku, product.name
        ));
    }
    let code = world.allocate_code(
        ctx.batch_format,
        CodeContext {
            prefix: product.prefix(),
            date: ctx.today,
        },
    )?;
    let recipe = world.recipe(&product.sku)?;
    let mut next = state.clone();
    let message = match &recipe {
        Some(r) => format!(
            "batch {code} opened: {} ({}); its recipe has {}: @PLAN:<n> (or @YIELD) for the amounts",
            product.name,
            product.sku,
            crate::counted(r.lines.len(), "ingredient"),
        ),
        None => format!("batch {code} opened: {} ({})", product.name, product.sku),
    };
    next.doc = Doc::Batch(BatchDoc {
        recipe,
        planned: None,
        code: code.clone(),
        product: product.clone(),
        opened_at: ctx.now,
        production_date: ctx.today,
        recorded: false,
        pending: None,
        lines: Vec::new(),
        yield_quantity: None,
        note: None,
    });
    accept(Accepted::new(next, message))
}

/// `@PLAN:<n>`: how much the batch is meant to make; with a recipe, its amounts for that.
fn plan(state: &BenchState, batch: &BatchDoc, text: &str) -> Result<Outcome, WorldError> {
    let planned = match Quantity::parse_for(text, batch.product.unit) {
        Ok(q) if q.base > 0 => q,
        Ok(_) => return reject(format!("@PLAN:{text}: plan more than nothing")),
        Err(e) => return reject(format!("@PLAN:{text}: {e}")),
    };
    let mut next = state.clone();
    if let Doc::Batch(b) = &mut next.doc {
        b.planned = Some(planned);
    }
    let amount = planned.for_people(batch.product.unit);
    let message = match &batch.recipe {
        Some(recipe) => format!(
            "plan for {}: {amount}: {}",
            batch.code,
            recipe
                .lines
                .iter()
                .map(|l| format!(
                    "{} {}",
                    Quantity::from_base(recipe.target(l, planned.base)).for_people(l.unit),
                    l.sku
                ))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        None => format!(
            "plan for {}: {amount} ({} has no recipe with a batch size: boms.csv's per column gives one)",
            batch.code, batch.product.sku
        ),
    };
    accept(Accepted::new(next, message))
}

fn ingredient(
    state: &BenchState,
    ctx: &StepContext<'_>,
    batch: &BatchDoc,
    scan: &Scan,
    world: &mut dyn World,
) -> Result<Outcome, WorldError> {
    if let ScanKind::Code(text) = &scan.kind
        && *text == batch.code
    {
        return reject(format!(
            "batch {} cannot be an ingredient of itself",
            batch.code
        ));
    }
    let stock = match scanned_stock(scan, world)? {
        Ok(stock) => stock,
        Err(reason) => return reject(reason),
    };
    if stock.code == batch.code {
        return reject(format!(
            "batch {} cannot be an ingredient of itself",
            batch.code
        ));
    }
    if let Some(reason) = blocked(&stock, batch.production_date) {
        return reject(format!("{reason}: not used; scan another lot"));
    }
    if stock.kind == StockKind::Batch && !stock.closed {
        return reject(format!(
            "batch {} is not finished yet (no yield recorded): close it before using it",
            stock.code
        ));
    }
    if stock.balance <= 0 && !ctx.allow_overdraw {
        return reject(format!(
            "{} {} is used up ({} left): scan another lot",
            stock.kind.noun(),
            stock.code,
            Quantity::from_base(stock.balance.max(0)).for_people(stock.item.unit)
        ));
    }
    let bom = world.bom(&batch.product.sku)?;
    let warning = (!bom.is_empty() && !bom.contains(&stock.item.sku)).then(|| {
        format!(
            "{} ({}) is not in the bill of materials of {}",
            stock.item.sku, stock.item.name, batch.product.sku
        )
    });
    let mut next = state.clone();
    let replaced = batch.pending.as_ref().map(|p| p.code.clone());
    if let Doc::Batch(b) = &mut next.doc {
        b.pending = Some(PendingInput {
            code: stock.code.clone(),
            kind: stock.kind,
            item: stock.item.clone(),
            balance: stock.balance,
            expiry: stock.expiry,
            warning: warning.clone(),
        });
    }
    let mut message = format!(
        "{} {}: {} ({}), {} left, {}",
        stock.kind.noun(),
        stock.code,
        stock.item.name,
        stock.item.sku,
        Quantity::from_base(stock.balance).for_people(stock.item.unit),
        expiry_text(stock.expiry)
    );
    if let Some(old) = replaced {
        message.push_str(&format!(" (instead of {old})"));
    }
    let mut accepted = Accepted::new(next, message);
    accepted.cautions.extend(warning);
    accept(accepted)
}

pub(super) fn quantity(
    state: &BenchState,
    ctx: &StepContext<'_>,
    quantity: Quantity,
    _world: &mut dyn World,
) -> Result<Outcome, WorldError> {
    let Doc::Batch(batch) = &state.doc else {
        return reject("no batch is open: scan the product to make first");
    };
    let Some(pending) = &batch.pending else {
        return reject("scan the ingredient's lot label first, then weigh it");
    };
    let unit = pending.item.unit;
    if quantity.base > pending.balance && !ctx.allow_overdraw {
        return reject(format!(
            "{} is more than the {} left of {} {}: check the weight, or scan another lot for the rest",
            quantity.for_people(unit),
            Quantity::from_base(pending.balance.max(0)).for_people(unit),
            pending.kind.noun(),
            pending.code
        ));
    }
    let line_no = batch.lines.iter().map(|l| l.line_no).max().unwrap_or(0) + 1;
    let mut next = state.clone();
    let mut records = Vec::new();
    if !batch.recorded {
        records.push(batch_opened(batch));
    }
    records.push(Record::Consumption {
        batch_code: batch.code.clone(),
        line_no,
        input_code: pending.code.clone(),
        input_kind: pending.kind,
        quantity: quantity.base,
        unit,
        warning: pending.warning.clone(),
    });
    if let Doc::Batch(b) = &mut next.doc {
        b.recorded = true;
        b.pending = None;
        b.lines.push(ConsumedLine {
            line_no,
            input_code: pending.code.clone(),
            sku: pending.item.sku.clone(),
            quantity,
            unit,
            expiry: pending.expiry,
            undone: false,
        });
    }
    let mut message = format!(
        "{} of {} {} used in {}",
        quantity.for_people(unit),
        pending.kind.noun(),
        pending.code,
        batch.code
    );
    // how far the ingredient now is from its target for the planned amount
    if let Doc::Batch(b) = &next.doc
        && let Some((line, target, weighed)) = b
            .targets()
            .into_iter()
            .find(|(l, _, _)| l.sku.eq_ignore_ascii_case(&pending.item.sku))
    {
        message.push_str(&format!(
            "; {} {} of {} planned: {}",
            line.sku,
            Quantity::from_base(weighed).for_people(line.unit),
            Quantity::from_base(target).for_people(line.unit),
            super::difference(weighed, target, line.unit)
        ));
    }
    let mut accepted = Accepted::new(next, message);
    accepted.records = records;
    accept(accepted)
}

fn batch_opened(batch: &BatchDoc) -> Record {
    Record::BatchOpened {
        code: batch.code.clone(),
        product_sku: batch.product.sku.clone(),
        opened_at: batch.opened_at,
        production_date: batch.production_date,
    }
}

/// The batch's expiry: the earliest of its ingredients' and its own shelf life.
fn batch_expiry(batch: &BatchDoc) -> Option<jiff::civil::Date> {
    let own = batch.product.shelf_life_days.and_then(|days| {
        batch
            .production_date
            .checked_add(jiff::Span::new().days(i64::from(days)))
            .ok()
    });
    batch
        .active_lines()
        .filter_map(|l| l.expiry)
        .chain(own)
        .min()
}

fn label_copies(ctx: &StepContext<'_>, product: &ItemView, yield_quantity: Quantity) -> u32 {
    match ctx.batch_labels {
        BatchLabels::Fixed(n) => n,
        BatchLabels::PerUnit if product.unit == Unit::Each => u32::try_from(yield_quantity.base)
            .unwrap_or(u32::MAX)
            .clamp(1, MAX_LABELS_PER_BATCH),
        BatchLabels::PerUnit => 1,
    }
}

fn done(
    state: &BenchState,
    ctx: &StepContext<'_>,
    batch: &BatchDoc,
) -> Result<Outcome, WorldError> {
    if let Some(pending) = &batch.pending {
        return reject(format!(
            "{} is waiting for its quantity: weigh it or @QTY:<n>, or @CANCEL to drop it",
            pending.code
        ));
    }
    let Some(yield_quantity) = batch.yield_quantity else {
        return reject(format!(
            "scan @YIELD:<n> first: how much of {} did {} make?",
            batch.product.sku, batch.code
        ));
    };
    // the recipe for the planned amount: a missing ingredient or one off by more than the
    // tolerance is a warning, and the batch closes once it is confirmed
    let tolerance = i128::from(ctx.recipe_tolerance_percent);
    let off: Vec<String> = batch
        .targets()
        .into_iter()
        .filter_map(|(line, target, weighed)| {
            let planned = Quantity::from_base(target).for_people(line.unit);
            if weighed == 0 && target > 0 {
                return Some(format!("{} missing ({planned} planned)", line.sku));
            }
            let gap = i128::from((weighed - target).abs());
            (gap * 100 > tolerance * i128::from(target)).then(|| {
                format!(
                    "{} {} of {planned} ({})",
                    line.sku,
                    Quantity::from_base(weighed).for_people(line.unit),
                    super::difference(weighed, target, line.unit)
                )
            })
        })
        .collect();
    let recipe_off = (!off.is_empty()).then(|| {
        format!(
            "the recipe of {} for {} is not followed (tolerance {} %): {}; weigh the rest, or close it as it is",
            batch.product.sku,
            batch
                .planned
                .map(|p| p.for_people(batch.product.unit))
                .unwrap_or_default(),
            ctx.recipe_tolerance_percent,
            off.join("; ")
        )
    });
    let expiry = batch_expiry(batch);
    let copies = label_copies(ctx, &batch.product, yield_quantity);
    let print = PrintRequest {
        label: LabelKind::Batch,
        code: batch.code.clone(),
        copies,
    };
    let mut next = state.clone();
    next.doc = Doc::None;
    next.last_print = Some(print.clone());
    let lines = batch.active_lines().count();
    let mut accepted = Accepted::new(
        next,
        format!(
            "batch {} closed: {} {} from {}, {}; printing {}",
            batch.code,
            yield_quantity.for_people(batch.product.unit),
            batch.product.sku,
            crate::counted(lines, "ingredient line"),
            expiry_text(expiry),
            crate::counted(copies, "label"),
        ),
    );
    if !batch.recorded {
        accepted.records.push(batch_opened(batch));
    }
    accepted.records.push(Record::BatchClosed {
        code: batch.code.clone(),
        yield_quantity: yield_quantity.base,
        unit: batch.product.unit,
        expiry,
        closed_at: ctx.now,
        note: batch.note.clone(),
    });
    accepted.effects.push(Effect::Print(print));
    accepted.cautions.extend(recipe_off);
    if lines == 0 {
        accepted
            .warnings
            .push(format!("batch {} has no ingredients recorded", batch.code));
    }
    accept(accepted)
}

fn cancel(
    state: &BenchState,
    ctx: &StepContext<'_>,
    batch: &BatchDoc,
) -> Result<Outcome, WorldError> {
    let mut next = state.clone();
    if let Some(pending) = &batch.pending {
        if let Doc::Batch(b) = &mut next.doc {
            b.pending = None;
        }
        return accept(Accepted::new(
            next,
            format!("dropped {}; nothing recorded", pending.code),
        ));
    }
    if batch.active_lines().next().is_some() {
        return reject(format!(
            "batch {} has recorded ingredients: @UNDO reverses the last one; @YIELD:<n> and @DONE close it",
            batch.code
        ));
    }
    next.doc = Doc::None;
    if batch.recorded {
        // every line was undone: the batch record exists and is closed off by a correction
        let mut accepted = Accepted::new(
            next,
            format!("batch {} abandoned (all lines were undone)", batch.code),
        );
        accepted.records.push(Record::Correction {
            target: CorrectionTarget::Batch {
                code: batch.code.clone(),
            },
            reason: "@CANCEL after all lines were undone".into(),
            at: ctx.now,
        });
        return accept(accepted);
    }
    accept(Accepted::new(
        next,
        format!(
            "batch {} dropped; nothing recorded (the code is not reused)",
            batch.code
        ),
    ))
}

fn undo(
    state: &BenchState,
    ctx: &StepContext<'_>,
    batch: &BatchDoc,
) -> Result<Outcome, WorldError> {
    let Some(line) = batch.active_lines().last().cloned() else {
        return reject(format!(
            "nothing recorded in batch {} to undo (@CANCEL drops a lot waiting for its weight)",
            batch.code
        ));
    };
    let mut next = state.clone();
    if let Doc::Batch(b) = &mut next.doc
        && let Some(l) = b.lines.iter_mut().find(|l| l.line_no == line.line_no)
    {
        l.undone = true;
    }
    let mut accepted = Accepted::new(
        next,
        format!(
            "undone: {} of {} no longer counts in {}",
            line.quantity.for_people(line.unit),
            line.input_code,
            batch.code
        ),
    );
    accepted.records.push(Record::Correction {
        target: CorrectionTarget::Consumption {
            batch_code: batch.code.clone(),
            line_no: line.line_no,
        },
        reason: "@UNDO at the production bench".into(),
        at: ctx.now,
    });
    accept(accepted)
}
