//! A master-data import's rules, as a planner: the parsed file and what the records
//! already hold (the `Known` trait, which the store answers) in, the writes to make or the
//! first row that breaks a rule (located at its file, line and column) out. No database:
//! the store reads what is asked and carries the plan out in one transaction, so the rules
//! are tested here in memory and hold the same on both backends.
//!
//! The rules: a GTIN belongs to one item; an item with recorded lots or batches keeps its
//! unit's dimension; a bill of materials is a product's, made of known items, its
//! quantities converted exactly to each material's unit; an order is one customer's, that
//! customer known, its lines known items in their own units. A file is checked as it will
//! be written: a row sees the rows before it (two items of one file with one GTIN are
//! refused).

use std::collections::HashMap;

use crate::codes::{Quantity, Unit};
use crate::masterdata::{ImportError, ItemRow, MasterFile, MasterKind, PartyRow};
use crate::workflow::ItemKind;

/// An item as the records have it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownItem {
    pub kind: ItemKind,
    /// `None` when the unit recorded is not one this version reads
    pub unit: Option<Unit>,
}

/// What the records already hold, as the rules ask it.
pub trait Known {
    type Error;
    fn item(&mut self, sku: &str) -> Result<Option<KnownItem>, Self::Error>;
    /// The item other than `sku` that has this GTIN, if one has.
    fn gtin_owner(&mut self, gtin: &str, sku: &str) -> Result<Option<String>, Self::Error>;
    /// Whether lots or batches of the item are recorded.
    fn has_stock(&mut self, sku: &str) -> Result<bool, Self::Error>;
    fn supplier_exists(&mut self, code: &str) -> Result<bool, Self::Error>;
    fn customer_exists(&mut self, code: &str) -> Result<bool, Self::Error>;
    fn bom_exists(&mut self, product_sku: &str) -> Result<bool, Self::Error>;
    fn order_exists(&mut self, number: &str) -> Result<bool, Self::Error>;
}

/// Why no plan: a rule a row breaks, or the records could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanError<E> {
    Rule(ImportError),
    Known(E),
}

impl<E> From<ImportError> for PlanError<E> {
    fn from(e: ImportError) -> Self {
        PlanError::Rule(e)
    }
}

