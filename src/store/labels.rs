//! What a label shows, read from the records: the placeholder values of a lot, batch or
//! shipment label.

use super::db::{Optional, params};

use super::{Store, StoreError};
use crate::core::codes::{Quantity, Unit};
use crate::label::{LabelData, LabelKind, digital_link, gs1_message};

impl Store {
    /// The placeholder values of the `kind` label of `code`.
    pub fn label_data(
        &self,
        kind: LabelKind,
        code: &str,
        digital_link_base: &str,
        tz: &jiff::tz::TimeZone,
    ) -> Result<LabelData, StoreError> {
        let date_of = |ts: &str| {
            ts.parse::<jiff::Timestamp>()
                .map(|t| t.to_zoned(tz.clone()).date().to_string())
                .unwrap_or_else(|_| ts.get(..10).unwrap_or(ts).to_string())
        };
        let mut data = LabelData::default();
        match kind {
            LabelKind::Lot => {
                let row = self.db
                    .row(
                        "SELECT l.item_sku, COALESCE(i.name, l.item_sku), l.supplier_code, COALESCE(s.name, l.supplier_code),
                                l.supplier_lot, l.invoice, l.received_at, l.expiry, l.quantity, COALESCE(i.unit, 'each'),
                                COALESCE(i.gtin, '')
                         FROM lots l LEFT JOIN items i ON i.sku = l.item_sku LEFT JOIN suppliers s ON s.code = l.supplier_code
                         WHERE l.code = ?1",
                        params![code],
                        |r| {
                            Ok((
                                r.get::<String>(0)?,
                                r.get::<String>(1)?,
                                r.get::<String>(2)?,
                                r.get::<String>(3)?,
                                r.get::<String>(4)?,
                                r.get::<String>(5)?,
                                r.get::<String>(6)?,
                                r.get::<Option<String>>(7)?,
                                r.get::<i64>(8)?,
                                r.get::<String>(9)?,
                                r.get::<String>(10)?,
                            ))
                        },
                    )
                    .optional()?
                    .ok_or_else(|| StoreError::NotFound(format!("no lot has the code {code}")))?;
                let (
                    sku,
                    name,
                    supplier,
                    supplier_name,
                    supplier_lot,
                    invoice,
                    received_at,
                    expiry,
                    quantity,
                    unit,
                    gtin,
                ) = row;
                let unit = Unit::parse(&unit).unwrap_or(Unit::Each);
                let expiry_date = expiry
                    .as_deref()
                    .and_then(|e| e.parse::<jiff::civil::Date>().ok());
                let net_mg =
                    (unit.dimension() == crate::core::codes::Dimension::Mass).then_some(quantity);
                let gs1 = gs1_message(&gtin, code, expiry_date, net_mg);
                data.set("code", code)
                    .set("item_sku", sku)
                    .set("item_name", name)
                    .set("supplier_code", supplier)
                    .set("supplier_name", supplier_name)
                    .set("supplier_lot", supplier_lot)
                    .set("invoice", invoice)
                    .set("received_date", date_of(&received_at))
                    .set("expiry", expiry.unwrap_or_else(|| "-".into()))
                    .set("quantity", Quantity::from_base(quantity).display_in(unit))
                    .set("gs1", gs1.map(|m| m.to_hri()).unwrap_or_default())
                    .set(
                        "digital_link",
                        digital_link(digital_link_base, &gtin, code, expiry_date),
                    )
                    .set("gtin", gtin)
                    .set("status", self.status_of(code)?);
            }
            LabelKind::Batch => {
                let row = self.db
                    .row(
                        "SELECT b.product_sku, COALESCE(i.name, b.product_sku), b.production_date, c.expiry,
                                c.yield_quantity, COALESCE(i.unit, 'each'), COALESCE(i.gtin, '')
                         FROM batches b LEFT JOIN batch_closures c ON c.batch_code = b.code
                         LEFT JOIN items i ON i.sku = b.product_sku WHERE b.code = ?1",
                        params![code],
                        |r| {
                            Ok((
                                r.get::<String>(0)?,
                                r.get::<String>(1)?,
                                r.get::<String>(2)?,
                                r.get::<Option<String>>(3)?,
                                r.get::<Option<i64>>(4)?,
                                r.get::<String>(5)?,
                                r.get::<String>(6)?,
                            ))
                        },
                    )
                    .optional()?
                    .ok_or_else(|| StoreError::NotFound(format!("no batch has the code {code}")))?;
                let (sku, name, production_date, expiry, yield_quantity, unit, gtin) = row;
                let unit = Unit::parse(&unit).unwrap_or(Unit::Each);
                let expiry_date = expiry
                    .as_deref()
                    .and_then(|e| e.parse::<jiff::civil::Date>().ok());
                let gs1 = gs1_message(&gtin, code, expiry_date, None);
                data.set("code", code)
                    .set("product_sku", sku)
                    .set("product_name", name)
                    .set("production_date", production_date)
                    .set("expiry", expiry.unwrap_or_else(|| "-".into()))
                    .set(
                        "yield",
                        yield_quantity
                            .map(|q| Quantity::from_base(q).display_in(unit))
                            .unwrap_or_else(|| "-".into()),
                    )
                    .set("gs1", gs1.map(|m| m.to_hri()).unwrap_or_default())
                    .set(
                        "digital_link",
                        digital_link(digital_link_base, &gtin, code, expiry_date),
                    )
                    .set("gtin", gtin)
                    .set("status", self.status_of(code)?);
            }
            LabelKind::Shipment => {
                let row = self.db
                    .row(
                        "SELECT s.order_number, s.customer_code, COALESCE(c.name, s.customer_code), COALESCE(c.address, ''),
                                s.shipped_at, (SELECT COALESCE(SUM(quantity), 0) FROM shipment_lines WHERE shipment_code = s.code)
                         FROM shipments s LEFT JOIN customers c ON c.code = s.customer_code WHERE s.code = ?1",
                        params![code],
                        |r| {
                            Ok((
                                r.get::<String>(0)?,
                                r.get::<String>(1)?,
                                r.get::<String>(2)?,
                                r.get::<String>(3)?,
                                r.get::<String>(4)?,
                                r.get::<i64>(5)?,
                            ))
                        },
                    )
                    .optional()?
                    .ok_or_else(|| StoreError::NotFound(format!("no shipment has the code {code}")))?;
                let (order, customer, name, address, shipped_at, units) = row;
                let batches: Vec<String> = self.db.rows(
                    "SELECT DISTINCT batch_code FROM shipment_lines WHERE shipment_code = ?1 ORDER BY batch_code",
                    params![code],
                    |r| r.get(0),
                )?;
                data.set("code", code)
                    .set("order_number", order)
                    .set("customer_code", customer)
                    .set("customer_name", name)
                    .set("customer_address", address)
                    .set("shipped_date", date_of(&shipped_at))
                    .set("units", units.to_string())
                    .set("batches", batches.join(" "));
            }
            LabelKind::Card => {
                return Err(StoreError::NotFound(
                    "cards are made by `lotstation sheet`".into(),
                ));
            }
        }
        Ok(data)
    }

    fn status_of(&self, code: &str) -> Result<String, StoreError> {
        Ok(self
            .db
            .row(
                "SELECT status FROM status_changes WHERE code = ?1 ORDER BY id DESC LIMIT 1",
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
            "SELECT sku, name, kind FROM items ORDER BY kind DESC, sku",
            params![],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        let suppliers = self.db.rows(
            "SELECT code, name FROM suppliers ORDER BY code",
            params![],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok((items, suppliers))
    }
}
