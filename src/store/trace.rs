//! Forward and backward traces, stock and the recall's status changes, computed from the
//! records on every call. Traces walk the consumption graph breadth first, one indexed
//! query per level, so their cost follows the size of the answer, not of the history.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::sql::{Optional, params};
use rustc_hash::{FxHashMap, FxHashSet};

use super::{LIVE_SHIPMENT, Store, StoreError};
use crate::core::codes::Unit;
use crate::core::trace::{
    Amount, BackwardBatch, BackwardInput, BackwardLot, BackwardTrace, Customer, ForwardBatch,
    ForwardShipment, ForwardTrace, Interner, OnHand, Root, Shared, StockRow, Supplier,
};
use crate::core::workflow::{Record, Status};

/// What a code given on the command line names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Lot(String),
    Batch(String),
    Shipment(String),
    Order(String),
    /// a supplier's lot number received as several internal lots (two deliveries of the
    /// same supplier lot): traces, recalls and holds cover them all
    SupplierLot {
        number: String,
        supplier: String,
        lots: Vec<String>,
    },
}

impl Target {
    pub fn code(&self) -> &str {
        match self {
            Target::Lot(c) | Target::Batch(c) | Target::Shipment(c) | Target::Order(c) => c,
            Target::SupplierLot { number, .. } => number,
        }
    }

    /// Whether it is stock (a lot, a batch, a supplier's lot): what a forward trace,
    /// a recall and a hold start from.
    pub fn is_stock(&self) -> bool {
        matches!(
            self,
            Target::Lot(_) | Target::Batch(_) | Target::SupplierLot { .. }
        )
    }

    /// The lot and batch codes it stands for.
    pub fn stock_codes(&self) -> Vec<String> {
        match self {
            Target::Lot(c) | Target::Batch(c) => vec![c.clone()],
            Target::SupplierLot { lots, .. } => lots.clone(),
            Target::Shipment(_) | Target::Order(_) => Vec::new(),
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Target::Lot(_) => "lot",
            Target::Batch(_) => "batch",
            Target::Shipment(_) => "shipment",
            Target::Order(_) => "order",
            Target::SupplierLot { .. } => "supplier lot",
        }
    }

    fn root(&self) -> Root {
        let (supplier, lots) = match self {
            Target::SupplierLot { supplier, lots, .. } => (Some(supplier.clone()), lots.clone()),
            _ => (None, Vec::new()),
        };
        Root {
            code: self.code().to_string(),
            kind: self.kind().to_string(),
            supplier,
            lots,
        }
    }
}

