//! The records in memory: a `World` that needs no database, for the workflows' own unit
//! tests (each case runs in microseconds) and for anything that wants to step a bench
//! without storage. It holds master data as it is given and the records as `apply` hands
//! them over, and answers every question as the store does over its tables: balances and
//! statuses derived from the records at the time they are asked, corrections read through
//! (a voided shipment ships nothing, a voided consumption consumes nothing), codes issued
//! once. The simulation tests keep checking the store's answers on both backends.

use std::collections::{BTreeSet, HashMap};

use super::correct::AdjustField;
use super::{
    CorrectionTarget, ExpectedReceipt, ItemView, OrderLineView, OrderView, PartyView, Recipe,
    RecipeLine, Record, ShipmentView, Status, StockKind, StockView, World, WorldError,
};
use crate::codes::{CodeContext, CodeFormat, Gtin};

/// An order as imported: its lines in the order given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemoryOrder {
    pub number: String,
    pub customer_code: String,
    /// (SKU, quantity in base units)
    pub lines: Vec<(String, i64)>,
    /// the shop's name as a person says it (`Shopify`; "" for our own orders)
    pub shop: String,
    /// open, cancelled or refunded
    pub status: String,
}

/// One line of a product's bill of materials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BomLine {
    pub product_sku: String,
    pub material_sku: String,
    /// base units of the material for `per` of the product
    pub quantity: i64,
    /// how much product the line is for; none for a plain list of materials
    pub per: Option<i64>,
}

/// A lot a supplier's shipping notice announced.
#[derive(Debug, Clone)]
pub struct Announced {
    pub supplier_code: String,
    pub supplier_lot: String,
    pub item_sku: String,
    pub quantity: i64,
    pub expiry: Option<jiff::civil::Date>,
}

/// Master data and records, in memory.
#[derive(Debug, Clone, Default)]
pub struct MemoryWorld {
    pub items: Vec<ItemView>,
    pub suppliers: Vec<PartyView>,
    pub customers: Vec<PartyView>,
    pub orders: Vec<MemoryOrder>,
    pub boms: Vec<BomLine>,
    pub announced: Vec<Announced>,
    /// every record applied, in order
    records: Vec<Record>,
    /// every code issued, whether or not its document was made
    issued: BTreeSet<String>,
    counters: HashMap<String, i64>,
}

