//! The forward trace: from a lot or batch to every batch it went into and every customer
//! who received one, breadth first, one indexed query per level.

use std::collections::HashMap;

use crate::store::sql::{Optional, params};
use rustc_hash::{FxHashMap, FxHashSet};

use super::trace::*;
use crate::core::codes::Unit;
use crate::core::trace::{
    Amount, Customer, ForwardBatch, ForwardShipment, ForwardTrace, Interner, OnHand, Shared,
};
use crate::store::{Store, StoreError};

impl Store {
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
    pub(super) fn shipments_of(
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
    pub(super) fn customers(&self, codes: &[&str]) -> Result<Vec<Customer>, StoreError> {
        let contact = |r: &crate::store::sql::Row<'_>| -> crate::store::sql::Result<Customer> {
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
}