/// One write of the plan, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Write<'a> {
    /// an item inserted, or updated with the columns the file has
    Item(&'a ItemRow),
    Supplier(&'a PartyRow),
    Customer(&'a PartyRow),
    /// a product's bill of materials replaced by these lines: (material, base units of
    /// the material, batch size in base units of the product)
    Bom {
        product_sku: &'a str,
        lines: Vec<(&'a str, i64, Option<i64>)>,
    },
    /// an order (its customer and time) with its lines replaced: (SKU, base units)
    Order {
        number: &'a str,
        customer_code: &'a str,
        ordered_at: &'a str,
        lines: Vec<(&'a str, i64)>,
    },
}

impl Write<'_> {
    /// The key of what it writes (a SKU, a code, a product's SKU, an order's number).
    pub fn key(&self) -> &str {
        match self {
            Write::Item(row) => &row.sku,
            Write::Supplier(row) | Write::Customer(row) => &row.code,
            Write::Bom { product_sku, .. } => product_sku,
            Write::Order { number, .. } => number,
        }
    }
}

/// What an import will do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan<'a> {
    pub kind: MasterKind,
    /// rows of the file; for orders, orders
    pub rows: usize,
    pub inserted: usize,
    pub updated: usize,
    pub writes: Vec<Write<'a>>,
}

fn at(file: &str, line: u64, column: &str, message: String) -> ImportError {
    ImportError::at(file, line, column, message)
}

/// Plans the import of `data` (read from `file`) over what `known` holds.
pub fn plan<'a, K: Known>(
    file: &str,
    data: &'a MasterFile,
    known: &mut K,
) -> Result<Plan<'a>, PlanError<K::Error>> {
    let mut plan = Plan {
        kind: MasterKind::Items,
        rows: 0,
        inserted: 0,
        updated: 0,
        writes: Vec::new(),
    };
    let count = |plan: &mut Plan<'_>, existed: bool| {
        if existed {
            plan.updated += 1
        } else {
            plan.inserted += 1
        }
    };
    match data {
        MasterFile::Items(rows, given) => {
            plan.kind = MasterKind::Items;
            plan.rows = rows.len();
            // what the rows before this one have set: SKU → unit, SKU → (SKU as spelled,
            // GTIN); a row without a GTIN clears it only where the file has the column
            let sets_gtin = given.has("gtin") == 1;
            let mut units: HashMap<String, Unit> = HashMap::new();
            let mut gtins: HashMap<String, (&str, Option<&str>)> = HashMap::new();
            for row in rows {
                let key = row.sku.to_uppercase();
                if let Some(gtin) = &row.gtin {
                    let gtin = gtin.as_str();
                    let in_file = gtins
                        .iter()
                        .find(|(sku, (_, g))| **sku != key && *g == Some(gtin))
                        .map(|(_, (spelled, _))| spelled.to_string());
                    let owner = match in_file {
                        Some(owner) => Some(owner),
                        None => known
                            .gtin_owner(gtin, &row.sku)
                            .map_err(PlanError::Known)?
                            // unless a row before this one gave that item another GTIN
                            .filter(|owner| {
                                gtins
                                    .get(&owner.to_uppercase())
                                    .is_none_or(|(_, g)| *g == Some(gtin))
                            }),
                    };
                    if let Some(owner) = owner {
                        return Err(at(
                            file,
                            row.line,
                            "gtin",
                            format!("GTIN {gtin} belongs to item {owner} already"),
                        )
                        .into());
                    }
                }
                if row.gtin.is_some() || sets_gtin {
                    gtins.insert(
                        key.clone(),
                        (&row.sku, row.gtin.as_ref().map(|g| g.as_str())),
                    );
                }
                let recorded = known.item(&row.sku).map_err(PlanError::Known)?;
                let old_unit = units
                    .get(&key)
                    .copied()
                    .or(recorded.as_ref().and_then(|i| i.unit));
                if let Some(old) = old_unit
                    && old.dimension() != row.unit.dimension()
                    && known.has_stock(&row.sku).map_err(PlanError::Known)?
                {
                    return Err(at(
                        file,
                        row.line,
                        "unit",
                        format!(
                            "{} has recorded lots in {old}; its unit cannot become {}",
                            row.sku, row.unit
                        ),
                    )
                    .into());
                }
                count(&mut plan, recorded.is_some() || units.contains_key(&key));
                units.insert(key, row.unit);
                plan.writes.push(Write::Item(row));
            }
        }
        MasterFile::Suppliers(rows, _) | MasterFile::Customers(rows, _) => {
            let suppliers = matches!(data, MasterFile::Suppliers(..));
            plan.kind = if suppliers {
                MasterKind::Suppliers
            } else {
                MasterKind::Customers
            };
            plan.rows = rows.len();
            let mut seen: Vec<String> = Vec::new();
            for row in rows {
                let key = row.code.to_uppercase();
                let existed = seen.contains(&key)
                    || if suppliers {
                        known.supplier_exists(&row.code)
                    } else {
                        known.customer_exists(&row.code)
                    }
                    .map_err(PlanError::Known)?;
                count(&mut plan, existed);
                seen.push(key);
                plan.writes.push(if suppliers {
                    Write::Supplier(row)
                } else {
                    Write::Customer(row)
                });
            }
        }
        MasterFile::Boms(rows) => {
            plan.kind = MasterKind::Boms;
            plan.rows = rows.len();
            for row in rows {
                let product = known.item(&row.product_sku).map_err(PlanError::Known)?;
                let product_unit = match product {
                    None => {
                        return Err(at(
                            file,
                            row.line,
                            "product_sku",
                            format!("unknown item {}", row.product_sku),
                        )
                        .into());
                    }
                    Some(KnownItem {
                        kind: ItemKind::Material,
                        ..
                    }) => {
                        return Err(at(
                            file,
                            row.line,
                            "product_sku",
                            format!(
                                "{} is a material; only products have a bill of materials",
                                row.product_sku
                            ),
                        )
                        .into());
                    }
                    Some(item) => item.unit.unwrap_or(Unit::Each),
                };
                let material = known.item(&row.material_sku).map_err(PlanError::Known)?;
                let Some(material_unit) = material.and_then(|m| m.unit) else {
                    return Err(at(
                        file,
                        row.line,
                        "material_sku",
                        format!("unknown item {}", row.material_sku),
                    )
                    .into());
                };
                let quantity = Quantity::convert(row.quantity, row.unit, material_unit)
                    .map_err(|e| at(file, row.line, "unit", e.to_string()))?;
                // the batch size the quantities are for, in the product's unit
                let per = match row.per {
                    None => None,
                    Some(per) => Some(
                        Quantity::convert(per, product_unit, product_unit)
                            .map_err(|e| at(file, row.line, "per", e.to_string()))?
                            .base,
                    ),
                };
                let line = (row.material_sku.as_str(), quantity.base, per);
                let planned = plan.writes.iter_mut().find_map(|w| match w {
                    Write::Bom { product_sku, lines } if *product_sku == row.product_sku => {
                        Some(lines)
                    }
                    _ => None,
                });
                match planned {
                    Some(lines) => lines.push(line),
                    None => {
                        let existed = known
                            .bom_exists(&row.product_sku)
                            .map_err(PlanError::Known)?;
                        count(&mut plan, existed);
                        plan.writes.push(Write::Bom {
                            product_sku: &row.product_sku,
                            lines: vec![line],
                        });
                    }
                }
            }
        }
        MasterFile::Orders(rows) => {
            plan.kind = MasterKind::Orders;
            // the file's lines by order, in the order each first appears
            let mut orders: Vec<Vec<&crate::masterdata::OrderRow>> = Vec::new();
            for row in rows {
                match orders
                    .iter_mut()
                    .find(|lines| lines[0].order_number == row.order_number)
                {
                    Some(lines) => {
                        if lines[0].customer_code != row.customer_code {
                            return Err(at(
                                file,
                                row.line,
                                "customer_code",
                                format!(
                                    "order {} is for customer {} on line {}",
                                    row.order_number, lines[0].customer_code, lines[0].line
                                ),
                            )
                            .into());
                        }
                        lines.push(row);
                    }
                    None => orders.push(vec![row]),
                }
            }
            plan.rows = orders.len();
            for lines in &orders {
                let first = lines[0];
                if !known
                    .customer_exists(&first.customer_code)
                    .map_err(PlanError::Known)?
                {
                    return Err(at(
                        file,
                        first.line,
                        "customer_code",
                        format!("unknown customer {}", first.customer_code),
                    )
                    .into());
                }
                let existed = known
                    .order_exists(&first.order_number)
                    .map_err(PlanError::Known)?;
                count(&mut plan, existed);
                let mut planned = Vec::with_capacity(lines.len());
                for line in lines {
                    let item = known.item(&line.sku).map_err(PlanError::Known)?;
                    let Some(unit) = item.and_then(|i| i.unit) else {
                        return Err(at(
                            file,
                            line.line,
                            "sku",
                            format!("unknown item {}", line.sku),
                        )
                        .into());
                    };
                    let quantity = line
                        .quantity
                        .of(unit)
                        .map_err(|e| at(file, line.line, "quantity", e.to_string()))?;
                    planned.push((line.sku.as_str(), quantity.base));
                }
                plan.writes.push(Write::Order {
                    number: &first.order_number,
                    customer_code: &first.customer_code,
                    ordered_at: &first.ordered_at,
                    lines: planned,
                });
            }
        }
    }
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::{Decimal, Gtin};
    use crate::masterdata::{BomRow, Given, OrderRow};

    /// The records as a test says they are.
    #[derive(Default)]
    struct Records {
        items: Vec<(&'static str, ItemKind, Unit, Option<&'static str>, bool)>,
        customers: Vec<&'static str>,
    }

    impl Known for Records {
        type Error = String;
        fn item(&mut self, sku: &str) -> Result<Option<KnownItem>, String> {
            Ok(self
                .items
                .iter()
                .find(|i| i.0.eq_ignore_ascii_case(sku))
                .map(|i| KnownItem {
                    kind: i.1,
                    unit: Some(i.2),
                }))
        }
        fn gtin_owner(&mut self, gtin: &str, sku: &str) -> Result<Option<String>, String> {
            Ok(self
                .items
                .iter()
                .find(|i| i.3 == Some(gtin) && !i.0.eq_ignore_ascii_case(sku))
                .map(|i| i.0.to_string()))
        }
        fn has_stock(&mut self, sku: &str) -> Result<bool, String> {
            Ok(self.items.iter().any(|i| i.0 == sku && i.4))
        }
        fn supplier_exists(&mut self, _: &str) -> Result<bool, String> {
            Ok(false)
        }
        fn customer_exists(&mut self, code: &str) -> Result<bool, String> {
            Ok(self.customers.contains(&code))
        }
        fn bom_exists(&mut self, _: &str) -> Result<bool, String> {
            Ok(false)
        }
        fn order_exists(&mut self, _: &str) -> Result<bool, String> {
            Ok(false)
        }
    }

    fn item(line: u64, sku: &str, unit: Unit, gtin: Option<&str>) -> ItemRow {
        ItemRow {
            line,
            sku: sku.into(),
            name: sku.into(),
            kind: ItemKind::Material,
            unit,
            lot_prefix: None,
            gtin: gtin.map(|g| Gtin::parse(g).expect("gtin")),
            shelf_life_days: None,
            net_content: None,
            pao_months: None,
            reorder_point: None,
        }
    }

    fn rule<E: std::fmt::Debug>(result: Result<Plan<'_>, PlanError<E>>) -> String {
        match result {
            Err(PlanError::Rule(e)) => e.to_string(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn items_keep_their_gtins_apart_within_a_file_and_against_the_records() {
        let mut records = Records {
            items: vec![(
                "OLIVE",
                ItemKind::Material,
                Unit::Kg,
                Some("09501101530003"),
                true,
            )],
            ..Records::default()
        };
        let file = MasterFile::Items(
            vec![
                item(2, "LYE", Unit::Kg, Some("09501101530010")),
                item(3, "SODA", Unit::Kg, Some("09501101530010")),
            ],
            Given::default(),
        );
        assert_eq!(
            rule(plan("items.csv", &file, &mut records)),
            "items.csv line 3, column gtin: GTIN 09501101530010 belongs to item LYE already"
        );
        let taken = MasterFile::Items(
            vec![item(2, "LYE", Unit::Kg, Some("09501101530003"))],
            Given::default(),
        );
        assert!(rule(plan("items.csv", &taken, &mut records)).contains("belongs to item OLIVE"));
        // moving a GTIN from one item to another in the same file: taken from the first
        // before it is given to the second (a file without the column cannot take it)
        let moved = MasterFile::Items(
            vec![
                item(2, "OLIVE", Unit::Kg, None),
                item(3, "LYE", Unit::Kg, Some("09501101530003")),
            ],
            Given::columns(&["sku", "name", "kind", "unit", "gtin"]),
        );
        let planned = plan("items.csv", &moved, &mut records).expect("plan");
        assert_eq!((planned.inserted, planned.updated), (1, 1));
        let kept = MasterFile::Items(
            vec![
                item(2, "OLIVE", Unit::Kg, None),
                item(3, "LYE", Unit::Kg, Some("09501101530003")),
            ],
            Given::default(),
        );
        assert!(rule(plan("items.csv", &kept, &mut records)).contains("belongs to item OLIVE"));
        let late = MasterFile::Items(
            vec![
                item(2, "LYE", Unit::Kg, Some("09501101530003")),
                item(3, "OLIVE", Unit::Kg, None),
            ],
            Given::columns(&["sku", "name", "kind", "unit", "gtin"]),
        );
        assert!(rule(plan("items.csv", &late, &mut records)).contains("line 2"));
    }

    #[test]
    fn an_item_with_lots_keeps_its_dimension() {
        let mut records = Records {
            items: vec![("OLIVE", ItemKind::Material, Unit::Kg, None, true)],
            ..Records::default()
        };
        let file = MasterFile::Items(vec![item(4, "OLIVE", Unit::L, None)], Given::default());
        assert_eq!(
            rule(plan("items.csv", &file, &mut records)),
            "items.csv line 4, column unit: OLIVE has recorded lots in kg; its unit cannot become l"
        );
        // grams are still a mass
        let grams = MasterFile::Items(vec![item(4, "OLIVE", Unit::G, None)], Given::default());
        assert!(plan("items.csv", &grams, &mut records).is_ok());
    }

    #[test]
    fn boms_are_products_of_known_items_in_exact_units() {
        let mut records = Records {
            items: vec![
                ("SOAP", ItemKind::Product, Unit::Each, None, false),
                ("OLIVE", ItemKind::Material, Unit::Kg, None, false),
            ],
            ..Records::default()
        };
        let bom = |line, product: &str, material: &str, quantity: &str, unit| BomRow {
            line,
            product_sku: product.into(),
            material_sku: material.into(),
            quantity: Decimal::parse(quantity).expect("decimal"),
            unit,
            per: Some(Decimal::parse("12").expect("decimal")),
        };
        let file = MasterFile::Boms(vec![
            bom(2, "SOAP", "OLIVE", "2500", Unit::G),
            bom(3, "SOAP", "OLIVE", "1", Unit::Kg),
        ]);
        let planned = plan("boms.csv", &file, &mut records).expect("plan");
        assert_eq!(
            planned.writes,
            [Write::Bom {
                product_sku: "SOAP",
                lines: vec![
                    ("OLIVE", 2_500_000, Some(12)),
                    ("OLIVE", 1_000_000, Some(12))
                ],
            }]
        );
        let material = MasterFile::Boms(vec![bom(5, "OLIVE", "SOAP", "1", Unit::Each)]);
        assert!(rule(plan("boms.csv", &material, &mut records)).contains("is a material"));
        let unknown = MasterFile::Boms(vec![bom(6, "SOAP", "LYE", "1", Unit::Kg)]);
        assert_eq!(
            rule(plan("boms.csv", &unknown, &mut records)),
            "boms.csv line 6, column material_sku: unknown item LYE"
        );
        let volume = MasterFile::Boms(vec![bom(7, "SOAP", "OLIVE", "1", Unit::L)]);
        assert!(rule(plan("boms.csv", &volume, &mut records)).contains("column unit"));
    }

    #[test]
    fn an_order_is_one_known_customers_with_known_items() {
        let mut records = Records {
            items: vec![("SOAP", ItemKind::Product, Unit::Each, None, false)],
            customers: vec!["C001"],
        };
        let order = |line, number: &str, customer: &str, sku: &str, quantity: &str| OrderRow {
            line,
            order_number: number.into(),
            customer_code: customer.into(),
            ordered_at: "2026-11-21".into(),
            sku: sku.into(),
            quantity: crate::codes::Amount::parse(quantity).expect("amount"),
        };
        let file = MasterFile::Orders(vec![
            order(2, "1001", "C001", "SOAP", "2"),
            order(3, "1002", "C001", "SOAP", "1"),
            order(4, "1001", "C001", "SOAP", "3"),
        ]);
        let planned = plan("orders.csv", &file, &mut records).expect("plan");
        assert_eq!((planned.rows, planned.inserted), (2, 2));
        assert!(
            matches!(&planned.writes[0], Write::Order { number: "1001", lines, .. } if lines == &[("SOAP", 2), ("SOAP", 3)])
        );
        let split = MasterFile::Orders(vec![
            order(2, "1001", "C001", "SOAP", "2"),
            order(3, "1001", "C002", "SOAP", "1"),
        ]);
        assert_eq!(
            rule(plan("orders.csv", &split, &mut records)),
            "orders.csv line 3, column customer_code: order 1001 is for customer C001 on line 2"
        );
        let stranger = MasterFile::Orders(vec![order(2, "1003", "C009", "SOAP", "1")]);
        assert!(
            rule(plan("orders.csv", &stranger, &mut records)).contains("unknown customer C009")
        );
        let half = MasterFile::Orders(vec![order(2, "1004", "C001", "SOAP", "1.5")]);
        assert!(rule(plan("orders.csv", &half, &mut records)).contains("column quantity"));
    }
}
