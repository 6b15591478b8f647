//! The workflow's view of the records (`World`), answered from inside the scan's
//! transaction so that what a step sees is exactly what it commits against.

use crate::core::workflow::{ExpectedReceipt, OrderLineView, ShipmentView};
use crate::store::sql::{Optional, params};

use crate::core::codes::{CodeContext, CodeFormat, Gtin, Unit};
use crate::core::workflow::{
    ItemKind, ItemView, OrderView, PartyView, Status, StockKind, StockView, World, WorldError,
};
use crate::store::{StoreError, StoreTx};

impl From<StoreError> for WorldError {
    fn from(e: StoreError) -> Self {
        WorldError(e.to_string())
    }
}

/// A failure of the records as the workflow carries it: the store's words, whose kind
/// (`database unavailable: …`) `StoreError::from_world` reads back.
fn world_err(e: crate::store::sql::DbError) -> WorldError {
    WorldError(crate::store::StoreError::from(e).to_string())
}

const ITEM_COLUMNS: &str =
    "sku, name, kind, unit, lot_prefix, gtin, shelf_life_days, retired_at IS NOT NULL";

fn read_item(row: &crate::store::sql::Row<'_>) -> crate::store::sql::Result<ItemRow> {
    Ok((
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
        row.get(5)?,
        row.get(6)?,
        row.get(7)?,
    ))
}

type ItemRow = (
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<u32>,
    bool,
);

fn item_view(row: ItemRow) -> Result<ItemView, WorldError> {
    let (sku, name, kind, unit, lot_prefix, gtin, shelf_life_days, retired) = row;
    let kind = match kind.as_str() {
        "product" => ItemKind::Product,
        _ => ItemKind::Material,
    };
    let unit = Unit::parse_item_unit(&unit)
        .ok_or_else(|| WorldError(format!("item {sku} has an unknown unit {unit:?}")))?;
    Ok(ItemView {
        sku,
        name,
        kind,
        unit,
        lot_prefix,
        gtin,
        shelf_life_days,
        retired,
    })
}

fn parse_date(text: Option<String>) -> Option<jiff::civil::Date> {
    text.and_then(|t| t.parse().ok())
}

impl StoreTx<'_> {
    fn item_where(&self, condition: &str, value: &str) -> Result<Option<ItemView>, WorldError> {
        let row = self
            .db
            .row(
                &format!("SELECT {ITEM_COLUMNS} FROM items WHERE {condition}"),
                params![value],
                read_item,
            )
            .optional()
            .map_err(world_err)?;
        row.map(item_view).transpose()
    }

    /// Balance, status and expiry of one lot or batch.
    pub(crate) fn stock_view(&self, code: &str) -> Result<Option<StockView>, WorldError> {
        let tx = self.db;
        let lot: Option<(String, i64, Option<String>, String)> = tx
            .row(
                "SELECT item_sku, quantity, expiry, supplier_lot FROM lots WHERE code = $1",
                params![code],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()
            .map_err(world_err)?;
        let (kind, sku, initial, expiry, supplier_lot, closed) = match lot {
            Some((sku, quantity, expiry, supplier_lot)) => (
                StockKind::Lot,
                sku,
                quantity,
                parse_date(expiry),
                Some(supplier_lot),
                true,
            ),
            None => {
                let batch: Option<(String, Option<i64>, Option<String>)> = tx
                    .row(
                        "SELECT b.product_sku, c.yield_quantity, c.expiry FROM batches b
                         LEFT JOIN batch_closures c ON c.batch_code = b.code WHERE b.code = $1",
                        params![code],
                        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                    )
                    .optional()
                    .map_err(world_err)?;
                match batch {
                    Some((sku, yield_quantity, expiry)) => (
                        StockKind::Batch,
                        sku,
                        yield_quantity.unwrap_or(0),
                        parse_date(expiry),
                        None,
                        yield_quantity.is_some(),
                    ),
                    None => return Ok(None),
                }
            }
        };
        let item = self.item_where("sku = $1", &sku)?.ok_or_else(|| {
            WorldError(format!(
                "{} {code} names item {sku}, which is not in the items",
                kind.noun()
            ))
        })?;
        // with what corrections say: counted quantities move the balance, a corrected yield
        // the initial too, the newest expiry set counts, a void ends it
        type Sums = (i64, i64, i64, i64, i64, Option<String>, bool);
        let (consumed, wasted, shipped, counted, yield_delta, expiry_set, void): Sums = tx
            .row(
                "SELECT
                   (SELECT COALESCE(SUM(c.quantity), 0) FROM consumptions c WHERE c.input_code = $1
                      AND NOT EXISTS (SELECT 1 FROM corrections k WHERE k.target_kind = 'consumption'
                                      AND k.target_code = c.batch_code AND k.target_line = c.line_no)),
                   (SELECT COALESCE(SUM(quantity), 0) FROM wastes WHERE code = $1),
                   (SELECT COALESCE(SUM(l.quantity), 0) FROM shipment_lines l WHERE l.batch_code = $1
                      AND NOT EXISTS (SELECT 1 FROM corrections k WHERE k.target_kind = 'shipment'
                                      AND k.target_code = l.shipment_code)),
                   (SELECT COALESCE(SUM(delta), 0) FROM adjustments WHERE code = $1 AND field = 'quantity'),
                   (SELECT COALESCE(SUM(delta), 0) FROM adjustments WHERE code = $1 AND field = 'yield'),
                   (SELECT value FROM adjustments WHERE code = $1 AND field = 'expiry' ORDER BY id DESC LIMIT 1),
                   EXISTS(SELECT 1 FROM corrections WHERE target_kind IN ('lot', 'batch') AND target_code = $1)",
                params![code],
                |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                    ))
                },
            )
            .map_err(world_err)?;
        let initial = initial + yield_delta;
        let expiry = if expiry_set.is_some() {
            parse_date(expiry_set)
        } else {
            expiry
        };
        let status_row: Option<(String, String)> = tx
            .row(
                "SELECT status, reason FROM status_changes WHERE code = $1 ORDER BY id DESC LIMIT 1",
                params![code],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(world_err)?;
        let (status, status_reason) = if void {
            (Status::Void, None)
        } else {
            match status_row {
                Some((status, reason)) => (
                    Status::parse(&status).ok_or_else(|| {
                        WorldError(format!("unknown status {status:?} of {code}"))
                    })?,
                    Some(reason),
                ),
                None => (Status::Available, None),
            }
        };
        Ok(Some(StockView {
            code: code.to_string(),
            kind,
            item,
            status,
            status_reason,
            balance: initial - consumed - wasted - shipped + counted,
            initial,
            expiry,
            closed,
            supplier_lot,
        }))
    }
}

