//! The records as the FDA's Food Traceability Rule names them (`core::fsma`): receipts,
//! closed batches and shipment lines in a time range, voided records left out.

use std::collections::{BTreeSet, HashMap};

use crate::core::codes::Unit;
use crate::core::complaint::{Complaint, report_deadline};
use crate::core::fsma::{Cte, CteRow};
use crate::core::trace::Amount;
use crate::store::LIVE_SHIPMENT;
use crate::store::sql::{Row, params};
use crate::store::{Store, StoreError, Target};

/// Which events an export covers: a time range (`[from, to)`, UTC text as the records
/// hold it), and optionally only the codes in some traces.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    pub from: String,
    pub to: String,
    /// lots and batches whose receipts and transformations count (all when `None`)
    pub stock: Option<BTreeSet<String>>,
    /// shipments that count (all when `None`)
    pub shipments: Option<BTreeSet<String>>,
}

impl EventFilter {
    fn stock(&self, code: &str) -> bool {
        self.stock.as_ref().is_none_or(|s| s.contains(code))
    }

    fn shipment(&self, code: &str) -> bool {
        self.shipments.as_ref().is_none_or(|s| s.contains(code))
    }
}

/// `N` text columns of a row from `first` on.
fn texts<const N: usize>(r: &Row<'_>, first: usize) -> crate::store::sql::Result<[String; N]> {
    let mut out: [String; N] = std::array::from_fn(|_| String::new());
    for (i, text) in out.iter_mut().enumerate() {
        *text = r.get(first + i)?;
    }
    Ok(out)
}

/// An item's description, unit and GTIN.
struct Item {
    name: String,
    unit: Unit,
    gtin: Option<String>,
}

/// What a row says of an item: description, unit, SKU, GTIN.
#[derive(Clone)]
struct Described {
    product: String,
    unit: Unit,
    sku: String,
    gtin: Option<String>,
}

impl Store {
    /// The events between `from` and `to` (UTC text); with codes, only those in their
    /// traces: upstream what went into each (for an order or shipment, its batches and
    /// their lots), downstream where each lot or batch went. The outbreak question.
    pub fn event_filter(
        &self,
        from: String,
        to: String,
        codes: &[String],
    ) -> Result<EventFilter, StoreError> {
        let mut filter = EventFilter {
            from,
            to,
            stock: None,
            shipments: None,
        };
        if codes.is_empty() {
            return Ok(filter);
        }
        let (mut stock, mut shipments) = (BTreeSet::new(), BTreeSet::new());
        for code in codes {
            let target = self.resolve(code, None)?;
            match &target {
                Target::Shipment(s) => {
                    shipments.insert(s.clone());
                }
                Target::Order(order) => shipments.extend(self.shipments_of_order(order)?),
                _ => {}
            }
            let back = self.trace_backward(&target)?;
            stock.extend(back.batches.iter().map(|b| b.code.clone()));
            stock.extend(back.lots.iter().map(|l| l.code.clone()));
            if target.is_stock() {
                stock.extend(target.stock_codes());
                let forward = self.trace_forward(&target)?;
                stock.extend(forward.batches.iter().map(|b| b.code.clone()));
                shipments.extend(
                    forward
                        .shipments
                        .iter()
                        .map(|s| s.shipment_code.to_string()),
                );
            }
        }
        filter.stock = Some(stock);
        filter.shipments = Some(shipments);
        Ok(filter)
    }

    /// The codes of the shipments made on an order.
    pub fn shipments_of_order(&self, order: &str) -> Result<Vec<String>, StoreError> {
        Ok(self.db.rows(
            &format!(
                "SELECT s.code FROM shipments s WHERE s.order_number = $1 AND {LIVE_SHIPMENT} ORDER BY s.shipped_at"
            ),
            params![order],
            |r| r.get(0),
        )?)
    }

