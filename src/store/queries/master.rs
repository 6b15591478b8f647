//! Master data as the console lists it: every item with its columns as items.csv has them.

use crate::store::sql::params;
use crate::store::{Store, StoreError};

/// One item, its columns as items.csv names them (empty where unset).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ItemRow {
    pub sku: String,
    pub name: String,
    pub kind: String,
    pub unit: String,
    pub lot_prefix: String,
    pub gtin: String,
    pub shelf_life_days: String,
    pub net_content: String,
    pub pao_months: String,
    /// the stock below which it is reordered, in base units
    pub reorder_point: Option<i64>,
    /// when the owner retired it, if they did
    pub retired_at: Option<String>,
}

impl Store {
    /// Every item, by SKU.
    pub fn items_list(&self) -> Result<Vec<ItemRow>, StoreError> {
        let text = |v: Option<String>| v.unwrap_or_default();
        let number = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
        Ok(self.db.rows(
            "SELECT sku, name, kind, unit, lot_prefix, gtin, shelf_life_days, net_content, pao_months,
                    retired_at, reorder_point
             FROM items ORDER BY sku",
            params![],
            |r| {
                Ok(ItemRow {
                    sku: r.get(0)?,
                    name: r.get(1)?,
                    kind: r.get(2)?,
                    unit: r.get(3)?,
                    lot_prefix: text(r.get(4)?),
                    gtin: text(r.get(5)?),
                    shelf_life_days: number(r.get(6)?),
                    net_content: text(r.get(7)?),
                    pao_months: number(r.get(8)?),
                    retired_at: r.get(9)?,
                    reorder_point: r.get(10)?,
                })
            },
        )?)
    }
}

/// An order as the console lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OrderRow {
    pub number: String,
    pub customer_code: String,
    pub customer_name: String,
    pub ordered_at: String,
    /// what the shop says: open, cancelled, refunded, unpaid, partly refunded, shipped
    /// elsewhere
    pub status: String,
    /// the shop it came from ("" for orders.csv)
    pub shop: String,
    /// what the lines ask and what shipments (not voided) carried, in the lines' units
    pub ordered: i64,
    pub shipped: i64,
    pub shipments: i64,
}

impl OrderRow {
    /// What the order is, as an owner sorts them: cancelled or refunded as the shop says,
    /// else by what has shipped (open, partly shipped, shipped).
    pub fn state(&self) -> &str {
        match self.status.as_str() {
            "cancelled" | "refunded" | "shipped elsewhere" => &self.status,
            _ if self.shipments == 0 => "open",
            _ if self.shipped >= self.ordered => "shipped",
            _ => "partly shipped",
        }
    }
}

/// Shipments of an order that are not voided.
const LIVE_SHIPMENTS: &str = "NOT EXISTS (SELECT 1 FROM corrections k WHERE k.target_kind = 'shipment' AND k.target_code = s.code)";

impl Store {
    /// The newest orders first (at most `limit`), each with its customer's name and what
    /// has shipped.
    pub fn orders_list(&self, limit: i64) -> Result<Vec<OrderRow>, StoreError> {
        let sql = format!(
            "SELECT o.order_number, o.customer_code, COALESCE(c.name, o.customer_code), o.ordered_at,
                    o.status, o.shop,
                    (SELECT COALESCE(SUM(l.quantity), 0) FROM order_lines l WHERE l.order_number = o.order_number),
                    (SELECT COALESCE(SUM(sl.quantity), 0) FROM shipments s
                       JOIN shipment_lines sl ON sl.shipment_code = s.code
                      WHERE s.order_number = o.order_number AND {LIVE_SHIPMENTS}),
                    (SELECT COUNT(*) FROM shipments s WHERE s.order_number = o.order_number AND {LIVE_SHIPMENTS})
             FROM orders o LEFT JOIN customers c ON c.code = o.customer_code
             ORDER BY o.ordered_at DESC, o.order_number LIMIT $1"
        );
        Ok(self.db.rows(&sql, params![limit], |r| {
            Ok(OrderRow {
                number: r.get(0)?,
                customer_code: r.get(1)?,
                customer_name: r.get(2)?,
                ordered_at: r.get(3)?,
                status: r.get(4)?,
                shop: r.get(5)?,
                ordered: r.get(6)?,
                shipped: r.get(7)?,
                shipments: r.get(8)?,
            })
        })?)
    }