impl World for StoreTx<'_> {
    fn item(&mut self, sku: &str) -> Result<Option<ItemView>, WorldError> {
        self.item_where("sku = $1", sku)
    }

    fn item_by_gtin(&mut self, gtin: &Gtin) -> Result<Option<ItemView>, WorldError> {
        self.item_where("gtin = $1", gtin.as_str())
    }

    fn expected_receipt(
        &mut self,
        supplier: &str,
        supplier_lot: &str,
    ) -> Result<Option<ExpectedReceipt>, WorldError> {
        let found: Option<(String, i64, Option<String>)> = self
            .db
            .row(
                "SELECT item_sku, quantity, expiry FROM expected_receipts
                 WHERE supplier_code = $1 AND supplier_lot = $2 ORDER BY shipped_at DESC LIMIT 1",
                params![supplier, supplier_lot],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()
            .map_err(world_err)?;
        let Some((sku, quantity, expiry)) = found else {
            return Ok(None);
        };
        Ok(self.item(&sku)?.map(|item| ExpectedReceipt {
            item,
            quantity,
            expiry: expiry.and_then(|d| d.parse().ok()),
        }))
    }

    fn supplier(&mut self, code: &str) -> Result<Option<PartyView>, WorldError> {
        self.db
            .row(
                "SELECT code, name, retired_at IS NOT NULL FROM suppliers WHERE code = $1",
                params![code],
                |r| {
                    Ok(PartyView {
                        code: r.get(0)?,
                        name: r.get(1)?,
                        retired: r.get(2)?,
                    })
                },
            )
            .optional()
            .map_err(world_err)
    }

    fn customer(&mut self, code: &str) -> Result<Option<PartyView>, WorldError> {
        self.db
            .row(
                "SELECT code, name, retired_at IS NOT NULL FROM customers WHERE code = $1",
                params![code],
                |r| {
                    Ok(PartyView {
                        code: r.get(0)?,
                        name: r.get(1)?,
                        retired: r.get(2)?,
                    })
                },
            )
            .optional()
            .map_err(world_err)
    }

    fn order(&mut self, number: &str) -> Result<Option<OrderView>, WorldError> {
        // the number as scanned, else as the shop's packing slip and its barcode differ:
        // `#1001` printed, `1001` in the barcode, or the other way round
        let other = match number.strip_prefix('#') {
            Some(bare) => bare.to_string(),
            None => format!("#{number}"),
        };
        let mut found = None;
        for candidate in [number, other.as_str()] {
            found = self
                .db
                .row(
                    "SELECT order_number, customer_code, shop, status, note, shipping_method FROM orders WHERE order_number = $1",
                    params![candidate],
                    |r| {
                        Ok((
                            r.get(0)?,
                            r.get(1)?,
                            r.get(2)?,
                            r.get(3)?,
                            r.get(4)?,
                            r.get(5)?,
                        ))
                    },
                )
                .optional()
                .map_err(world_err)?;
            if found.is_some() {
                break;
            }
        }
        #[allow(clippy::type_complexity)]
        let Some((number, customer_code, shop, status, note, shipping)): Option<(
            String,
            String,
            String,
            String,
            String,
            String,
        )> = found
        else {
            return Ok(None);
        };
        let ordered: Vec<(String, i64)> = self
            .db
            .rows(
                "SELECT sku, quantity FROM order_lines WHERE order_number = $1 ORDER BY line_no",
                params![number],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(world_err)?;
        // shipped before, per product (voided shipments aside)
        let shipped: Vec<(String, i64)> = self
            .db
            .rows(
                "SELECT b.product_sku, SUM(l.quantity) FROM shipments s
                 JOIN shipment_lines l ON l.shipment_code = s.code JOIN batches b ON b.code = l.batch_code
                 WHERE s.order_number = $1
                   AND NOT EXISTS (SELECT 1 FROM corrections k WHERE k.target_kind = 'shipment' AND k.target_code = s.code)
                 GROUP BY b.product_sku",
                params![number],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(world_err)?;
        let shipments: Vec<String> = self
            .db
            .rows(
                "SELECT s.code FROM shipments s WHERE s.order_number = $1
                   AND NOT EXISTS (SELECT 1 FROM corrections k WHERE k.target_kind = 'shipment' AND k.target_code = s.code)
                 ORDER BY s.shipped_at",
                params![number],
                |r| r.get(0),
            )
            .map_err(world_err)?;
        let mut lines: Vec<OrderLineView> = Vec::new();
        for (sku, quantity) in &ordered {
            match lines.iter_mut().find(|l| l.sku.eq_ignore_ascii_case(sku)) {
                Some(line) => line.ordered += quantity,
                None => lines.push(OrderLineView {
                    sku: sku.clone(),
                    ordered: *quantity,
                    shipped: 0,
                }),
            }
        }
        for (sku, quantity) in shipped {
            if let Some(line) = lines.iter_mut().find(|l| l.sku.eq_ignore_ascii_case(&sku)) {
                line.shipped += quantity;
            }
        }
        Ok(Some(OrderView {
            number,
            customer_code,
            lines,
            shipments,
            shop: crate::shops::Shop::from_name(&shop)
                .filter(|s| *s != crate::shops::Shop::Ours)
                .map_or(String::new(), |s| s.title().to_string()),
            status,
            note,
            shipping,
        }))
    }

    fn stock(&mut self, code: &str) -> Result<Option<StockView>, WorldError> {
        self.stock_view(code)
    }

    fn stock_of_item(&mut self, sku: &str, lot: &str) -> Result<Option<StockView>, WorldError> {
        let code: Option<String> = self
            .db
            .row(
                "SELECT code FROM lots WHERE item_sku = $1 AND code = $2
                 UNION ALL SELECT code FROM batches WHERE product_sku = $1 AND code = $2",
                params![sku, lot],
                |r| r.get(0),
            )
            .optional()
            .map_err(world_err)?;
        match code {
            Some(code) => self.stock_view(&code),
            None => Ok(None),
        }
    }

    fn shipment(&mut self, code: &str) -> Result<Option<ShipmentView>, WorldError> {
        let found: Option<(String, String, String, String)> = self
            .db
            .row(
                "SELECT code, order_number, customer_code, shipped_at FROM shipments WHERE code = $1",
                params![code],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()
            .map_err(world_err)?;
        let void: bool = self
            .db
            .row(
                "SELECT EXISTS(SELECT 1 FROM corrections WHERE target_kind = 'shipment' AND target_code = $1)",
                params![code],
                |r| r.get(0),
            )
            .map_err(world_err)?;
        found
            .map(|(code, order_number, customer_code, at)| {
                Ok(ShipmentView {
                    code,
                    order_number,
                    customer_code,
                    shipped_at: at
                        .parse()
                        .map_err(|e| WorldError(format!("shipment time {at}: {e}")))?,
                    void,
                })
            })
            .transpose()
    }

    fn uses_of(&mut self, code: &str) -> Result<Vec<String>, WorldError> {
        self.db
            .rows(
                "SELECT DISTINCT 'batch ' || c.batch_code FROM consumptions c WHERE c.input_code = $1
                   AND NOT EXISTS (SELECT 1 FROM corrections k WHERE k.target_kind = 'consumption'
                                   AND k.target_code = c.batch_code AND k.target_line = c.line_no)
                 UNION
                 SELECT DISTINCT 'shipment ' || l.shipment_code FROM shipment_lines l WHERE l.batch_code = $1
                   AND NOT EXISTS (SELECT 1 FROM corrections k WHERE k.target_kind = 'shipment'
                                   AND k.target_code = l.shipment_code)
                 ORDER BY 1",
                params![code],
                |r| r.get(0),
            )
            .map_err(world_err)
    }

    fn live_lines(&mut self, batch_code: &str) -> Result<Vec<u32>, WorldError> {
        self.db
            .rows(
                "SELECT c.line_no FROM consumptions c WHERE c.batch_code = $1
                   AND NOT EXISTS (SELECT 1 FROM corrections k WHERE k.target_kind = 'consumption'
                                   AND k.target_code = c.batch_code AND k.target_line = c.line_no)
                 ORDER BY c.line_no",
                params![batch_code],
                |r| r.get(0),
            )
            .map_err(world_err)
    }

    fn recent_receipts(&mut self, sku: &str) -> Result<Option<(i64, i64)>, WorldError> {
        let found: (Option<i64>, Option<i64>) = self
            .db
            .row(
                "SELECT MIN(quantity), MAX(quantity) FROM (
                   SELECT l.quantity FROM lots l WHERE l.item_sku = $1
                     AND NOT EXISTS (SELECT 1 FROM corrections k WHERE k.target_kind = 'lot' AND k.target_code = l.code)
                   ORDER BY l.received_at DESC LIMIT 20) recent",
                params![sku],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(world_err)?;
        Ok(match found {
            (Some(least), Some(most)) => Some((least, most)),
            _ => None,
        })
    }

    fn lots_by_supplier_lot(
        &mut self,
        sku: Option<&str>,
        number: &str,
    ) -> Result<Vec<StockView>, WorldError> {
        let codes: Vec<String> = self
            .db
            .rows(
                "SELECT code FROM lots WHERE supplier_lot = $1
                   AND (CAST($2 AS TEXT) IS NULL OR item_sku = CAST($2 AS TEXT))
                 ORDER BY received_at, code",
                params![number, sku],
                |r| r.get(0),
            )
            .map_err(world_err)?;
        let mut lots = Vec::with_capacity(codes.len());
        for code in codes {
            if let Some(view) = self.stock_view(&code)? {
                lots.push(view);
            }
        }
        Ok(lots)
    }

    fn bom(&mut self, product_sku: &str) -> Result<Vec<String>, WorldError> {
        self.db
            .rows(
                "SELECT material_sku FROM boms WHERE product_sku = $1 AND retired_at IS NULL",
                params![product_sku],
                |r| r.get(0),
            )
            .map_err(world_err)
    }

    fn recipe(
        &mut self,
        product_sku: &str,
    ) -> Result<Option<crate::core::workflow::Recipe>, WorldError> {
        use crate::core::workflow::{Recipe, RecipeLine};
        let rows: Vec<(String, String, String, i64, Option<i64>)> = self
            .db
            .rows(
                "SELECT b.material_sku, i.name, i.unit, b.quantity, b.per FROM boms b
                 JOIN items i ON i.sku = b.material_sku
                 WHERE b.product_sku = $1 AND b.retired_at IS NULL ORDER BY b.material_sku",
                params![product_sku],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .map_err(world_err)?;
        let Some(per) = rows.first().and_then(|r| r.4) else {
            return Ok(None);
        };
        if per <= 0 || rows.iter().any(|r| r.4 != Some(per)) {
            return Ok(None);
        }
        Ok(Some(Recipe {
            per,
            lines: rows
                .into_iter()
                .map(|(sku, name, unit, quantity, _)| RecipeLine {
                    sku,
                    name,
                    unit: Unit::parse(&unit).unwrap_or(Unit::Each),
                    quantity,
                })
                .collect(),
        }))
    }

    fn allocate_code(
        &mut self,
        format: &CodeFormat,
        ctx: CodeContext<'_>,
    ) -> Result<String, WorldError> {
        let key = format.counter_key(ctx);
        // the counter as this transaction left it, else as recorded (a counter is written
        // once, at the commit: a row updated over and over in one PostgreSQL transaction
        // leaves a chain of versions every read walks)
        let last: i64 = match self.counters.get(&key) {
            Some(last) => *last,
            None => self
                .db
                .row(
                    "SELECT last_seq FROM code_counters WHERE key = $1",
                    params![&key],
                    |r| r.get(0),
                )
                .optional()
                .map_err(world_err)?
                .unwrap_or(0),
        };
        let mut seq = last + 1;
        loop {
            let code = format.render(ctx, seq as u64);
            if !self.code_issued(&code)? {
                self.issue_code(&code, &jiff::civil::DateTime::from(ctx.date).to_string())?;
                self.counters.insert(key, seq);
                return Ok(code);
            }
            seq += 1;
        }
    }
}