    /// Records a complaint: the customer must be known and the code must be a batch,
    /// order, shipment or lot; the batches and lots behind it are kept with it. Returns
    /// its journal entry, the complaint as recorded and how many earlier complaints share
    /// a batch or lot with it.
    #[allow(clippy::too_many_arguments)]
    pub fn add_complaint(
        &mut self,
        customer: &str,
        code: &str,
        text: &str,
        serious: bool,
        tz: &jiff::tz::TimeZone,
        at: jiff::Timestamp,
        operator: Option<&str>,
    ) -> Result<(i64, Complaint, usize), StoreError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(StoreError::Refused(
                "the complaint's text is empty: write what the customer reported".into(),
            ));
        }
        let Some(customer) = self.customer_code(customer)? else {
            return Err(StoreError::NotFound(format!(
                "no customer has the code or email {customer}: import them first (customers.csv or the shop's orders)"
            )));
        };
        let target = self.resolve(code, None)?;
        let back = self.trace_backward(&target)?;
        let mut batches: Vec<String> = back.batches.iter().map(|b| b.code.clone()).collect();
        if let Target::Batch(b) = &target
            && !batches.contains(b)
        {
            batches.insert(0, b.clone());
        }
        let mut lots: Vec<String> = back.lots.iter().map(|l| l.code.clone()).collect();
        if matches!(target, Target::Lot(_) | Target::SupplierLot { .. }) {
            for lot in target.stock_codes() {
                if !lots.contains(&lot) {
                    lots.push(lot);
                }
            }
        }
        let received = at.to_zoned(tz.clone()).date();
        let complaint = Complaint {
            customer,
            code: target.code().to_string(),
            kind: target.kind().to_string(),
            batches,
            lots,
            text: text.to_string(),
            serious,
            report_by: serious.then(|| report_deadline(received).to_string()),
        };
        let shared: BTreeSet<String> = complaint
            .batches
            .iter()
            .chain(&complaint.lots)
            .cloned()
            .collect();
        let others = self
            .complaints()?
            .iter()
            .filter(|c| c.touches(&shared))
            .count();
        let seq = self.record_complaint(&complaint, at, operator)?;
        Ok((seq, complaint, others))
    }

    /// Complaints, oldest first; with a code, only those about it: a lot or batch (or
    /// anything made from it: a complaint keeps its batches and their lots), an order or a
    /// shipment.
    pub fn complaints_about(
        &self,
        code: Option<&str>,
    ) -> Result<Vec<crate::core::complaint::ComplaintEntry>, StoreError> {
        let all = self.complaints()?;
        let Some(code) = code else {
            return Ok(all);
        };
        let target = self.resolve(code, None)?;
        let mut codes: BTreeSet<String> = target.stock_codes().into_iter().collect();
        codes.insert(target.code().to_string());
        Ok(all.into_iter().filter(|c| c.touches(&codes)).collect())
    }

    /// A supplier's shipping events (EPCIS) as lots awaited at receiving: each lot's item
    /// found by GTIN or SKU; re-importing replaces what was there for the same lot. All or
    /// nothing, journaled as an import. Returns how many lots are awaited.
    pub fn import_epcis(
        &mut self,
        supplier: &str,
        file: &str,
        content_sha256: &str,
        lots: &[crate::epcis::ShippedLot],
        at: jiff::Timestamp,
    ) -> Result<usize, StoreError> {
        use crate::epcis::LotClass;
        use crate::store::sql::Optional;
        let tx = self.begin()?;
        let supplier: String = tx
            .db
            .row(
                "SELECT code FROM suppliers WHERE code = $1",
                params![supplier],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| {
                StoreError::NotFound(format!(
                    "no supplier {supplier}: import suppliers.csv first"
                ))
            })?;
        for lot in lots {
            let (found, lot_number, named) = match &lot.class {
                LotClass::Gtin { gtin, lot: number } => (
                    tx.db
                        .row(
                            "SELECT sku, unit FROM items WHERE gtin = $1",
                            params![gtin],
                            |r| Ok((r.get::<String>(0)?, r.get::<String>(1)?)),
                        )
                        .optional()?,
                    number,
                    format!("GTIN {gtin}"),
                ),
                LotClass::Sku { sku, lot: number } => (
                    tx.db
                        .row(
                            "SELECT sku, unit FROM items WHERE sku = $1",
                            params![sku],
                            |r| Ok((r.get::<String>(0)?, r.get::<String>(1)?)),
                        )
                        .optional()?,
                    number,
                    format!("SKU {sku}"),
                ),
            };
            let Some((sku, unit)) = found else {
                return Err(StoreError::Refused(format!(
                    "{file}: event {}: {named} (lot {lot_number}) is none of our items: add it to items.csv (with its GTIN) first",
                    lot.event
                )));
            };
            let unit = Unit::parse(&unit).unwrap_or(Unit::Each);
            let quantity = crate::epcis::in_unit(lot, unit).map_err(|e| {
                StoreError::Refused(format!(
                    "{file}: event {}: lot {lot_number} of {sku}: {e}",
                    lot.event
                ))
            })?;
            tx.db.execute(
                "INSERT INTO expected_receipts (supplier_code, supplier_lot, item_sku, quantity, shipped_at, source, expiry)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (supplier_code, supplier_lot, item_sku) DO UPDATE SET quantity = excluded.quantity,
                   shipped_at = excluded.shipped_at, source = excluded.source, expiry = excluded.expiry",
                params![supplier, lot_number, sku, quantity.base, lot.shipped_at, file, lot.expiry.map(|d| d.to_string())],
            )?;
        }
        let body = serde_json::json!({
            "file": file,
            "kind": "epcis",
            "supplier": supplier,
            "lots": lots.len(),
            "sha256": content_sha256,
        });
        tx.commit_import(at, &body, None)?;
        Ok(lots.len())
    }

    /// The customer's code as recorded, found case-blind (the key compares so on both
    /// backends).
    pub fn customer_code(&self, code: &str) -> Result<Option<String>, StoreError> {
        use crate::store::sql::Optional;
        // by code, else by email (a shop's customers are keyed by theirs, written in any case)
        let by_code = self
            .db
            .row(
                "SELECT code FROM customers WHERE code = $1",
                params![code],
                |r| r.get(0),
            )
            .optional()?;
        if by_code.is_some() || !code.contains('@') {
            return Ok(by_code);
        }
        Ok(self
            .db
            .row(
                "SELECT code FROM customers WHERE lower(email) = lower($1) ORDER BY code LIMIT 1",
                params![code],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// The suppliers and customers of the receipts and shipments from `start` to `end`
    /// (UTC, RFC 3339) that have no address: (code, name) each. The FDA's traceability
    /// records need a location description of each, which a name and a phone are not.
    #[allow(clippy::type_complexity)]
    pub fn parties_without_address(
        &self,
        start: &str,
        end: &str,
    ) -> Result<(Vec<(String, String)>, Vec<(String, String)>), StoreError> {
        let suppliers = self.db.rows(
            "SELECT DISTINCT s.code, s.name FROM lots l JOIN suppliers s ON s.code = l.supplier_code
             WHERE COALESCE(s.address, '') = '' AND l.received_at >= $1 AND l.received_at < $2
             ORDER BY s.code",
            params![start, end],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let customers = self.db.rows(
            "SELECT DISTINCT c.code, c.name FROM shipments sh JOIN customers c ON c.code = sh.customer_code
             WHERE COALESCE(c.address, '') = '' AND sh.shipped_at >= $1 AND sh.shipped_at < $2
             ORDER BY c.code",
            params![start, end],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok((suppliers, customers))
    }

    /// The Critical Tracking Events of the records in the filter, sorted by date.
    /// `location` describes this station's place (business, address) for every event.
    pub fn fsma204_events(
        &self,
        filter: &EventFilter,
        location: &str,
    ) -> Result<Vec<CteRow>, StoreError> {
        let items: HashMap<String, Item> = self
            .db
            .rows("SELECT sku, name, unit, gtin FROM items", params![], |r| {
                Ok((
                    r.get::<String>(0)?,
                    r.get::<String>(1)?,
                    r.get::<String>(2)?,
                    r.get::<Option<String>>(3)?,
                ))
            })?
            .into_iter()
            .map(|(sku, name, unit, gtin)| {
                let unit = Unit::parse(&unit).unwrap_or(Unit::Each);
                (sku.to_lowercase(), Item { name, unit, gtin })
            })
            .collect();
        let item = |sku: &str| -> Described {
            match items.get(&sku.to_lowercase()) {
                Some(i) => Described {
                    product: format!("{} ({sku})", i.name),
                    unit: i.unit,
                    sku: sku.to_string(),
                    gtin: i.gtin.clone(),
                },
                None => Described {
                    product: sku.to_string(),
                    unit: Unit::Each,
                    sku: sku.to_string(),
                    gtin: None,
                },
            }
        };
        let blank = |event: Cte, date: String| CteRow {
            event,
            date,
            tlc: String::new(),
            code: String::new(),
            product: String::new(),
            quantity: String::new(),
            unit: String::new(),
            location: location.to_string(),
            previous_source: String::new(),
            recipient: String::new(),
            tlc_source: String::new(),
            reference_type: String::new(),
            reference_number: String::new(),
            input_tlc: String::new(),
            input_code: String::new(),
            input_product: String::new(),
            input_quantity: String::new(),
            input_unit: String::new(),
            sku: String::new(),
            gtin: None,
            input_sku: String::new(),
            input_gtin: None,
            party: String::new(),
            order: String::new(),
            expiry: None,
        };
        let party = |name: &str, address: &str, phone: &str| -> String {
            [name, address, phone]
                .iter()
                .filter(|p| !p.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join(", ")
        };
        // every live lot: its TLC (the supplier's lot number, else ours) and description
        let lots = self.db.rows(
            "SELECT l.code, l.item_sku, l.supplier_lot, l.invoice, l.quantity, l.received_at,
                    l.supplier_code, COALESCE(s.name, l.supplier_code), COALESCE(s.address, ''),
                    COALESCE(s.phone, '')
             FROM lots l LEFT JOIN suppliers s ON s.code = l.supplier_code
             WHERE NOT EXISTS (SELECT 1 FROM corrections k WHERE k.target_kind = 'lot' AND k.target_code = l.code)",
            params![],
            |r| Ok((texts::<4>(r, 0)?, r.get::<i64>(4)?, r.get::<String>(5)?, texts::<4>(r, 6)?)),
        )?;
        // lot code -> (TLC, description, unit)
        let mut tlcs: HashMap<String, (String, Described)> = HashMap::new();
        let mut rows = Vec::new();
        for ([code, sku, supplier_lot, invoice], quantity, received_at, supplier) in lots {
            let described = item(&sku);
            let unit = described.unit;
            let [supplier_code, name, address, phone] = supplier;
            let source = party(&name, &address, &phone);
            let (tlc, tlc_source) = if supplier_lot.is_empty() {
                (code.clone(), location.to_string())
            } else {
                (supplier_lot.clone(), source.clone())
            };
            tlcs.insert(code.clone(), (tlc.clone(), described.clone()));
            if received_at.as_str() < filter.from.as_str()
                || received_at.as_str() >= filter.to.as_str()
                || !filter.stock(&code)
            {
                continue;
            }
            let mut row = blank(Cte::Receiving, received_at);
            let amount = Amount::new(quantity, unit);
            row.tlc = tlc;
            row.code = code;
            row.product = described.product;
            row.sku = described.sku;
            row.gtin = described.gtin;
            row.quantity = amount.number();
            row.unit = unit.to_string();
            row.previous_source = if source.is_empty() {
                supplier_code.clone()
            } else {
                source
            };
            row.party = supplier_code;
            row.tlc_source = tlc_source;
            row.reference_type = "invoice".into();
            row.reference_number = invoice;
            rows.push(row);
        }
        // every closed, live batch: a transformation, one row per live input; its yield and
        // expiry as corrections left them
        let batches = self.db.rows(
            "SELECT b.code, b.product_sku,
                    c.yield_quantity + (SELECT COALESCE(SUM(a.delta), 0) FROM adjustments a WHERE a.code = b.code AND a.field = 'yield'),
                    c.closed_at,
                    COALESCE((SELECT a.value FROM adjustments a WHERE a.code = b.code AND a.field = 'expiry' ORDER BY a.id DESC LIMIT 1), c.expiry)
             FROM batches b
             JOIN batch_closures c ON c.batch_code = b.code
             WHERE NOT EXISTS (SELECT 1 FROM corrections k WHERE k.target_kind = 'batch' AND k.target_code = b.code)",
            params![],
            |r| {
                Ok((
                    r.get::<String>(0)?,
                    r.get::<String>(1)?,
                    r.get::<i64>(2)?,
                    r.get::<String>(3)?,
                    r.get::<Option<String>>(4)?,
                ))
            },
        )?;
        let mut products: HashMap<String, Described> = HashMap::new();
        for (code, sku, ..) in &batches {
            products.insert(code.clone(), item(sku));
        }
        let inputs = self.db.rows(
            "SELECT c.batch_code, c.input_code, c.quantity FROM consumptions c
             WHERE NOT EXISTS (SELECT 1 FROM corrections k WHERE k.target_kind = 'consumption'
                 AND k.target_code = c.batch_code AND k.target_line = c.line_no)
             ORDER BY c.batch_code, c.line_no",
            params![],
            |r| Ok((r.get::<String>(0)?, r.get::<String>(1)?, r.get::<i64>(2)?)),
        )?;
        let mut inputs_of: HashMap<&str, Vec<(&str, i64)>> = HashMap::new();
        for (batch, input, quantity) in &inputs {
            inputs_of
                .entry(batch.as_str())
                .or_default()
                .push((input.as_str(), *quantity));
        }
        for (code, _, yield_quantity, closed_at, expiry) in &batches {
            if closed_at.as_str() < filter.from.as_str()
                || closed_at.as_str() >= filter.to.as_str()
                || !filter.stock(code)
            {
                continue;
            }
            let described = products[code].clone();
            let unit = described.unit;
            let mut row = blank(Cte::Transformation, closed_at.clone());
            row.tlc = code.clone();
            row.code = code.clone();
            row.product = described.product;
            row.sku = described.sku;
            row.gtin = described.gtin;
            row.quantity = Amount::new(*yield_quantity, unit).number();
            row.unit = unit.to_string();
            row.tlc_source = location.to_string();
            row.reference_type = "batch record".into();
            row.reference_number = code.clone();
            row.expiry = expiry.clone().filter(|e| !e.is_empty());
            let listed = inputs_of
                .get(code.as_str())
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            if listed.is_empty() {
                rows.push(row);
                continue;
            }
            for (input, quantity) in listed {
                let (tlc, described) = match tlcs.get(*input) {
                    Some(lot) => lot.clone(),
                    None => {
                        let described =
                            products.get(*input).cloned().unwrap_or_else(|| Described {
                                product: input.to_string(),
                                unit: Unit::Each,
                                sku: String::new(),
                                gtin: None,
                            });
                        (input.to_string(), described)
                    }
                };
                let mut line = row.clone();
                line.input_tlc = tlc;
                line.input_code = input.to_string();
                line.input_product = described.product;
                line.input_quantity = Amount::new(*quantity, described.unit).number();
                line.input_unit = described.unit.to_string();
                line.input_sku = described.sku;
                line.input_gtin = described.gtin;
                rows.push(line);
            }
        }
        // every shipment line of a live batch: a shipping event
        let shipped = self.db.rows(
            &format!("SELECT s.code, s.order_number, s.shipped_at, l.batch_code, l.quantity,
                    COALESCE(c.name, s.customer_code), COALESCE(c.address, ''), COALESCE(c.phone, ''),
                    s.customer_code
             FROM shipments s JOIN shipment_lines l ON l.shipment_code = s.code
             LEFT JOIN customers c ON c.code = s.customer_code
             WHERE s.shipped_at >= $1 AND s.shipped_at < $2 AND {LIVE_SHIPMENT}
             ORDER BY s.shipped_at, s.code, l.line_no"),
            params![filter.from, filter.to],
            |r| Ok((texts::<4>(r, 0)?, r.get::<i64>(4)?, texts::<4>(r, 5)?)),
        )?;
        for ([code, order, shipped_at, batch], quantity, [name, address, phone, customer]) in
            shipped
        {
            if !filter.shipment(&code) {
                continue;
            }
            let described = products.get(&batch).cloned().unwrap_or_else(|| Described {
                product: batch.clone(),
                unit: Unit::Each,
                sku: String::new(),
                gtin: None,
            });
            let unit = described.unit;
            let mut row = blank(Cte::Shipping, shipped_at);
            row.tlc = batch.clone();
            row.code = code.clone();
            row.product = described.product;
            row.sku = described.sku;
            row.gtin = described.gtin;
            row.quantity = Amount::new(quantity, unit).number();
            row.unit = unit.to_string();
            row.recipient = party(&name, &address, &phone);
            row.tlc_source = location.to_string();
            row.reference_type = "order".into();
            row.reference_number = format!("{order} (shipment {code})");
            row.party = customer;
            row.order = order;
            rows.push(row);
        }
        crate::core::fsma::sort(&mut rows);
        Ok(rows)
    }
}
