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
                    retired_at
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
                })
            },
        )?)
    }
}
