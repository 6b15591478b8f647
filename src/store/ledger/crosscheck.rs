//! The record tables against the journal: every record row must say what its (hash-chained)
//! journal entry says, and every record entry must have its rows. Traces read the tables, so
//! an edit there must be found as surely as an edit in the journal.

use crate::store::sql::params;
use crate::store::{Store, StoreError};

/// (what, SQL returning a description of each row that disagrees with its journal entry).
/// A field of an entry is read with `json_extract` (SQLite's; PostgreSQL's schema defines
/// it, as text) and compared with the column's text: SQLite compares a JSON number with
/// text as text, so both backends run each check as written.
const CHECKS: &[(&str, &str)] = &[
    (
        "lots",
        "SELECT 'lot ' || l.code || ' (journal entry ' || l.journal_seq || ')' FROM lots l
         LEFT JOIN journal j ON j.seq = l.journal_seq
         WHERE j.kind IS DISTINCT FROM 'lot_received' OR json_extract(j.body, '$.code') IS DISTINCT FROM CAST(l.code AS TEXT)
            OR json_extract(j.body, '$.item_sku') IS DISTINCT FROM CAST(l.item_sku AS TEXT)
            OR json_extract(j.body, '$.supplier_code') IS DISTINCT FROM CAST(l.supplier_code AS TEXT)
            OR json_extract(j.body, '$.supplier_lot') IS DISTINCT FROM CAST(l.supplier_lot AS TEXT)
            OR json_extract(j.body, '$.quantity') IS DISTINCT FROM CAST(l.quantity AS TEXT)
            OR json_extract(j.body, '$.expiry') IS DISTINCT FROM CAST(l.expiry AS TEXT)",
    ),
    (
        "lots",
        "SELECT 'journal entry ' || j.seq || ' (lot ' || json_extract(j.body, '$.code') || ') has no lot row'
         FROM journal j WHERE j.kind = 'lot_received' AND NOT EXISTS (SELECT 1 FROM lots l WHERE l.journal_seq = j.seq)",
    ),
    (
        "batches",
        "SELECT 'batch ' || b.code || ' (journal entry ' || b.journal_seq || ')' FROM batches b
         LEFT JOIN journal j ON j.seq = b.journal_seq
         WHERE j.kind IS DISTINCT FROM 'batch_opened' OR json_extract(j.body, '$.code') IS DISTINCT FROM CAST(b.code AS TEXT)
            OR json_extract(j.body, '$.product_sku') IS DISTINCT FROM CAST(b.product_sku AS TEXT)",
    ),
    (
        "batch closures",
        "SELECT 'batch ' || c.batch_code || ' closure (journal entry ' || c.journal_seq || ')' FROM batch_closures c
         LEFT JOIN journal j ON j.seq = c.journal_seq
         WHERE j.kind IS DISTINCT FROM 'batch_closed' OR json_extract(j.body, '$.code') IS DISTINCT FROM CAST(c.batch_code AS TEXT)
            OR json_extract(j.body, '$.yield_quantity') IS DISTINCT FROM CAST(c.yield_quantity AS TEXT)
            OR json_extract(j.body, '$.expiry') IS DISTINCT FROM CAST(c.expiry AS TEXT)",
    ),
    (
        "consumptions",
        "SELECT 'consumption ' || c.batch_code || ' line ' || c.line_no || ' (journal entry ' || c.journal_seq || ')'
         FROM consumptions c LEFT JOIN journal j ON j.seq = c.journal_seq
         WHERE j.kind IS DISTINCT FROM 'consumption' OR json_extract(j.body, '$.batch_code') IS DISTINCT FROM CAST(c.batch_code AS TEXT)
            OR json_extract(j.body, '$.line_no') IS DISTINCT FROM CAST(c.line_no AS TEXT)
            OR json_extract(j.body, '$.input_code') IS DISTINCT FROM CAST(c.input_code AS TEXT)
            OR json_extract(j.body, '$.quantity') IS DISTINCT FROM CAST(c.quantity AS TEXT)",
    ),
    (
        "consumptions",
        "SELECT 'journal entry ' || j.seq || ' (consumption) has no row' FROM journal j
         WHERE j.kind = 'consumption' AND NOT EXISTS (SELECT 1 FROM consumptions c WHERE c.journal_seq = j.seq)",
    ),
    (
        "shipments",
        "SELECT 'shipment ' || s.code || ' (journal entry ' || s.journal_seq || ')' FROM shipments s
         LEFT JOIN journal j ON j.seq = s.journal_seq
         WHERE j.kind IS DISTINCT FROM 'shipment' OR json_extract(j.body, '$.code') IS DISTINCT FROM CAST(s.code AS TEXT)
            OR json_extract(j.body, '$.order_number') IS DISTINCT FROM CAST(s.order_number AS TEXT)
            OR json_extract(j.body, '$.customer_code') IS DISTINCT FROM CAST(s.customer_code AS TEXT)
            OR json_array_length(j.body, '$.lines') IS DISTINCT FROM (SELECT COUNT(*) FROM shipment_lines l WHERE l.shipment_code = s.code)",
    ),
    (
        "shipment lines",
        "SELECT 'shipment ' || l.shipment_code || ' line ' || l.line_no FROM shipment_lines l
         JOIN shipments s ON s.code = l.shipment_code JOIN journal j ON j.seq = s.journal_seq
         WHERE json_extract(j.body, '$.lines[' || (l.line_no - 1) || '].batch_code') IS DISTINCT FROM CAST(l.batch_code AS TEXT)
            OR json_extract(j.body, '$.lines[' || (l.line_no - 1) || '].quantity') IS DISTINCT FROM CAST(l.quantity AS TEXT)",
    ),
    (
        "shipment lines",
        "SELECT 'journal entry ' || j.seq || ' (shipment) has no row' FROM journal j
         WHERE j.kind = 'shipment' AND NOT EXISTS (SELECT 1 FROM shipments s WHERE s.journal_seq = j.seq)",
    ),
    (
        "wastes",
        "SELECT 'waste of ' || w.code || ' (journal entry ' || w.journal_seq || ')' FROM wastes w
         LEFT JOIN journal j ON j.seq = w.journal_seq
         WHERE j.kind IS DISTINCT FROM 'waste' OR json_extract(j.body, '$.code') IS DISTINCT FROM CAST(w.code AS TEXT)
            OR json_extract(j.body, '$.quantity') IS DISTINCT FROM CAST(w.quantity AS TEXT)",
    ),
    (
        "status changes",
        "SELECT 'status of ' || s.code || ' (journal entry ' || s.journal_seq || ')' FROM status_changes s
         LEFT JOIN journal j ON j.seq = s.journal_seq
         WHERE j.kind IS DISTINCT FROM 'status_change' OR json_extract(j.body, '$.code') IS DISTINCT FROM CAST(s.code AS TEXT)
            OR json_extract(j.body, '$.status') IS DISTINCT FROM CAST(s.status AS TEXT)",
    ),
    (
        "status changes",
        "SELECT 'journal entry ' || j.seq || ' (status change) has no row' FROM journal j
         WHERE j.kind = 'status_change' AND NOT EXISTS (SELECT 1 FROM status_changes s WHERE s.journal_seq = j.seq)",
    ),
    (
        "corrections",
        "SELECT 'correction of ' || c.target_code || ' (journal entry ' || c.journal_seq || ')' FROM corrections c
         LEFT JOIN journal j ON j.seq = c.journal_seq
         WHERE j.kind IS DISTINCT FROM 'correction' OR json_extract(j.body, '$.target.kind') IS DISTINCT FROM CAST(c.target_kind AS TEXT)
            OR COALESCE(json_extract(j.body, '$.target.code'), json_extract(j.body, '$.target.batch_code')) IS DISTINCT FROM CAST(c.target_code AS TEXT)",
    ),
    (
        "corrections",
        "SELECT 'journal entry ' || j.seq || ' (correction) has no row' FROM journal j
         WHERE j.kind = 'correction' AND NOT EXISTS (SELECT 1 FROM corrections c WHERE c.journal_seq = j.seq)",
    ),
    (
        "adjustments",
        "SELECT 'adjustment of ' || a.code || ' (journal entry ' || a.journal_seq || ')' FROM adjustments a
         LEFT JOIN journal j ON j.seq = a.journal_seq
         WHERE j.kind IS DISTINCT FROM 'adjustment' OR json_extract(j.body, '$.code') IS DISTINCT FROM CAST(a.code AS TEXT)
            OR json_extract(j.body, '$.kind') IS DISTINCT FROM CAST(a.target_kind AS TEXT)
            OR json_extract(j.body, '$.field') IS DISTINCT FROM CAST(a.field AS TEXT)
            OR json_extract(j.body, '$.delta') IS DISTINCT FROM CAST(a.delta AS TEXT)
            OR json_extract(j.body, '$.value') IS DISTINCT FROM CAST(a.value AS TEXT)",
    ),
    (
        "adjustments",
        "SELECT 'journal entry ' || j.seq || ' (adjustment) has no row' FROM journal j
         WHERE j.kind = 'adjustment' AND NOT EXISTS (SELECT 1 FROM adjustments a WHERE a.journal_seq = j.seq)",
    ),
    (
        "print jobs",
        "SELECT 'print job ' || p.id || ' for ' || p.code || ' (journal entry ' || p.journal_seq || ')' FROM print_jobs p
         LEFT JOIN journal j ON j.seq = p.journal_seq
         WHERE j.kind IS DISTINCT FROM 'print_job' OR json_extract(j.body, '$.code') IS DISTINCT FROM CAST(p.code AS TEXT)
            OR json_extract(j.body, '$.label') IS DISTINCT FROM CAST(p.label AS TEXT)
            OR json_extract(j.body, '$.copies') IS DISTINCT FROM CAST(p.copies AS TEXT)
            OR json_extract(j.body, '$.printer') IS DISTINCT FROM CAST(p.printer AS TEXT)",
    ),
    (
        "print jobs",
        "SELECT 'journal entry ' || j.seq || ' (print job) has no row' FROM journal j
         WHERE j.kind = 'print_job' AND NOT EXISTS (SELECT 1 FROM print_jobs p WHERE p.journal_seq = j.seq)",
    ),
    (
        "print outcomes",
        "SELECT 'outcome of print job ' || o.job_id || ' (journal entry ' || o.journal_seq || ')' FROM print_outcomes o
         LEFT JOIN journal j ON j.seq = o.journal_seq
         WHERE j.kind IS DISTINCT FROM 'print_outcome' OR json_extract(j.body, '$.job_id') IS DISTINCT FROM CAST(o.job_id AS TEXT)
            OR json_extract(j.body, '$.outcome') IS DISTINCT FROM CAST(o.outcome AS TEXT)",
    ),
    (
        "print outcomes",
        "SELECT 'journal entry ' || j.seq || ' (print outcome) has no row' FROM journal j
         WHERE j.kind = 'print_outcome' AND NOT EXISTS (SELECT 1 FROM print_outcomes o WHERE o.journal_seq = j.seq)",
    ),
    (
        "codes",
        // a batch opened and cancelled before its first ingredient leaves its code issued
        // (never to be issued again) with no record: the scan that opened it says so
        "SELECT 'code ' || c.code || ' was issued but names no lot, batch or shipment, and no journaled scan mentions it' FROM codes c
         WHERE NOT EXISTS (SELECT 1 FROM lots l WHERE l.code = c.code)
           AND NOT EXISTS (SELECT 1 FROM batches b WHERE b.code = c.code)
           AND NOT EXISTS (SELECT 1 FROM shipments s WHERE s.code = c.code)
           AND NOT EXISTS (SELECT 1 FROM journal j WHERE j.kind = 'scan' AND j.body LIKE '%' || c.code || '%')",
    ),
    (
        "codes",
        "SELECT x.what || ' ' || x.code || ' is not among the issued codes' FROM (
           SELECT 'lot' AS what, code FROM lots UNION ALL SELECT 'batch', code FROM batches
           UNION ALL SELECT 'shipment', code FROM shipments) x
         WHERE NOT EXISTS (SELECT 1 FROM codes c WHERE c.code = x.code)",
    ),
];

impl Store {
    /// Rows of the record tables that disagree with the journal, in words (at most a few
    /// per table).
    pub fn crosscheck(&self) -> Result<Vec<String>, StoreError> {
        let mut problems = Vec::new();
        for (table, sql) in CHECKS {
            let rows = self
                .db
                .rows(&format!("{sql} LIMIT 5"), params![], |r| r.get::<String>(0))?;
            for row in rows {
                problems.push(if *table == "codes" {
                    format!("{table}: {row}")
                } else {
                    format!("{table}: {row} does not match its journal entry")
                });
            }
        }
        problems.extend(self.check_master_data()?);
        Ok(problems)
    }
}