/// A lot or batch as read for the stock list: code, kind, sku, initial quantity, expiry,
/// supplier, supplier lot.
type StockSource = (
    String,
    &'static str,
    String,
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// Fewest customers in an answer for which reading the whole customer table can pay.
const SCAN_CUSTOMERS_FROM: usize = 256;

/// Deepest sub-assembly chain a trace follows (a guard against cycles in imported data).
const MAX_DEPTH: u32 = 64;

/// The condition for a live consumption `c`: no correction has reversed it.
const LIVE: &str = "NOT EXISTS (SELECT 1 FROM corrections k WHERE k.target_kind = 'consumption' \
     AND k.target_code = c.batch_code AND k.target_line = c.line_no)";

fn json_list<S: AsRef<str>>(codes: impl IntoIterator<Item = S>) -> String {
    let codes: Vec<S> = codes.into_iter().collect();
    let codes: Vec<&str> = codes.iter().map(AsRef::as_ref).collect();
    serde_json::to_string(&codes).unwrap_or_else(|_| "[]".into())
}

impl Store {
    fn units(&self) -> Result<HashMap<String, Unit>, StoreError> {
        let stmt = "SELECT sku, unit FROM items";
        let rows = self.db.rows(stmt, params![], |r| {
            Ok((r.get::<String>(0)?, r.get::<String>(1)?))
        })?;
        let mut units = HashMap::new();
        for row in rows {
            let (sku, unit) = row;
            units.insert(sku, Unit::parse(&unit).unwrap_or(Unit::Each));
        }
        Ok(units)
    }

    /// Finds what `code` names: a lot, batch, shipment or order code, else a supplier's lot
    /// number (narrowed by `supplier`). Several lots with that supplier lot number are an
    /// error that lists them.
    pub fn resolve(&self, code: &str, supplier: Option<&str>) -> Result<Target, StoreError> {
        let exists = |sql: &str| -> Result<bool, StoreError> {
            Ok(self
                .db
                .row(sql, params![code], |_| Ok(()))
                .optional()?
                .is_some())
        };
        if supplier.is_none() {
            if exists("SELECT 1 FROM lots WHERE code = $1")? {
                return Ok(Target::Lot(code.to_string()));
            }
            if exists("SELECT 1 FROM batches WHERE code = $1")? {
                return Ok(Target::Batch(code.to_string()));
            }
            if exists("SELECT 1 FROM shipments WHERE code = $1")? {
                return Ok(Target::Shipment(code.to_string()));
            }
            if exists("SELECT 1 FROM shipments WHERE order_number = $1 LIMIT 1")?
                || exists("SELECT 1 FROM orders WHERE order_number = $1")?
            {
                return Ok(Target::Order(code.to_string()));
            }
        }
        let stmt = "SELECT code, supplier_code, received_at FROM lots WHERE supplier_lot = $1
             AND (CAST($2 AS TEXT) IS NULL OR lower(supplier_code) = lower(CAST($2 AS TEXT))) ORDER BY received_at";
        let candidates = self.db.rows(stmt, params![code, supplier], |r| {
            Ok((
                r.get::<String>(0)?,
                r.get::<String>(1)?,
                r.get::<String>(2)?,
            ))
        })?;
        match candidates.as_slice() {
            [] => Err(StoreError::NotFound(match supplier {
                Some(s) => format!("no lot of supplier {s} has the lot number {code}"),
                None => format!("no lot, batch, shipment, order or supplier lot number {code}"),
            })),
            [(lot, _, _)] => Ok(Target::Lot(lot.clone())),
            [(_, first, _), rest @ ..]
                if rest.iter().all(|(_, s, _)| s.eq_ignore_ascii_case(first)) =>
            {
                Ok(Target::SupplierLot {
                    number: code.to_string(),
                    supplier: first.clone(),
                    lots: candidates.iter().map(|(lot, _, _)| lot.clone()).collect(),
                })
            }
            many => Err(StoreError::Ambiguous(format!(
                "supplier lot number {code} names lots of several suppliers: {}. Add --supplier",
                many.iter()
                    .map(|(lot, supplier, at)| format!(
                        "{lot} (supplier {supplier}, received {at})"
                    ))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        }
    }

    /// Everything downstream of a lot or batch.
    pub fn trace_forward(&self, target: &Target) -> Result<ForwardTrace, StoreError> {
        // the codes traced from, each with its item
        let roots: Vec<(String, String)> = match target {
            Target::Lot(_) | Target::SupplierLot { .. } => {
                let mut roots = Vec::new();
                for code in target.stock_codes() {
                    let sku: String = self.db.row(
                        "SELECT item_sku FROM lots WHERE code = $1",
                        params![code],
                        |r| r.get(0),
                    )?;
                    roots.push((code, sku));
                }
                roots
            }
            Target::Batch(code) => {
                let sku: String = self.db.row(
                    "SELECT product_sku FROM batches WHERE code = $1",
                    params![code],
                    |r| r.get(0),
                )?;
                vec![(code.clone(), sku)]
            }
            other => {
                return Err(StoreError::Refused(format!(
                    "a forward trace starts at a lot or a batch; {} is a {}",
                    other.code(),
                    other.kind()
                )));
            }
        };
        let units = self.units()?;
        let unit_of = |sku: &str| units.get(sku).copied().unwrap_or(Unit::Each);
        // code -> (index in batches, unit of that code's item)
        let mut seen: HashMap<String, (Option<usize>, Unit)> = HashMap::new();
        for (code, sku) in &roots {
            seen.insert(code.clone(), (None, unit_of(sku)));
        }
        let mut batches: Vec<ForwardBatch> = Vec::new();
        let mut frontier: Vec<String> = roots.iter().map(|(code, _)| code.clone()).collect();
        let mut depth = 0;
        let stmt = &format!(
            "SELECT c.batch_code, c.input_code, c.quantity, b.product_sku
             FROM consumptions c JOIN batches b ON b.code = c.batch_code
             WHERE c.input_code IN (SELECT value FROM json_each($1)) AND {LIVE} ORDER BY c.id"
        );
        while !frontier.is_empty() && depth < MAX_DEPTH {
            depth += 1;
            let rows = self.db.rows(stmt, params![json_list(&frontier)], |r| {
                Ok((
                    r.get::<String>(0)?,
                    r.get::<String>(1)?,
                    r.get::<i64>(2)?,
                    r.get::<String>(3)?,
                ))
            })?;
            let mut next = Vec::new();
            for (batch, input, quantity, product) in rows {
                let Some(&(input_index, input_unit)) = seen.get(&input) else {
                    continue;
                };
                match seen.get(&batch) {
                    Some((Some(index), _)) => {
                        let entry = &mut batches[*index];
                        if entry.unit == input_unit {
                            entry.quantity_consumed.base += quantity;
                        }
                    }
                    Some((None, _)) => {} // the root itself, reached through a cycle
                    None => {
                        let mut path = match input_index {
                            Some(i) => batches[i].path.clone(),
                            None => vec![input.clone()],
                        };
                        path.push(batch.clone());
                        seen.insert(batch.clone(), (Some(batches.len()), unit_of(&product)));
                        batches.push(ForwardBatch {
                            code: batch.clone(),
                            product_sku: product,
                            depth,
                            quantity_consumed: Amount::new(quantity, input_unit),
                            unit: input_unit,
                            path,
                        });
                        next.push(batch);
                    }
                }
            }
            frontier = next;
        }
        let mut shipped_codes: Vec<String> = batches.iter().map(|b| b.code.clone()).collect();
        if let Target::Batch(code) = target {
            shipped_codes.push(code.clone());
        }
        let unit_of_batch: HashMap<&str, Unit> = seen
            .iter()
            .map(|(code, (_, unit))| (code.as_str(), *unit))
            .collect();
        let shipments = self.shipments_of(&shipped_codes, &unit_of_batch)?;
        let mut customer_codes: Vec<&str> = shipments
            .iter()
            .map(|s| &*s.customer_code)
            .collect::<FxHashSet<&str>>()
            .into_iter()
            .collect();
        customer_codes.sort_unstable();
        let customers = self.customers(&customer_codes)?;
        let mut stock_codes: Vec<String> = roots.into_iter().map(|(code, _)| code).collect();
        stock_codes.extend(batches.iter().map(|b| b.code.clone()));
        // what went out of each batch is in the shipment lines already read
        let mut shipped: FxHashMap<&str, i64> = FxHashMap::default();
        for s in &shipments {
            *shipped.entry(&*s.batch_code).or_default() += s.quantity.base;
        }
        let balances = self.balances(&stock_codes, &shipped)?;
        let on_hand = stock_codes
            .iter()
            .filter_map(|code| {
                let balance = *balances.get(code)?;
                let unit = seen.get(code)?.1;
                (balance > 0).then(|| OnHand {
                    code: code.clone(),
                    quantity: Amount::new(balance, unit),
                    unit,
                })
            })
            .collect();
        batches.sort_by(|a, b| a.depth.cmp(&b.depth).then_with(|| a.code.cmp(&b.code)));
        Ok(ForwardTrace {
            root: target.root(),
            batches,
            shipments,
            customers,
            on_hand,
        })
    }

    /// The shipment lines of these batches, oldest first.
    fn shipments_of(
        &self,
        batch_codes: &[String],
        units: &HashMap<&str, Unit>,
    ) -> Result<Vec<ForwardShipment>, StoreError> {
        // the texts of each line shared within the answer, not a string per line: a
        // shipment's lines (one per batch) share its code, order, customer and time, looked
        // up once by its code; each customer's shipments share the customer's code; the rows
        // come in one run per batch, so a batch's code is taken from the row before
        let mut customers = Interner::default();
        let mut seen: FxHashMap<Shared, [Shared; 3]> = FxHashMap::default();
        let mut last_batch: Option<(Shared, Unit)> = None;
        let mut shipments = Vec::new();
        self.db.each(
            "SELECT shipment_code, order_number, customer_code, batch_code, quantity, shipped_at
             FROM shipment_index WHERE batch_code IN (SELECT value FROM json_each($1))",
            params![json_list(batch_codes)],
            |r| {
                let batch = r.str(3)?;
                let (batch_code, unit) = match &last_batch {
                    Some((code, unit)) if **code == *batch => (code.clone(), *unit),
                    _ => {
                        let unit = units.get(batch).copied().unwrap_or(Unit::Each);
                        let code: Shared = batch.into();
                        last_batch = Some((code.clone(), unit));
                        (code, unit)
                    }
                };
                let code = r.str(0)?;
                let (shipment_code, [order_number, customer_code, shipped_at]) =
                    match seen.get_key_value(code) {
                        Some((code, texts)) => (code.clone(), texts.clone()),
                        None => {
                            let code: Shared = code.into();
                            let texts = [
                                Shared::from(r.str(1)?),
                                customers.get(r.str(2)?),
                                Shared::from(r.str(5)?),
                            ];
                            seen.insert(code.clone(), texts.clone());
                            (code, texts)
                        }
                    };
                shipments.push(ForwardShipment {
                    shipment_code,
                    order_number,
                    customer_code,
                    batch_code,
                    quantity: Amount::new(r.get(4)?, unit),
                    shipped_at,
                });
                Ok(())
            },
        )?;
        // oldest first; ties keep the index's (batch, shipment, line) order. The rows come
        // in sorted runs (one per batch), which a stable merge sort takes as they are;
        // sorting positions moves 4 bytes per step instead of a whole shipment line.
        fn key(s: &ForwardShipment) -> (&str, &str, &str) {
            (&s.shipped_at, &s.shipment_code, &s.batch_code)
        }
        let mut order: Vec<u32> = (0..shipments.len() as u32).collect();
        order.sort_by(|&a, &b| key(&shipments[a as usize]).cmp(&key(&shipments[b as usize])));
        let mut slots: Vec<Option<ForwardShipment>> = shipments.into_iter().map(Some).collect();
        let shipments = order
            .into_iter()
            .filter_map(|i| slots[i as usize].take())
            .collect();
        Ok(shipments)
    }

    /// The customers with these codes, in the order given; a code no longer in the master
    /// data is still listed, by code, without contacts.
    fn customers(&self, codes: &[&str]) -> Result<Vec<Customer>, StoreError> {
        let contact = |r: &super::sql::Row<'_>| -> super::sql::Result<Customer> {
            Ok(Customer {
                code: r.get(0)?,
                name: r.get(1)?,
                email: r.get(2)?,
                phone: r.get(3)?,
                address: r.get(4)?,
            })
        };
        let mut found: Vec<Option<Customer>> = vec![None; codes.len()];
        // a customer into every slot that names it: copies only for the second and later
        fn place(found: &mut [Option<Customer>], slots: &[usize], customer: Customer) {
            if let Some((&last, rest)) = slots.split_last() {
                for &i in rest {
                    found[i] = Some(customer.clone());
                }
                found[last] = Some(customer);
            }
        }
        if self.db.statements_cost_round_trips() {
            // over the network every query is a round trip: all of them in one, by the
            // code as recorded (an index on the exact text: the citext key compares by
            // lower-casing both sides, three times slower for a recall's thousands)...
            let mut slots: FxHashMap<&str, Vec<usize>> = FxHashMap::default();
            for (i, c) in codes.iter().enumerate() {
                slots.entry(c).or_default().push(i);
            }
            self.db.each(
                "SELECT code, name, email, phone, address FROM customers
                 WHERE CAST(code AS TEXT) COLLATE \"C\" IN (SELECT value FROM json_each($1))",
                params![json_list(slots.keys())],
                |row| {
                    if let Some(at) = slots.get(row.str(0)?) {
                        place(&mut found, at, contact(row)?);
                    }
                    Ok(())
                },
            )?;
            // ...then any spelled otherwise than in the master data, case ignored
            let wanted: FxHashMap<String, Vec<usize>> = codes
                .iter()
                .enumerate()
                .filter(|(i, _)| found[*i].is_none())
                .fold(FxHashMap::default(), |mut map, (i, c)| {
                    map.entry(c.to_lowercase()).or_default().push(i);
                    map
                });
            if !wanted.is_empty() {
                self.db.each(
                    "SELECT code, name, email, phone, address FROM customers
                     WHERE code IN (SELECT CAST(value AS citext) FROM json_each($1))",
                    params![json_list(wanted.keys())],
                    |row| {
                        if let Some(slots) = wanted.get(&row.str(0)?.to_lowercase()) {
                            place(&mut found, slots, contact(row)?);
                        }
                        Ok(())
                    },
                )?;
            }
        }
        // a recall reaching half of all customers or more reads the table once, looking at
        // the code alone and reading contacts only for the wanted rows; fewer are looked up
        // by key in one statement (and the table is not even counted: counting walks it).
        // Counted with callgrind on the large history: a row of the scan costs about 1,900
        // instructions, a customer found by key about 4,000 (at a tenth, the scan cost
        // twice what the keys did)
        let scan = !self.db.statements_cost_round_trips()
            && codes.len() >= SCAN_CUSTOMERS_FROM
            && codes.len().saturating_mul(2) >= self.customer_count()?;
        if scan {
            let wanted: FxHashMap<&str, usize> =
                codes.iter().enumerate().map(|(i, c)| (*c, i)).collect();
            self.db.each(
                "SELECT code, name, email, phone, address FROM customers",
                params![],
                |row| {
                    if let Some(&i) = wanted.get(row.str(0)?) {
                        found[i] = Some(contact(row)?);
                    }
                    Ok(())
                },
            )?;
        }
        // the rest by key, one prepared statement stepped per customer (the key ignores
        // case, as the master data does). Counted with callgrind on the large history,
        // whole command: 53.8 M instructions for the 1,600-customer blend lot against
        // 59.4 M when the codes went in one `IN (SELECT value FROM json_each(?))`, which
        // SQLite first copies into a temporary index, comparing case-blind as it goes
        let stmt = "SELECT code, name, email, phone, address FROM customers WHERE code = $1";
        for (slot, code) in found.iter_mut().zip(codes) {
            if slot.is_none() {
                *slot = self.db.row(stmt, params![code], contact).optional()?;
            }
        }
        Ok(found
            .into_iter()
            .zip(codes)
            .map(|(customer, code)| {
                let mut customer = customer.unwrap_or_else(|| Customer {
                    code: code.to_string(),
                    name: String::new(),
                    email: String::new(),
                    phone: String::new(),
                    address: String::new(),
                });
                // listed under the code the shipments carry
                if customer.code != *code {
                    customer.code = code.to_string();
                }
                customer
            })
            .collect())
    }

    /// What is left of each lot or batch: received or made, minus live consumptions,
    /// waste and shipments. Void lots and batches are left out.
    pub(crate) fn balances(
        &self,
        codes: &[String],
        shipped: &FxHashMap<&str, i64>,
    ) -> Result<HashMap<String, i64>, StoreError> {
        // one statement (one round trip on PostgreSQL): what came in, less what was used
        // and written off; what was shipped the caller has read already (a second walk
        // of the same shipment lines, in another index, was a tenth of a trace)
        let stmt = &format!(
            "SELECT code, quantity FROM lots WHERE code IN (SELECT value FROM json_each($1))
               AND NOT EXISTS (SELECT 1 FROM corrections k WHERE k.target_kind = 'lot' AND k.target_code = lots.code)
             UNION ALL
             SELECT batch_code, yield_quantity FROM batch_closures WHERE batch_code IN (SELECT value FROM json_each($1))
               AND NOT EXISTS (SELECT 1 FROM corrections k WHERE k.target_kind = 'batch' AND k.target_code = batch_closures.batch_code)
             UNION ALL
             SELECT code, SUM(delta) FROM adjustments WHERE code IN (SELECT value FROM json_each($1))
               AND field IN ('quantity', 'yield') GROUP BY code
             UNION ALL
             SELECT c.input_code, -SUM(c.quantity) FROM consumptions c
              WHERE c.input_code IN (SELECT value FROM json_each($1)) AND {LIVE} GROUP BY c.input_code
             UNION ALL
             SELECT code, -SUM(quantity) FROM wastes WHERE code IN (SELECT value FROM json_each($1)) GROUP BY code"
        );
        let rows = self.db.rows(stmt, params![json_list(codes)], |r| {
            Ok((r.get::<String>(0)?, r.get::<i64>(1)?))
        })?;
        let mut balances: HashMap<String, i64> = HashMap::new();
        for row in rows {
            let (code, quantity) = row;
            *balances.entry(code).or_default() += quantity;
        }
        for (code, quantity) in shipped {
            if let Some(balance) = balances.get_mut(*code) {
                *balance -= quantity;
            }
        }
        Ok(balances)
    }

    /// Everything upstream of an order, shipment, batch or lot.
    pub fn trace_backward(&self, target: &Target) -> Result<BackwardTrace, StoreError> {
        let units = self.units()?;
        let mut batches: Vec<BackwardBatch> = Vec::new();
        let mut seen: BTreeSet<String> = BTreeSet::new();
        let mut lot_use: BTreeMap<String, i64> = BTreeMap::new();
        // an order's or shipment's batches: what of each it received
        let mut shipped: HashMap<String, i64> = HashMap::new();
        let start_depth = match target {
            Target::Lot(_) | Target::SupplierLot { .. } => {
                for code in target.stock_codes() {
                    let quantity: i64 = self.db.row(
                        "SELECT quantity FROM lots WHERE code = $1",
                        params![code],
                        |r| r.get(0),
                    )?;
                    lot_use.insert(code, quantity);
                }
                0
            }
            Target::Batch(code) => {
                let sku: String = self.db.row(
                    "SELECT product_sku FROM batches WHERE code = $1",
                    params![code],
                    |r| r.get(0),
                )?;
                batches.push(BackwardBatch::new(code.clone(), sku, 0));
                seen.insert(code.clone());
                0
            }
            Target::Shipment(_) | Target::Order(_) => {
                let column = if matches!(target, Target::Shipment(_)) {
                    "s.code"
                } else {
                    "s.order_number"
                };
                let stmt = &format!(
                    "SELECT l.batch_code, b.product_sku, SUM(l.quantity) FROM shipments s
                     JOIN shipment_lines l ON l.shipment_code = s.code JOIN batches b ON b.code = l.batch_code
                     WHERE {column} = $1 AND {LIVE_SHIPMENT} GROUP BY l.batch_code, b.product_sku ORDER BY l.batch_code"
                );
                let rows = self.db.rows(stmt, params![target.code()], |r| {
                    Ok((r.get::<String>(0)?, r.get::<String>(1)?, r.get::<i64>(2)?))
                })?;
                for row in rows {
                    let (code, sku, quantity) = row;
                    *shipped.entry(code.clone()).or_default() += quantity;
                    if seen.insert(code.clone()) {
                        batches.push(BackwardBatch::new(code, sku, 1));
                    }
                }
                1
            }
        };
        let mut frontier: Vec<String> = batches.iter().map(|b| b.code.clone()).collect();
        let mut depth = start_depth;
        let stmt = &format!(
            "SELECT c.input_code, c.input_kind, c.quantity, COALESCE(b.product_sku, ''), c.batch_code,
                    COALESCE(l.item_sku, b.product_sku, '')
             FROM consumptions c LEFT JOIN batches b ON b.code = c.input_code
             LEFT JOIN lots l ON l.code = c.input_code
             WHERE c.batch_code IN (SELECT value FROM json_each($1)) AND {LIVE} ORDER BY c.id"
        );
        // (consuming batch, input, input is a batch, quantity), for the shares
        let mut edges: Vec<(String, String, bool, i64)> = Vec::new();
        let mut inputs: HashMap<String, Vec<BackwardInput>> = HashMap::new();
        while !frontier.is_empty() && depth < MAX_DEPTH {
            depth += 1;
            let rows = self.db.rows(stmt, params![json_list(&frontier)], |r| {
                Ok((
                    r.get::<String>(0)?,
                    r.get::<String>(1)?,
                    r.get::<i64>(2)?,
                    r.get::<String>(3)?,
                    r.get::<String>(4)?,
                    r.get::<String>(5)?,
                ))
            })?;
            let mut next = Vec::new();
            for (input, kind, quantity, product, consumer, input_sku) in rows {
                let unit = units.get(&input_sku).copied().unwrap_or(Unit::Each);
                let consumed = inputs.entry(consumer.clone()).or_default();
                match consumed.iter_mut().find(|i| i.code == input) {
                    Some(line) => line.quantity.base += quantity,
                    None => consumed.push(BackwardInput {
                        code: input.clone(),
                        kind: kind.clone(),
                        quantity: Amount::new(quantity, unit),
                        unit,
                    }),
                }
                edges.push((consumer, input.clone(), kind != "lot", quantity));
                if kind == "lot" {
                    *lot_use.entry(input).or_default() += quantity;
                } else if seen.insert(input.clone()) {
                    batches.push(BackwardBatch::new(input.clone(), product, depth));
                    next.push(input);
                }
            }
            frontier = next;
        }
        // each batch's yield, and for an order or shipment what of each batch and lot
        // reached it
        let codes: Vec<String> = batches.iter().map(|b| b.code.clone()).collect();
        let mut yields: HashMap<String, i64> = HashMap::new();
        let stmt = "SELECT batch_code, yield_quantity FROM batch_closures
             WHERE batch_code IN (SELECT value FROM json_each($1))
             UNION ALL
             SELECT code, SUM(delta) FROM adjustments
             WHERE code IN (SELECT value FROM json_each($1)) AND field = 'yield' GROUP BY code";
        for row in self.db.rows(stmt, params![json_list(&codes)], |r| {
            Ok((r.get::<String>(0)?, r.get::<i64>(1)?))
        })? {
            // the recorded yield, and any corrections of it
            let (code, quantity) = row;
            *yields.entry(code).or_default() += quantity;
        }
        let (batch_reach, lot_reach) = if shipped.is_empty() {
            Default::default()
        } else {
            crate::core::trace::shares_reached(&shipped, &edges, &yields)
        };
        for batch in &mut batches {
            let unit = units.get(&batch.product_sku).copied().unwrap_or(Unit::Each);
            batch.inputs = inputs.remove(&batch.code).unwrap_or_default();
            batch.yield_quantity = yields.get(&batch.code).map(|y| Amount::new(*y, unit));
            if let Some((got, share)) = batch_reach.get(&batch.code) {
                batch.reached = Some(Amount::new(got.round() as i64, unit));
                batch.share = share.map(|s| (s * 10_000.0).round() / 10_000.0);
            }
        }
        let stmt =
            "SELECT code, item_sku, supplier_code, supplier_lot, invoice, received_at FROM lots
             WHERE code IN (SELECT value FROM json_each($1)) ORDER BY code";
        let lots = self
            .db
            .rows(stmt, params![json_list(lot_use.keys())], |r| {
                let code: String = r.get(0)?;
                let sku: String = r.get(1)?;
                let unit = units.get(&sku).copied().unwrap_or(Unit::Each);
                Ok(BackwardLot {
                    reached: lot_reach
                        .get(&code)
                        .map(|q| Amount::new(q.round() as i64, unit)),
                    quantity_consumed: Amount::new(lot_use.get(&code).copied().unwrap_or(0), unit),
                    code,
                    item_sku: sku,
                    supplier_code: r.get(2)?,
                    supplier_lot: r.get(3)?,
                    invoice: r.get(4)?,
                    received_at: r.get(5)?,
                    unit,
                })
            })?;
        let supplier_codes: BTreeSet<&String> = lots.iter().map(|l| &l.supplier_code).collect();
        let stmt = "SELECT code, name, contact, email, phone FROM suppliers WHERE code IN (SELECT value FROM json_each($1)) ORDER BY code";
        let suppliers = self
            .db
            .rows(stmt, params![json_list(supplier_codes)], |r| {
                Ok(Supplier {
                    code: r.get(0)?,
                    name: r.get(1)?,
                    contact: r.get(2)?,
                    email: r.get(3)?,
                    phone: r.get(4)?,
                })
            })?;
        batches.sort_by(|a, b| a.depth.cmp(&b.depth).then_with(|| a.code.cmp(&b.code)));
        Ok(BackwardTrace {
            root: target.root(),
            batches,
            lots,
            suppliers,
        })
    }

    /// On hand per lot and batch, with status and the item's days of cover.
    pub fn stock(
        &self,
        item: Option<&str>,
        today: jiff::civil::Date,
        include_empty: bool,
    ) -> Result<Vec<StockRow>, StoreError> {
        let units = self.units()?;
        let mut rows: Vec<StockSource> = Vec::new();
        {
            let stmt = "SELECT code, item_sku, quantity, expiry, supplier_code, supplier_lot FROM lots
                 WHERE (CAST($1 AS TEXT) IS NULL OR item_sku = $1)
                 AND NOT EXISTS (SELECT 1 FROM corrections k WHERE k.target_kind = 'lot' AND k.target_code = lots.code)
                 ORDER BY item_sku, code";
            let lots = self.db.rows(stmt, params![item], |r| {
                Ok((
                    r.get(0)?,
                    "lot",
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            })?;
            for lot in lots {
                rows.push(lot);
            }
            let stmt = "SELECT b.code, b.product_sku, c.yield_quantity, c.expiry FROM batches b
                 JOIN batch_closures c ON c.batch_code = b.code
                 WHERE (CAST($1 AS TEXT) IS NULL OR b.product_sku = $1)
                 AND NOT EXISTS (SELECT 1 FROM corrections k WHERE k.target_kind = 'batch' AND k.target_code = b.code)
                 ORDER BY b.product_sku, b.code";
            let batches = self.db.rows(stmt, params![item], |r| {
                Ok((
                    r.get(0)?,
                    "batch",
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    None,
                    None,
                ))
            })?;
            for batch in batches {
                rows.push(batch);
            }
        }
        let mut used: HashMap<String, i64> = HashMap::new();
        for (sql, sign) in [
            (
                format!(
                    "SELECT c.input_code, SUM(c.quantity) FROM consumptions c WHERE {LIVE} GROUP BY c.input_code"
                ),
                1,
            ),
            (
                "SELECT code, SUM(quantity) FROM wastes GROUP BY code".to_string(),
                1,
            ),
            (
                format!(
                    "SELECT l.batch_code, SUM(l.quantity) FROM shipment_lines l JOIN shipments s ON s.code = l.shipment_code
                     WHERE {LIVE_SHIPMENT} GROUP BY l.batch_code"
                ),
                1,
            ),
        ] {
            let stmt = &sql;
            let found =
                self.db.rows(stmt, params![], |r| Ok((r.get::<String>(0)?, r.get::<i64>(1)?)))?;
            for row in found {
                let (code, quantity) = row;
                *used.entry(code).or_default() += sign * quantity;
            }
        }
        // corrections after the fact: a count moves what is on hand, a corrected yield what
        // was made, the newest expiry set replaces the recorded one
        let mut yields: HashMap<String, i64> = HashMap::new();
        let mut expiries: HashMap<String, String> = HashMap::new();
        {
            let stmt = "SELECT code, field, delta, value FROM adjustments ORDER BY id";
            let found = self.db.rows(stmt, params![], |r| {
                Ok((
                    r.get::<String>(0)?,
                    r.get::<String>(1)?,
                    r.get::<i64>(2)?,
                    r.get::<String>(3)?,
                ))
            })?;
            for row in found {
                let (code, field, delta, value) = row;
                match field.as_str() {
                    "quantity" => *used.entry(code).or_default() -= delta,
                    "yield" => *yields.entry(code).or_default() += delta,
                    _ => {
                        expiries.insert(code, value);
                    }
                }
            }
        }
        let mut statuses: HashMap<String, String> = HashMap::new();
        {
            let stmt = "SELECT code, status FROM status_changes ORDER BY id";
            let found = self.db.rows(stmt, params![], |r| {
                Ok((r.get::<String>(0)?, r.get::<String>(1)?))
            })?;
            for row in found {
                let (code, status) = row;
                statuses.insert(code, status);
            }
        }
        // what each item used over the last days of production, for its days of cover
        let since = today
            .checked_sub(jiff::Span::new().days(crate::core::trace::COVER_WINDOW_DAYS))
            .unwrap_or(today)
            .to_string();
        let mut used_lately: HashMap<String, i64> = HashMap::new();
        let mut first_used: HashMap<String, jiff::civil::Date> = HashMap::new();
        {
            let stmt = &format!(
                "SELECT COALESCE(l.item_sku, ib.product_sku),
                        SUM(CASE WHEN b.production_date >= $1 THEN c.quantity ELSE 0 END),
                        MIN(b.production_date)
                 FROM consumptions c JOIN batches b ON b.code = c.batch_code
                 LEFT JOIN lots l ON l.code = c.input_code LEFT JOIN batches ib ON ib.code = c.input_code
                 WHERE {LIVE} GROUP BY 1"
            );
            let found = self.db.rows(stmt, params![&since], |r| {
                Ok((
                    r.get::<Option<String>>(0)?,
                    r.get::<i64>(1)?,
                    r.get::<String>(2)?,
                ))
            })?;
            for row in found {
                if let (Some(sku), quantity, first) = row {
                    if let Ok(first) = first.parse() {
                        first_used.insert(sku.clone(), first);
                    }
                    used_lately.insert(sku, quantity);
                }
            }
        }
        let facts = crate::core::trace::StockFacts {
            used,
            statuses,
            used_lately,
            first_used,
            units,
        };
        let rows = rows
            .into_iter()
            .map(
                |(code, kind, item_sku, initial, expiry, supplier_code, supplier_lot)| {
                    let initial = initial + yields.get(&code).copied().unwrap_or(0);
                    let expiry = expiries.get(&code).cloned().or(expiry);
                    crate::core::trace::StockSource {
                        code,
                        kind,
                        item_sku,
                        initial,
                        expiry,
                        supplier_code,
                        supplier_lot,
                    }
                },
            )
            .collect();
        let out = crate::core::trace::stock_list(rows, &facts, today, include_empty);
        Ok(out)
    }

    /// Records a recall: the lot becomes `recalled`, every downstream batch not already
    /// blocked goes on hold. One transaction; returns the journal head after it.
    pub fn record_recall(
        &mut self,
        target: &Target,
        downstream: &[String],
        at: jiff::Timestamp,
        operator: Option<&str>,
    ) -> Result<String, StoreError> {
        let mut tx = self.begin()?;
        let current = |tx: &super::StoreTx<'_>, code: &str| -> Result<Option<String>, StoreError> {
            Ok(tx
                .db
                .row(
                    "SELECT status FROM status_changes WHERE code = $1 ORDER BY id DESC LIMIT 1",
                    params![code],
                    |r| r.get(0),
                )
                .optional()?)
        };
        for lot in target.stock_codes() {
            if current(&tx, &lot)?.as_deref() != Some("recalled") {
                let record = Record::StatusChange {
                    code: lot,
                    status: Status::Recalled,
                    reason: match target {
                        Target::SupplierLot { number, .. } => {
                            format!("recall of supplier lot {number}")
                        }
                        _ => "recall".into(),
                    },
                    at,
                };
                tx.append_record(&record, None, operator, at, None)?;
            }
        }
        for batch in downstream {
            if current(&tx, batch)?.is_none_or(|s| s == "available") {
                let record = Record::StatusChange {
                    code: batch.clone(),
                    status: Status::Hold,
                    reason: format!("downstream of recalled {} {}", target.kind(), target.code()),
                    at,
                };
                tx.append_record(&record, None, operator, at, None)?;
            }
        }
        tx.commit()?;
        Ok(self.head()?.map(|(_, hash)| hash).unwrap_or_default())
    }
}

impl Store {
    /// (code, item, supplier, supplier lot, received at) of a lot, or the product and
    /// production date of a batch, for a report's heading.
    pub fn lot_facts(
        &self,
        code: &str,
    ) -> Result<(String, String, String, String, String), StoreError> {
        let lot = self.db
            .row(
                "SELECT l.item_sku || ' ' || COALESCE(i.name, ''), l.supplier_code || ' ' || COALESCE(s.name, ''),
                        l.supplier_lot, l.received_at
                 FROM lots l LEFT JOIN items i ON i.sku = l.item_sku LEFT JOIN suppliers s ON s.code = l.supplier_code
                 WHERE l.code = $1",
                params![code],
                |r| Ok((code.to_string(), r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        if let Some(lot) = lot {
            return Ok(lot);
        }
        Ok(self.db.row(
            "SELECT b.product_sku || ' ' || COALESCE(i.name, ''), b.production_date FROM batches b
             LEFT JOIN items i ON i.sku = b.product_sku WHERE b.code = $1",
            params![code],
            |r| {
                Ok((
                    code.to_string(),
                    r.get(0)?,
                    "our own batch".to_string(),
                    "-".to_string(),
                    r.get(1)?,
                ))
            },
        )?)
    }
}

impl Store {
    /// The lot consumed by the most batches (the worst case of a forward trace).
    pub fn most_used_lot(&self) -> Result<Option<String>, StoreError> {
        Ok(self
            .db
            .row(
                "SELECT input_code FROM consumptions WHERE input_kind = 'lot'
                 GROUP BY input_code ORDER BY COUNT(*) DESC, input_code LIMIT 1",
                params![],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Lots that reach customers through a blend (a batch used in other batches), those
    /// in the most such batches first, at most `limit`. For the benchmark.
    pub fn blend_lots(&self, limit: usize) -> Result<Vec<String>, StoreError> {
        Ok(self.db.rows(
            "SELECT c.input_code FROM consumptions c
             JOIN consumptions used ON used.input_code = c.batch_code AND used.input_kind = 'batch'
             WHERE c.input_kind = 'lot'
             GROUP BY c.input_code ORDER BY COUNT(*) DESC, c.input_code LIMIT $1",
            params![limit as i64],
            |r| r.get(0),
        )?)
    }

    /// How many customers the master data has.
    pub fn customer_count(&self) -> Result<usize, StoreError> {
        let n: i64 = self
            .db
            .row("SELECT COUNT(*) FROM customers", params![], |r| r.get(0))?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    /// A supplier, a material and its unit, to receive in the benchmark.
    pub fn bench_receipt_codes(&self) -> Result<(String, String, String), StoreError> {
        let supplier: String = self.db.row(
            "SELECT code FROM suppliers ORDER BY code LIMIT 1",
            params![],
            |r| r.get(0),
        )?;
        let (item, unit): (String, String) = self.db.row(
            "SELECT sku, unit FROM items WHERE kind = 'material' ORDER BY sku LIMIT 1",
            params![],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok((supplier, item, unit))
    }

    /// About `n` order numbers spread over the history, chosen by `seed`.
    pub fn sample_orders(&self, n: usize, seed: u64) -> Result<Vec<String>, StoreError> {
        let total: i64 = self
            .db
            .row("SELECT COUNT(*) FROM shipments", params![], |r| r.get(0))?;
        let step = (total / n.max(1) as i64).max(1);
        // the shipments in the order they were recorded (their journal entries)
        let stmt = "SELECT order_number FROM shipments WHERE journal_seq % $1 = $2 ORDER BY journal_seq LIMIT $3";
        let orders = self.db.rows(
            stmt,
            params![step, (seed as i64).rem_euclid(step), n as i64],
            |r| r.get(0),
        )?;
        Ok(orders)
    }
}