fn same(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

impl MemoryWorld {
    /// Records what an accepted step committed.
    pub fn apply(&mut self, records: &[Record]) {
        self.records.extend(records.iter().cloned());
    }

    /// Every record applied so far, in order.
    pub fn records(&self) -> &[Record] {
        &self.records
    }

    /// Whether `code` was ever issued.
    pub fn issued(&self, code: &str) -> bool {
        self.issued.contains(code)
    }

    fn corrected(&self, wanted: impl Fn(&CorrectionTarget) -> bool) -> bool {
        self.records.iter().any(|r| match r {
            Record::Correction { target, .. } => wanted(target),
            _ => false,
        })
    }

    fn consumption_live(&self, batch: &str, line: u32) -> bool {
        !self.corrected(|t| {
            matches!(t, CorrectionTarget::Consumption { batch_code, line_no }
                if batch_code == batch && *line_no == line)
        })
    }

    fn shipment_live(&self, code: &str) -> bool {
        !self.corrected(|t| matches!(t, CorrectionTarget::Shipment { code: c } if c == code))
    }

    fn product_of(&self, batch: &str) -> Option<&str> {
        self.records.iter().find_map(|r| match r {
            Record::BatchOpened {
                code, product_sku, ..
            } if code == batch => Some(product_sku.as_str()),
            _ => None,
        })
    }

    fn view(&self, code: &str) -> Result<Option<StockView>, WorldError> {
        let lot = self.records.iter().find_map(|r| match r {
            Record::LotReceived {
                code: c,
                item_sku,
                quantity,
                expiry,
                supplier_lot,
                ..
            } if c == code => Some((item_sku, *quantity, *expiry, supplier_lot)),
            _ => None,
        });
        let (kind, sku, initial, expiry, supplier_lot, closed) = match lot {
            Some((sku, quantity, expiry, supplier_lot)) => (
                StockKind::Lot,
                sku.clone(),
                quantity,
                expiry,
                Some(supplier_lot.clone()),
                true,
            ),
            None => {
                let Some(sku) = self.product_of(code) else {
                    return Ok(None);
                };
                let closure = self.records.iter().find_map(|r| match r {
                    Record::BatchClosed {
                        code: c,
                        yield_quantity,
                        expiry,
                        ..
                    } if c == code => Some((*yield_quantity, *expiry)),
                    _ => None,
                });
                (
                    StockKind::Batch,
                    sku.to_string(),
                    closure.map_or(0, |c| c.0),
                    closure.and_then(|c| c.1),
                    None,
                    closure.is_some(),
                )
            }
        };
        let item = self
            .items
            .iter()
            .find(|i| same(&i.sku, &sku))
            .cloned()
            .ok_or_else(|| {
                WorldError(format!(
                    "{} {code} names item {sku}, which is not in the items",
                    kind.noun()
                ))
            })?;
        let (mut consumed, mut wasted, mut shipped, mut counted, mut yield_delta) = (0, 0, 0, 0, 0);
        let mut expiry = expiry;
        let mut status = (Status::Available, None);
        let mut void = false;
        for record in &self.records {
            match record {
                Record::Consumption {
                    batch_code,
                    line_no,
                    input_code,
                    quantity,
                    ..
                } if input_code == code && self.consumption_live(batch_code, *line_no) => {
                    consumed += quantity
                }
                Record::Waste {
                    code: c, quantity, ..
                } if c == code => wasted += quantity,
                Record::Shipment {
                    code: shipment,
                    lines,
                    ..
                } if self.shipment_live(shipment) => {
                    shipped += lines
                        .iter()
                        .filter(|l| l.batch_code == code)
                        .map(|l| l.quantity)
                        .sum::<i64>()
                }
                Record::Adjustment {
                    code: c,
                    field,
                    delta,
                    value,
                    ..
                } if c == code => match field {
                    AdjustField::Quantity => counted += delta,
                    AdjustField::Yield => yield_delta += delta,
                    AdjustField::Expiry => expiry = value.parse().ok(),
                },
                Record::StatusChange {
                    code: c,
                    status: s,
                    reason,
                    ..
                } if c == code => status = (*s, Some(reason.clone())),
                Record::Correction {
                    target: CorrectionTarget::Lot { code: c } | CorrectionTarget::Batch { code: c },
                    ..
                } if c == code => void = true,
                _ => {}
            }
        }
        if void {
            status = (Status::Void, None);
        }
        let initial = initial + yield_delta;
        Ok(Some(StockView {
            code: code.to_string(),
            kind,
            item,
            status: status.0,
            status_reason: status.1,
            balance: initial - consumed - wasted - shipped + counted,
            initial,
            expiry,
            closed,
            supplier_lot,
        }))
    }

    /// The received lots as (code, item, supplier lot, received at, quantity), in order.
    fn lots(&self) -> impl Iterator<Item = (&str, &str, &str, jiff::Timestamp, i64)> {
        self.records.iter().filter_map(|r| match r {
            Record::LotReceived {
                code,
                item_sku,
                supplier_lot,
                received_at,
                quantity,
                ..
            } => Some((
                code.as_str(),
                item_sku.as_str(),
                supplier_lot.as_str(),
                *received_at,
                *quantity,
            )),
            _ => None,
        })
    }
}

impl World for MemoryWorld {
    fn item(&mut self, sku: &str) -> Result<Option<ItemView>, WorldError> {
        Ok(self.items.iter().find(|i| same(&i.sku, sku)).cloned())
    }

    fn item_by_gtin(&mut self, gtin: &Gtin) -> Result<Option<ItemView>, WorldError> {
        Ok(self
            .items
            .iter()
            .find(|i| i.gtin.as_deref() == Some(gtin.as_str()))
            .cloned())
    }

    fn supplier(&mut self, code: &str) -> Result<Option<PartyView>, WorldError> {
        Ok(self.suppliers.iter().find(|s| same(&s.code, code)).cloned())
    }

    fn expected_receipt(
        &mut self,
        supplier: &str,
        supplier_lot: &str,
    ) -> Result<Option<ExpectedReceipt>, WorldError> {
        let Some(found) = self
            .announced
            .iter()
            .rev()
            .find(|a| same(&a.supplier_code, supplier) && a.supplier_lot == supplier_lot)
            .cloned()
        else {
            return Ok(None);
        };
        Ok(self.item(&found.item_sku)?.map(|item| ExpectedReceipt {
            item,
            quantity: found.quantity,
            expiry: found.expiry,
        }))
    }

    fn customer(&mut self, code: &str) -> Result<Option<PartyView>, WorldError> {
        Ok(self.customers.iter().find(|c| same(&c.code, code)).cloned())
    }

    fn order(&mut self, number: &str) -> Result<Option<OrderView>, WorldError> {
        // as scanned, else with or without the packing slip's `#`
        let other = match number.strip_prefix('#') {
            Some(bare) => bare.to_string(),
            None => format!("#{number}"),
        };
        let Some(order) = self
            .orders
            .iter()
            .find(|o| o.number == number)
            .or_else(|| self.orders.iter().find(|o| o.number == other))
        else {
            return Ok(None);
        };
        let mut lines: Vec<OrderLineView> = Vec::new();
        for (sku, quantity) in &order.lines {
            match lines.iter_mut().find(|l| same(&l.sku, sku)) {
                Some(line) => line.ordered += quantity,
                None => lines.push(OrderLineView {
                    sku: sku.clone(),
                    ordered: *quantity,
                    shipped: 0,
                }),
            }
        }
        let mut shipments = Vec::new();
        for record in &self.records {
            if let Record::Shipment {
                code,
                order_number,
                lines: shipped,
                ..
            } = record
                && *order_number == order.number
                && self.shipment_live(code)
            {
                shipments.push(code.clone());
                for line in shipped {
                    let product = self.product_of(&line.batch_code).unwrap_or_default();
                    if let Some(l) = lines.iter_mut().find(|l| same(&l.sku, product)) {
                        l.shipped += line.quantity;
                    }
                }
            }
        }
        Ok(Some(OrderView {
            number: order.number.clone(),
            customer_code: order.customer_code.clone(),
            lines,
            shipments,
            shop: order.shop.clone(),
            status: order.status.clone(),
            note: String::new(),
            shipping: String::new(),
        }))
    }

    fn shipment(&mut self, code: &str) -> Result<Option<ShipmentView>, WorldError> {
        let void = !self.shipment_live(code);
        Ok(self.records.iter().find_map(|r| match r {
            Record::Shipment {
                code: c,
                order_number,
                customer_code,
                shipped_at,
                ..
            } if c == code => Some(ShipmentView {
                code: c.clone(),
                order_number: order_number.clone(),
                customer_code: customer_code.clone(),
                shipped_at: *shipped_at,
                void,
            }),
            _ => None,
        }))
    }

    fn stock(&mut self, code: &str) -> Result<Option<StockView>, WorldError> {
        self.view(code)
    }

    fn stock_of_item(&mut self, sku: &str, lot: &str) -> Result<Option<StockView>, WorldError> {
        match self.view(lot)? {
            Some(view) if same(&view.item.sku, sku) => Ok(Some(view)),
            _ => Ok(None),
        }
    }

    fn recent_receipts(&mut self, sku: &str) -> Result<Option<(i64, i64)>, WorldError> {
        let mut lots: Vec<(jiff::Timestamp, i64, &str)> = self
            .lots()
            .filter(|l| same(l.1, sku))
            .filter(|l| {
                !self.corrected(|t| matches!(t, CorrectionTarget::Lot { code } if code == l.0))
            })
            .map(|l| (l.3, l.4, l.0))
            .collect();
        lots.sort();
        let recent = &lots[lots.len().saturating_sub(20)..];
        Ok(recent
            .iter()
            .map(|l| l.1)
            .min()
            .zip(recent.iter().map(|l| l.1).max()))
    }

    fn lots_by_supplier_lot(
        &mut self,
        sku: Option<&str>,
        number: &str,
    ) -> Result<Vec<StockView>, WorldError> {
        let mut codes: Vec<(jiff::Timestamp, String)> = self
            .lots()
            .filter(|l| l.2 == number && sku.is_none_or(|s| same(l.1, s)))
            .map(|l| (l.3, l.0.to_string()))
            .collect();
        codes.sort();
        let mut lots = Vec::with_capacity(codes.len());
        for (_, code) in codes {
            lots.extend(self.view(&code)?);
        }
        Ok(lots)
    }

    fn uses_of(&mut self, code: &str) -> Result<Vec<String>, WorldError> {
        let mut uses = BTreeSet::new();
        for record in &self.records {
            match record {
                Record::Consumption {
                    batch_code,
                    line_no,
                    input_code,
                    ..
                } if input_code == code && self.consumption_live(batch_code, *line_no) => {
                    uses.insert(format!("batch {batch_code}"));
                }
                Record::Shipment {
                    code: shipment,
                    lines,
                    ..
                } if lines.iter().any(|l| l.batch_code == code) && self.shipment_live(shipment) => {
                    uses.insert(format!("shipment {shipment}"));
                }
                _ => {}
            }
        }
        Ok(uses.into_iter().collect())
    }

    fn live_lines(&mut self, batch: &str) -> Result<Vec<u32>, WorldError> {
        let mut lines: Vec<u32> = self
            .records
            .iter()
            .filter_map(|r| match r {
                Record::Consumption {
                    batch_code,
                    line_no,
                    ..
                } if batch_code == batch && self.consumption_live(batch, *line_no) => {
                    Some(*line_no)
                }
                _ => None,
            })
            .collect();
        lines.sort_unstable();
        Ok(lines)
    }

    fn bom(&mut self, product_sku: &str) -> Result<Vec<String>, WorldError> {
        Ok(self
            .boms
            .iter()
            .filter(|b| same(&b.product_sku, product_sku))
            .map(|b| b.material_sku.clone())
            .collect())
    }

    fn recipe(&mut self, product_sku: &str) -> Result<Option<Recipe>, WorldError> {
        let mut rows: Vec<&BomLine> = self
            .boms
            .iter()
            .filter(|b| same(&b.product_sku, product_sku))
            .collect();
        rows.sort_by(|a, b| a.material_sku.cmp(&b.material_sku));
        let Some(per) = rows.first().and_then(|r| r.per) else {
            return Ok(None);
        };
        if per <= 0 || rows.iter().any(|r| r.per != Some(per)) {
            return Ok(None);
        }
        let mut lines = Vec::with_capacity(rows.len());
        for row in rows {
            // a recipe names only items the records have (the store joins on them)
            if let Some(item) = self.items.iter().find(|i| same(&i.sku, &row.material_sku)) {
                lines.push(RecipeLine {
                    sku: row.material_sku.clone(),
                    name: item.name.clone(),
                    unit: item.unit,
                    quantity: row.quantity,
                });
            }
        }
        Ok(Some(Recipe { per, lines }))
    }

    fn allocate_code(
        &mut self,
        format: &CodeFormat,
        ctx: CodeContext<'_>,
    ) -> Result<String, WorldError> {
        let key = format.counter_key(ctx);
        let mut seq = self.counters.get(&key).copied().unwrap_or(0) + 1;
        loop {
            let code = format.render(ctx, seq as u64);
            if self.issued.insert(code.clone()) {
                self.counters.insert(key, seq);
                return Ok(code);
            }
            seq += 1;
        }
    }
}