    /// One order's lines (SKU, quantity) and its shipments (code, when, batch, quantity).
    #[allow(clippy::type_complexity)]
    pub fn order_detail(
        &self,
        number: &str,
    ) -> Result<(Vec<(String, i64)>, Vec<(String, String, String, i64)>), StoreError> {
        let lines = self.db.rows(
            "SELECT sku, quantity FROM order_lines WHERE order_number = $1 ORDER BY line_no",
            params![number],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let shipments = self.db.rows(
            &format!(
                "SELECT s.code, s.shipped_at, sl.batch_code, sl.quantity FROM shipments s
                   JOIN shipment_lines sl ON sl.shipment_code = s.code
                  WHERE s.order_number = $1 AND {LIVE_SHIPMENTS}
                  ORDER BY s.shipped_at, s.code, sl.line_no"
            ),
            params![number],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )?;
        Ok((lines, shipments))
    }
}

/// A supplier's or customer's columns as its CSV names them, and when it was retired.
pub type PartyRow = (Vec<String>, Option<String>);

impl Store {
    /// Every supplier or customer: its columns as the CSV names them (`MasterKind::columns`),
    /// and when it was retired, if it was; by code.
    pub fn party_rows(
        &self,
        kind: crate::masterdata::MasterKind,
    ) -> Result<Vec<PartyRow>, StoreError> {
        use crate::masterdata::MasterKind;
        let table = match kind {
            MasterKind::Suppliers => "suppliers",
            MasterKind::Customers => "customers",
            other => {
                return Err(StoreError::Refused(format!(
                    "{} are not suppliers or customers",
                    other.name()
                )));
            }
        };
        let columns = kind.columns();
        let list: Vec<String> = columns
            .iter()
            .map(|c| format!("COALESCE(CAST({c} AS TEXT), '')"))
            .collect();
        let sql = format!(
            "SELECT {}, retired_at FROM {table} ORDER BY code",
            list.join(", ")
        );
        let n = columns.len();
        Ok(self.db.rows(&sql, params![], |r| {
            let mut row = Vec::with_capacity(n);
            for i in 0..n {
                row.push(r.get::<String>(i)?);
            }
            Ok((row, r.get(n)?))
        })?)
    }
}

impl Store {
    /// Why each lot or batch has the status it has: the reason of its latest status change
    /// (a hold's, a quarantine's, a recall's), by code.
    pub fn status_reasons(&self) -> Result<std::collections::HashMap<String, String>, StoreError> {
        let rows: Vec<(String, String)> = self.db.rows(
            "SELECT s.code, s.reason FROM status_changes s
              WHERE s.id = (SELECT MAX(t.id) FROM status_changes t WHERE t.code = s.code)
                AND s.status <> 'available'",
            params![],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok(rows.into_iter().collect())
    }
}

/// One line of a recipe: a material, how much of it, in the material's unit.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RecipeLineRow {
    pub material_sku: String,
    pub material_name: String,
    /// the material's unit as items.csv has it (`kg`, `g`, `each`)
    pub unit: String,
    /// base units of the material
    pub quantity: i64,
}

/// A product's recipe as the console lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RecipeRow {
    pub product_sku: String,
    pub product_name: String,
    pub product_unit: String,
    /// how much product the lines make, base units of the product (none: not scalable)
    pub per: Option<i64>,
    /// when the owner retired it, if they did
    pub retired_at: Option<String>,
    /// batches made of the product so far (a recipe with any is kept: retire it)
    pub batches: i64,
    pub lines: Vec<RecipeLineRow>,
}

impl Store {
    /// Every recipe, by product SKU, its lines by material SKU.
    pub fn recipes_list(&self) -> Result<Vec<RecipeRow>, StoreError> {
        #[allow(clippy::type_complexity)]
        let rows: Vec<(
            String,
            String,
            String,
            Option<i64>,
            Option<String>,
            i64,
            String,
            String,
            String,
            i64,
        )> = self.db.rows(
            "SELECT b.product_sku, COALESCE(p.name, ''), COALESCE(p.unit, 'each'), b.per, b.retired_at,
                    (SELECT COUNT(*) FROM batches x WHERE x.product_sku = b.product_sku),
                    b.material_sku, COALESCE(m.name, ''), COALESCE(m.unit, 'each'), b.quantity
             FROM boms b LEFT JOIN items p ON p.sku = b.product_sku
                         LEFT JOIN items m ON m.sku = b.material_sku
             ORDER BY b.product_sku, b.material_sku",
            params![],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                    r.get(8)?,
                    r.get(9)?,
                ))
            },
        )?;
        let mut recipes: Vec<RecipeRow> = Vec::new();
        for (product, name, unit, per, retired, batches, material, mname, munit, quantity) in rows {
            if recipes.last().is_none_or(|r| r.product_sku != product) {
                recipes.push(RecipeRow {
                    product_sku: product,
                    product_name: name,
                    product_unit: unit,
                    per,
                    retired_at: retired,
                    batches,
                    lines: Vec::new(),
                });
            }
            if let Some(recipe) = recipes.last_mut() {
                recipe.lines.push(RecipeLineRow {
                    material_sku: material,
                    material_name: mname,
                    unit: munit,
                    quantity,
                });
            }
        }
        Ok(recipes)
    }
}
