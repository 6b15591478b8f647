//! Counts over the records, for the demo's summary and a station's status.

use crate::store::sql::params;
use crate::store::{LIVE_SHIPMENT, Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StationSummary {
    pub lots: i64,
    pub suppliers_received_from: i64,
    pub batches: i64,
    /// batches consumed by other batches
    pub sub_assemblies: i64,
    /// consumption lines that stand (not undone)
    pub consumptions: i64,
    pub shipments: i64,
    pub shipped_units: i64,
    pub customers_shipped: i64,
    /// codes whose latest status is hold or quarantine, with the reason
    pub on_hold: Vec<String>,
    pub wastes: i64,
    pub print_jobs: i64,
    pub labels: i64,
    pub scans_accepted: i64,
    pub scans_rejected: i64,
}

impl Store {
    pub fn summary(&self) -> Result<StationSummary, StoreError> {
        let count = |sql: &str| -> Result<i64, StoreError> {
            Ok(self.db.row(sql, params![], |r| r.get(0))?)
        };
        let on_hold = self.db.rows(
            "SELECT s.code, s.status, s.reason FROM status_changes s
             WHERE s.id = (SELECT MAX(id) FROM status_changes t WHERE t.code = s.code)
               AND s.status IN ('hold', 'quarantine') ORDER BY s.code",
            params![],
            |r| {
                Ok(format!(
                    "{} ({}: {})",
                    r.get::<String>(0)?,
                    r.get::<String>(1)?,
                    r.get::<String>(2)?
                ))
            },
        )?;
        // whether a scan was accepted, from its journal entry's body (`json_type` names a
        // JSON true `true`, as SQLite does; PostgreSQL's schema defines it so)
        let accepted = "json_type(body, '$.accepted') = 'true'";
        let rejected = "json_type(body, '$.accepted') = 'false'";
        Ok(StationSummary {
            lots: count("SELECT COUNT(*) FROM lots l WHERE NOT EXISTS (SELECT 1 FROM corrections k WHERE k.target_kind = 'lot' AND k.target_code = l.code)")?,
            suppliers_received_from: count("SELECT COUNT(DISTINCT supplier_code) FROM lots")?,
            batches: count("SELECT COUNT(*) FROM batch_closures c WHERE NOT EXISTS (SELECT 1 FROM corrections k WHERE k.target_kind = 'batch' AND k.target_code = c.batch_code)")?,
            sub_assemblies: count("SELECT COUNT(DISTINCT input_code) FROM consumptions WHERE input_kind = 'batch'")?,
            consumptions: count(
                "SELECT COUNT(*) FROM consumptions c WHERE NOT EXISTS (SELECT 1 FROM corrections k
                 WHERE k.target_kind = 'consumption' AND k.target_code = c.batch_code AND k.target_line = c.line_no)",
            )?,
            shipments: count(&format!("SELECT COUNT(*) FROM shipments s WHERE {LIVE_SHIPMENT}"))?,
            shipped_units: count(&format!("SELECT COALESCE(SUM(l.quantity), 0) FROM shipment_lines l JOIN shipments s ON s.code = l.shipment_code WHERE {LIVE_SHIPMENT}"))?,
            customers_shipped: count(&format!("SELECT COUNT(DISTINCT s.customer_code) FROM shipments s WHERE {LIVE_SHIPMENT}"))?,
            on_hold,
            wastes: count("SELECT COUNT(*) FROM wastes")?,
            print_jobs: count("SELECT COUNT(*) FROM print_jobs")?,
            labels: count("SELECT COALESCE(SUM(copies), 0) FROM print_jobs")?,
            scans_accepted: count(&format!("SELECT COUNT(*) FROM journal WHERE kind = 'scan' AND {accepted}"))?,
            scans_rejected: count(&format!("SELECT COUNT(*) FROM journal WHERE kind = 'scan' AND {rejected}"))?,
        })
    }
}
