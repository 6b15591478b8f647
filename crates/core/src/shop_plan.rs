//! A shop's orders as a planner: the orders read from its export (`shops::read`), the SKU
//! map and what the records hold (the `ShopRecords` trait, which the store answers) in;
//! the customers and orders to write, what was skipped and what not to ship out, or the
//! reason the import is refused. No database: the rules are tested here in memory.
//!
//! The rules: a customer is found by email across shops, else by this shop's buyer id,
//! else by name and address; a new one is keyed by the email (or shop and buyer, or shop
//! and slip number). What the shop says of a customer replaces what is known only where it
//! says something (an email the same but for case stays as first written). A line becomes
//! our item through the SKU map (by the shop's SKU, then by the product's name), else by
//! its own SKU; lines of one item add up. An order unchanged is not written again, so that
//! importing the same export twice records nothing; an order number another shop (or our
//! own orders.csv) has is refused. Each row sees what the rows before it planned.

use std::collections::BTreeMap;

use crate::codes::{Amount, Unit};
use crate::shops::{Shop, ShopOrder};

/// A shop line that did not become an order line: its SKU is none of our items and the
/// SKU map does not name one.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SkippedLine {
    pub file: String,
    pub line: u64,
    pub order: String,
    pub sku: String,
    pub name: String,
}

/// Shop SKUs (or product names) to our SKUs, compared case-blind, each with what one unit
/// of the shop's line is of our item where it is not one of its units (a 500 g bag of a
/// product kept in grams, a six-pack of bars).
#[derive(Debug, Clone, Default)]
pub struct SkuMap {
    map: BTreeMap<String, (String, Option<Amount>)>,
}

impl SkuMap {
    pub fn insert(&mut self, shop: &str, ours: &str) {
        self.map
            .insert(shop.trim().to_lowercase(), (ours.trim().to_string(), None));
    }

    /// One unit of the shop's line is `per` of our item (`500 g`, `6`).
    pub fn insert_pack(&mut self, shop: &str, ours: &str, per: Amount) {
        self.map.insert(
            shop.trim().to_lowercase(),
            (ours.trim().to_string(), Some(per)),
        );
    }

    fn get(&self, key: &str) -> Option<(&str, Option<Amount>)> {
        let key = key.trim();
        if key.is_empty() {
            return None;
        }
        self.map
            .get(&key.to_lowercase())
            .map(|(sku, per)| (sku.as_str(), *per))
    }

    pub fn targets(&self) -> impl Iterator<Item = (&str, &str)> {
        self.map.iter().map(|(k, (v, _))| (k.as_str(), v.as_str()))
    }
}

/// A customer's name, email, phone and address.
pub type Contact = [String; 4];

/// An order as the records have it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownOrder {
    pub customer_code: String,
    pub ordered_at: String,
    /// the shop's name (`""` for our own orders.csv)
    pub shop: String,
    pub status: String,
    /// (SKU, base units), in line order
    pub lines: Vec<(String, i64)>,
    /// the buyer's note and the shipping method, for the packer
    pub note: String,
    pub shipping: String,
}

/// What the records hold, as the rules ask it.
pub trait ShopRecords {
    type Error;
    /// Every item: its SKU and unit.
    fn items(&mut self) -> Result<Vec<(String, Unit)>, Self::Error>;
    /// The first customer (by code) with this email, case ignored.
    fn customer_by_email(&mut self, email: &str) -> Result<Option<String>, Self::Error>;
    /// The first customer (by code) with this name and address, case ignored.
    fn customer_by_name_and_address(
        &mut self,
        name: &str,
        address: &str,
    ) -> Result<Option<String>, Self::Error>;
    /// The customer with this code, and what is known of them.
    fn customer(&mut self, code: &str) -> Result<Option<(String, Contact)>, Self::Error>;
    fn order(&mut self, number: &str) -> Result<Option<KnownOrder>, Self::Error>;
}

/// Why no plan: the import is refused (in words), or the records could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShopPlanError<E> {
    Refused(String),
    Known(E),
}

