//! What a label shows, read from the records: the placeholder values of a lot, batch or
//! shipment label.

use crate::store::sql::{Optional, params};

use crate::core::codes::Unit;
use crate::core::print::{self as facts, LabelFacts};
use crate::core::workflow::LabelKind;
use crate::store::{Store, StoreError};

impl Store {
    /// The facts of the `kind` label of `code`, which `label::facts::words` puts into a
    /// label's words.
    pub fn label_facts(&self, kind: LabelKind, code: &str) -> Result<LabelFacts, StoreError> {
        let unit = |text: String| Unit::parse(&text).unwrap_or(Unit::Each);
        match kind {
            LabelKind::Lot => {
                let facts = self
                    .db
                    .row(
                        "SELECT l.item_sku, COALESCE(i.name, l.item_sku), l.supplier_code, COALESCE(s.name, l.supplier_code),
                                l.supplier_lot, l.invoice, l.received_at,
                                COALESCE((SELECT a.value FROM adjustments a WHERE a.code = l.code AND a.field = 'expiry' ORDER BY a.id DESC LIMIT 1), l.expiry),
                                l.quantity, COALESCE(i.unit, 'each'),
                                COALESCE(i.gtin, '')
                         FROM lots l LEFT JOIN items i ON i.sku = l.item_sku LEFT JOIN suppliers s ON s.code = l.supplier_code
                         WHERE l.code = $1",
                        params![code],
                        |r| {
                            Ok(facts::LotFacts {
                                code: code.to_string(),
                                item_sku: r.get(0)?,
                                item_name: r.get(1)?,
                                supplier_code: r.get(2)?,
                                supplier_name: r.get(3)?,
                                supplier_lot: r.get(4)?,
                                invoice: r.get(5)?,
                                received_at: r.get(6)?,
                                expiry: r.get(7)?,
                                quantity: r.get(8)?,
                                unit: unit(r.get(9)?),
                                gtin: r.get(10)?,
                                status: String::new(),
                            })
                        },
                    )
                    .optional()?
                    .ok_or_else(|| StoreError::NotFound(format!("no lot has the code {code}")))?;
                let facts = facts::LotFacts {
                    status: self.status_of(code)?,
                    ..facts
                };
                Ok(LabelFacts::Lot(facts))
            }
            LabelKind::Batch => {
                let facts = self
                    .db
                    .row(
                        "SELECT b.product_sku, COALESCE(i.name, b.product_sku), b.production_date,
                                COALESCE((SELECT a.value FROM adjustments a WHERE a.code = b.code AND a.field = 'expiry' ORDER BY a.id DESC LIMIT 1), c.expiry),
                                c.yield_quantity + (SELECT COALESCE(SUM(a.delta), 0) FROM adjustments a WHERE a.code = b.code AND a.field = 'yield'),
                                COALESCE(i.unit, 'each'), COALESCE(i.gtin, ''), i.net_content, i.pao_months
                         FROM batches b LEFT JOIN batch_closures c ON c.batch_code = b.code
                         LEFT JOIN items i ON i.sku = b.product_sku WHERE b.code = $1",
                        params![code],
                        |r| {
                            Ok(facts::BatchFacts {
                                code: code.to_string(),
                                product_sku: r.get(0)?,
                                product_name: r.get(1)?,
                                production_date: r.get(2)?,
                                expiry: r.get(3)?,
                                yield_quantity: r.get(4)?,
                                unit: unit(r.get(5)?),
                                gtin: r.get(6)?,
                                net_content: r.get(7)?,
                                pao_months: r.get(8)?,
                                status: String::new(),
                            })
                        },
                    )
                    .optional()?
                    .ok_or_else(|| StoreError::NotFound(format!("no batch has the code {code}")))?;
                let facts = facts::BatchFacts {
                    status: self.status_of(code)?,
                    ..facts
                };
                Ok(LabelFacts::Batch(facts))
            }
            LabelKind::Shipment => {
                let facts = self
                    .db
                    .row(
                        "SELECT s.order_number, s.customer_code, COALESCE(c.name, s.customer_code), COALESCE(c.address, ''),
                                s.shipped_at, (SELECT COALESCE(SUM(quantity), 0) FROM shipment_lines WHERE shipment_code = s.code)
                         FROM shipments s LEFT JOIN customers c ON c.code = s.customer_code WHERE s.code = $1",
                        params![code],
                        |r| {
                            Ok(facts::ShipmentFacts {
                                code: code.to_string(),
                                order_number: r.get(0)?,
                                customer_code: r.get(1)?,
                                customer_name: r.get(2)?,
                                customer_address: r.get(3)?,
                                shipped_at: r.get(4)?,
                                units: r.get(5)?,
                                batches: Vec::new(),
                            })
                        },
                    )
                    .optional()?
                    .ok_or_else(|| StoreError::NotFound(format!("no shipment has the code {code}")))?;
                let batches = self.db.rows(
                    "SELECT DISTINCT batch_code FROM shipment_lines WHERE shipment_code = $1 ORDER BY batch_code",
                    params![code],
                    |r| r.get(0),
                )?;
                Ok(LabelFacts::Shipment(facts::ShipmentFacts {
                    batches,
                    ..facts
                }))
            }
            LabelKind::Pack => {
                // `SHP-00012/2`: the shipment and the pack's line
                let found = code
                    .rsplit_once('/')
                    .and_then(|(shipment, line)| Some((shipment, line.parse::<i64>().ok()?)));
                let Some((shipment, line)) = found else {
                    return Err(StoreError::NotFound(format!(
                        "{code} is not a pack: a pack is named by its shipment and line (SHP-00012/2)"
                    )));
                };
                let facts = self
                    .db
                    .row(
                        "SELECT s.order_number, l.batch_code, b.product_sku, COALESCE(i.name, b.product_sku),
                                l.quantity, COALESCE(i.unit, 'each'),
                                COALESCE((SELECT a.value FROM adjustments a WHERE a.code = b.code AND a.field = 'expiry' ORDER BY a.id DESC LIMIT 1), c.expiry),
                                COALESCE(i.gtin, ''), i.pao_months
                         FROM shipment_lines l JOIN shipments s ON s.code = l.shipment_code
                         JOIN batches b ON b.code = l.batch_code
                         LEFT JOIN batch_closures c ON c.batch_code = b.code
                         LEFT JOIN items i ON i.sku = b.product_sku
                         WHERE l.shipment_code = $1 AND l.line_no = $2",
                        params![shipment, line],
                        |r| {
                            Ok(facts::PackFacts {
                                code: code.to_string(),
                                order_number: r.get(0)?,
                                batch_code: r.get(1)?,
                                product_sku: r.get(2)?,
                                product_name: r.get(3)?,
                                quantity: r.get(4)?,
                                unit: unit(r.get(5)?),
                                expiry: r.get(6)?,
                                gtin: r.get(7)?,
                                pao_months: r.get(8)?,
                            })
                        },
                    )
                    .optional()?
                    .ok_or_else(|| {
                        StoreError::NotFound(format!("shipment {shipment} has no line {line}"))
                    })?;
                Ok(LabelFacts::Pack(facts))
            }
            LabelKind::Card => Err(StoreError::NotFound(
                "cards are made by `lotstation sheet`".into(),
            )),
        }
    }

    fn status_of(&self, code: &str) -> Result<String, StoreError> {
        Ok(self
            .db
            .row(
                "SELECT status FROM status_changes WHERE code = $1 ORDER BY id DESC LIMIT 1",
                params![code],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or_else(|| "available".to_string()))
    }
}

/// Items as (sku, name, kind) and suppliers as (code, name).
pub type SheetEntries = (Vec<(String, String, String)>, Vec<(String, String)>);

impl Store {
    /// (sku, name, kind) of every item and (code, name) of every supplier, for the command sheet.
    pub fn sheet_entries(&self) -> Result<SheetEntries, StoreError> {
        let items = self.db.rows(
            "SELECT sku, name, kind FROM items WHERE retired_at IS NULL ORDER BY kind DESC, sku",
            params![],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        let suppliers = self.db.rows(
            "SELECT code, name FROM suppliers WHERE retired_at IS NULL ORDER BY code",
            params![],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok((items, suppliers))
    }
}