/// One write of the plan, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShopWrite {
    NewCustomer {
        code: String,
        contact: Contact,
    },
    Customer {
        code: String,
        contact: Contact,
    },
    /// the order with its lines replaced
    Order {
        number: String,
        customer_code: String,
        ordered_at: String,
        status: &'static str,
        lines: Vec<(String, i64)>,
        note: String,
        shipping: String,
    },
}

/// What an import of a shop's orders will do.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShopPlan {
    pub orders_new: usize,
    pub orders_updated: usize,
    pub customers_new: usize,
    pub customers_updated: usize,
    /// orders the shop says are cancelled, refunded or shipped already: (number, status)
    pub not_to_ship: Vec<(String, &'static str)>,
    pub skipped: Vec<SkippedLine>,
    /// orders none of whose lines is one of our items: not imported
    pub without_ours: Vec<String>,
    pub writes: Vec<ShopWrite>,
}

impl ShopPlan {
    /// Whether the import changes anything (and so is journaled).
    pub fn changes(&self) -> bool {
        self.orders_new + self.orders_updated + self.customers_new + self.customers_updated > 0
    }
}

/// Plans the import of `orders` from `shop`.
pub fn plan<R: ShopRecords>(
    shop: Shop,
    orders: &[ShopOrder],
    skus: &SkuMap,
    records: &mut R,
) -> Result<ShopPlan, ShopPlanError<R::Error>> {
    let known = |e| ShopPlanError::Known(e);
    // our items, by SKU case-blind, with their units
    let items: BTreeMap<String, (String, Unit)> = records
        .items()
        .map_err(known)?
        .into_iter()
        .map(|(sku, unit)| (sku.to_lowercase(), (sku, unit)))
        .collect();
    for (shop_sku, ours) in skus.targets() {
        if !items.contains_key(&ours.to_lowercase()) {
            return Err(ShopPlanError::Refused(format!(
                "the SKU map sends {shop_sku:?} to {ours:?}, which is not one of our items"
            )));
        }
    }
    let mut plan = ShopPlan::default();
    // what this import has planned so far: customers by code (with their contact),
    // orders by number
    let mut customers: BTreeMap<String, Contact> = BTreeMap::new();
    let mut counted: Vec<String> = Vec::new();
    let mut planned_orders: BTreeMap<String, KnownOrder> = BTreeMap::new();
    for order in orders {
        // the lines, as our items
        let mut lines: Vec<(String, i64)> = Vec::new();
        for line in &order.lines {
            // the map by the shop's SKU, then by the product's name; else the SKU itself
            let (key, per) = skus
                .get(&line.sku)
                .or_else(|| skus.get(&line.name))
                .unwrap_or((line.sku.trim(), None));
            let Some((sku, unit)) = items.get(&key.to_lowercase()) else {
                plan.skipped.push(SkippedLine {
                    file: order.file.clone(),
                    line: line.line,
                    order: order.number.clone(),
                    sku: line.sku.clone(),
                    name: line.name.clone(),
                });
                continue;
            };
            // the shop's count of our units, or of packs of the size the map gives
            let amount = match per {
                Some(per) => per.times(line.quantity),
                None => Ok(Amount {
                    value: line.quantity,
                    unit: None,
                }),
            };
            let quantity = amount.and_then(|a| a.of(*unit)).map_err(|e| {
                ShopPlanError::Refused(format!(
                    "{} line {}: order {} quantity: {e}",
                    order.file, line.line, order.number
                ))
            })?;
            match lines.iter_mut().find(|(s, _)| s == sku) {
                Some((_, q)) => *q += quantity.base,
                None => lines.push((sku.clone(), quantity.base)),
            }
        }
        // an order with nothing of ours (gift cards, items not mapped) is not one to pack:
        // listed, not imported (one imported before keeps what it has)
        if lines.is_empty()
            && !planned_orders.contains_key(&order.number)
            && records.order(&order.number).map_err(known)?.is_none()
        {
            if !plan.without_ours.contains(&order.number) {
                plan.without_ours.push(order.number.clone());
            }
            continue;
        }
        // the customer: by email across shops, else by this shop's buyer id, else by name
        // and address; a new one is keyed by the email (or shop and buyer)
        let c = &order.customer;
        let buyer = format!("{}-{}", shop.name(), c.buyer_id);
        let found: Option<String> = if !c.email.is_empty() {
            let email = c.email.to_lowercase();
            match customers.iter().find(|(_, k)| k[1].to_lowercase() == email) {
                Some((code, _)) => Some(code.clone()),
                None => records.customer_by_email(&c.email).map_err(known)?,
            }
        } else if !c.buyer_id.is_empty() {
            match customers.contains_key(&buyer) {
                true => Some(buyer.clone()),
                false => records
                    .customer(&buyer)
                    .map_err(known)?
                    .map(|(code, _)| code),
            }
        } else {
            let same = |k: &Contact| {
                k[0].to_lowercase() == c.name.to_lowercase()
                    && k[3].to_lowercase() == c.address.to_lowercase()
            };
            match customers.iter().find(|(_, k)| same(k)) {
                Some((code, _)) => Some(code.clone()),
                None => records
                    .customer_by_name_and_address(&c.name, &c.address)
                    .map_err(known)?,
            }
        };
        let code = match &found {
            Some(code) => code.clone(),
            None if !c.email.is_empty() => c.email.to_lowercase(),
            None if !c.buyer_id.is_empty() => buyer,
            None => format!("{}-{}", shop.name(), order.number.trim_start_matches('#')),
        };
        let existing: Option<Contact> = match customers.get(&code) {
            Some(contact) => Some(contact.clone()),
            None => records
                .customer(&code)
                .map_err(known)?
                .map(|(_, contact)| contact),
        };
        // what the shop has, where it has something
        let pick = |shop: &str, old: Option<&String>| -> String {
            if shop.is_empty() {
                old.cloned().unwrap_or_default()
            } else {
                shop.to_string()
            }
        };
        let old = |i: usize| existing.as_ref().map(|e| &e[i]);
        // an email the same but for case stays as it was written
        let email = match old(1) {
            Some(known) if known.to_lowercase() == c.email.to_lowercase() => known.clone(),
            known => pick(&c.email, known),
        };
        let mut name = pick(&c.name, old(0));
        if name.is_empty() {
            name = code.clone();
        }
        let wanted: Contact = [
            name,
            email,
            pick(&c.phone, old(2)),
            pick(&c.address, old(3)),
        ];
        match &existing {
            Some(old) if *old == wanted => {}
            Some(_) => {
                if !counted.contains(&code) {
                    counted.push(code.clone());
                    plan.customers_updated += 1;
                }
                plan.writes.push(ShopWrite::Customer {
                    code: code.clone(),
                    contact: wanted.clone(),
                });
            }
            None => {
                counted.push(code.clone());
                plan.customers_new += 1;
                plan.writes.push(ShopWrite::NewCustomer {
                    code: code.clone(),
                    contact: wanted.clone(),
                });
            }
        }
        customers.insert(code.clone(), wanted);
        if !order.status.is_packable() {
            plan.not_to_ship
                .push((order.number.clone(), order.status.name()));
        }
        // the order: unchanged, updated or new
        let old = match planned_orders.get(&order.number) {
            Some(planned) => Some(planned.clone()),
            None => records.order(&order.number).map_err(known)?,
        };
        if let Some(old) = &old
            && old.shop != shop.name()
        {
            let from = if old.shop.is_empty() {
                "orders.csv".to_string()
            } else {
                old.shop.clone()
            };
            return Err(ShopPlanError::Refused(format!(
                "{} line {}: order {} was imported from {from} already; two shops cannot share an order number",
                order.file, order.line, order.number
            )));
        }
        let now = KnownOrder {
            customer_code: code.clone(),
            ordered_at: order.ordered_at.clone(),
            shop: shop.name().to_string(),
            status: order.status.name().to_string(),
            lines: lines.clone(),
            note: order.note.clone(),
            shipping: order.shipping.clone(),
        };
        if old.as_ref() == Some(&now) {
            continue;
        }
        if old.is_some() {
            plan.orders_updated += 1;
        } else {
            plan.orders_new += 1;
        }
        planned_orders.insert(order.number.clone(), now);
        plan.writes.push(ShopWrite::Order {
            number: order.number.clone(),
            customer_code: code,
            ordered_at: order.ordered_at.clone(),
            status: order.status.name(),
            lines,
            note: order.note.clone(),
            shipping: order.shipping.clone(),
        });
    }
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::Decimal;
    use crate::shops::OrderStatus;
    use crate::shops::{ShopCustomer, ShopLine};

    /// The records as a test says they are.
    #[derive(Default)]
    struct Records {
        customers: Vec<(String, Contact)>,
        orders: Vec<(String, KnownOrder)>,
    }

    impl ShopRecords for Records {
        type Error = String;
        fn items(&mut self) -> Result<Vec<(String, Unit)>, String> {
            Ok(vec![
                ("SOAP-LAV".into(), Unit::Each),
                ("WAXMELT".into(), Unit::G),
                ("BULK".into(), Unit::Kg),
            ])
        }
        fn customer_by_email(&mut self, email: &str) -> Result<Option<String>, String> {
            Ok(self
                .customers
                .iter()
                .find(|(_, c)| c[1].eq_ignore_ascii_case(email))
                .map(|(code, _)| code.clone()))
        }
        fn customer_by_name_and_address(
            &mut self,
            name: &str,
            address: &str,
        ) -> Result<Option<String>, String> {
            Ok(self
                .customers
                .iter()
                .find(|(_, c)| {
                    c[0].eq_ignore_ascii_case(name) && c[3].eq_ignore_ascii_case(address)
                })
                .map(|(code, _)| code.clone()))
        }
        fn customer(&mut self, code: &str) -> Result<Option<(String, Contact)>, String> {
            Ok(self.customers.iter().find(|(c, _)| c == code).cloned())
        }
        fn order(&mut self, number: &str) -> Result<Option<KnownOrder>, String> {
            Ok(self
                .orders
                .iter()
                .find(|(n, _)| n == number)
                .map(|(_, o)| o.clone()))
        }
    }

    fn order(number: &str, email: &str, lines: &[(&str, &str)]) -> ShopOrder {
        ShopOrder {
            file: "orders_export.csv".into(),
            line: 2,
            number: number.into(),
            ordered_at: "2026-11-20T10:00:00Z".into(),
            status: OrderStatus::Open,
            customer: ShopCustomer {
                name: "Jose Garcia".into(),
                email: email.into(),
                phone: String::new(),
                address: "Calle 1, Madrid".into(),
                buyer_id: String::new(),
            },
            lines: lines
                .iter()
                .enumerate()
                .map(|(i, (sku, quantity))| ShopLine {
                    line: 2 + i as u64,
                    sku: sku.to_string(),
                    name: format!("{sku} from the shop"),
                    quantity: Decimal::parse(quantity).expect("decimal"),
                })
                .collect(),
            note: String::new(),
            shipping: String::new(),
        }
    }

    #[test]
    fn a_new_customer_once_for_two_orders_and_lines_through_the_map() {
        let mut records = Records::default();
        let mut skus = SkuMap::default();
        skus.insert("LAV-BAR", "SOAP-LAV");
        let orders = [
            order(
                "#1001",
                "Jose@Example.es",
                &[("LAV-BAR", "2"), ("lav-bar", "1")],
            ),
            order("#1002", "jose@example.es", &[("GIFT-CARD", "1")]),
        ];
        let planned = plan(Shop::Shopify, &orders, &skus, &mut records).expect("plan");
        assert_eq!((planned.customers_new, planned.orders_new), (1, 1));
        assert_eq!(planned.skipped.len(), 1, "the gift card is none of ours");
        assert_eq!(
            planned.without_ours,
            ["#1002"],
            "an order of a gift card alone is not one to pack"
        );
        assert!(planned.writes.contains(&ShopWrite::Order {
            number: "#1001".into(),
            customer_code: "jose@example.es".into(),
            ordered_at: "2026-11-20T10:00:00Z".into(),
            status: "open",
            lines: vec![("SOAP-LAV".into(), 3)],
            note: String::new(),
            shipping: String::new(),
        }));
    }

    #[test]
    fn the_same_export_again_changes_nothing() {
        let contact: Contact = [
            "Jose Garcia".into(),
            "Jose@Example.es".into(),
            String::new(),
            "Calle 1, Madrid".into(),
        ];
        let mut records = Records {
            customers: vec![("jose@example.es".into(), contact)],
            orders: vec![(
                "#1001".into(),
                KnownOrder {
                    customer_code: "jose@example.es".into(),
                    ordered_at: "2026-11-20T10:00:00Z".into(),
                    shop: "shopify".into(),
                    status: "open".into(),
                    lines: vec![("SOAP-LAV".into(), 2)],
                    note: String::new(),
                    shipping: String::new(),
                },
            )],
        };
        let orders = [order("#1001", "jose@example.es", &[("SOAP-LAV", "2")])];
        let planned = plan(Shop::Shopify, &orders, &SkuMap::default(), &mut records).expect("plan");
        assert!(!planned.changes(), "{planned:?}");
        assert!(planned.writes.is_empty());
        // another shop with the same number is refused
        let refused = plan(Shop::Etsy, &orders, &SkuMap::default(), &mut records);
        assert!(
            matches!(&refused, Err(ShopPlanError::Refused(why)) if why.contains("two shops cannot share an order number")),
            "{refused:?}"
        );
    }

    #[test]
    fn a_map_to_no_item_and_a_fraction_of_a_count_are_refused() {
        let mut records = Records::default();
        let mut skus = SkuMap::default();
        skus.insert("LAV-BAR", "NO-SUCH");
        let orders = [order("#1001", "a@b.c", &[("LAV-BAR", "1")])];
        assert!(matches!(
            plan(Shop::Shopify, &orders, &skus, &mut records),
            Err(ShopPlanError::Refused(why)) if why.contains("not one of our items")
        ));
        let half = [order("#1002", "a@b.c", &[("SOAP-LAV", "1.5")])];
        assert!(matches!(
            plan(Shop::Shopify, &half, &SkuMap::default(), &mut records),
            Err(ShopPlanError::Refused(why)) if why.contains("order #1002 quantity")
        ));
    }

    #[test]
    fn pack_sizes_from_the_map_become_our_units_exactly() {
        let mut records = Records::default();
        let mut skus = SkuMap::default();
        let amount = |text: &str| Amount::parse(text).expect("amount");
        skus.insert_pack("WAX-500", "WAXMELT", amount("500 g"));
        skus.insert_pack("SOAP-6PK", "SOAP-LAV", amount("6"));
        skus.insert_pack("BULK-1LB", "BULK", amount("1 lb"));
        let orders = [order(
            "#1005",
            "a@b.c",
            &[("WAX-500", "3"), ("SOAP-6PK", "2"), ("BULK-1LB", "2")],
        )];
        let planned = plan(Shop::Shopify, &orders, &skus, &mut records).expect("plan");
        let lines = planned
            .writes
            .iter()
            .find_map(|w| match w {
                ShopWrite::Order { lines, .. } => Some(lines.clone()),
                _ => None,
            })
            .expect("an order");
        assert_eq!(
            lines,
            [
                ("WAXMELT".to_string(), 1_500_000),
                ("SOAP-LAV".to_string(), 12),
                // 2 lb = 907.18474 g, to the nearest milligram
                ("BULK".to_string(), 907_185),
            ]
        );
        // a mass for a product counted in units is refused, naming the order
        let mut wrong = SkuMap::default();
        wrong.insert_pack("SOAP-1KG", "SOAP-LAV", amount("1 kg"));
        let orders = [order("#1006", "a@b.c", &[("SOAP-1KG", "1")])];
        assert!(matches!(
            plan(Shop::Shopify, &orders, &wrong, &mut records),
            Err(ShopPlanError::Refused(why)) if why.contains("order #1006 quantity")
        ));
    }
}
