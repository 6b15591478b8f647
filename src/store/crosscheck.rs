//! The record tables against the journal: every record row must say what its (hash-chained)
//! journal entry says, and every record entry must have its rows. Traces read the tables, so
//! an edit there must be found as surely as an edit in the journal.

use super::db::params;
use super::{Store, StoreError};

/// (what, SQL returning a description of each row that disagrees with its journal entry)
const CHECKS: &[(&str, &str)] = &[
    (
        "lots",
        "SELECT 'lot ' || l.code || ' (journal entry ' || l.journal_seq || ')' FROM lots l
         LEFT JOIN journal j ON j.seq = l.journal_seq
         WHERE j.kind IS NOT 'lot_received' OR json_extract(j.body, '$.code') IS NOT l.code
            OR json_extract(j.body, '$.item_sku') IS NOT l.item_sku
            OR json_extract(j.body, '$.supplier_code') IS NOT l.supplier_code
            OR json_extract(j.body, '$.supplier_lot') IS NOT l.supplier_lot
            OR json_extract(j.body, '$.quantity') IS NOT l.quantity
            OR json_extract(j.body, '$.expiry') IS NOT l.expiry",
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
         WHERE j.kind IS NOT 'batch_opened' OR json_extract(j.body, '$.code') IS NOT b.code
            OR json_extract(j.body, '$.product_sku') IS NOT b.product_sku",
    ),
    (
        "batch closures",
        "SELECT 'batch ' || c.batch_code || ' closure (journal entry ' || c.journal_seq || ')' FROM batch_closures c
         LEFT JOIN journal j ON j.seq = c.journal_seq
         WHERE j.kind IS NOT 'batch_closed' OR json_extract(j.body, '$.code') IS NOT c.batch_code
            OR json_extract(j.body, '$.yield_quantity') IS NOT c.yield_quantity
            OR json_extract(j.body, '$.expiry') IS NOT c.expiry",
    ),
    (
        "consumptions",
        "SELECT 'consumption ' || c.batch_code || ' line ' || c.line_no || ' (journal entry ' || c.journal_seq || ')'
         FROM consumptions c LEFT JOIN journal j ON j.seq = c.journal_seq
         WHERE j.kind IS NOT 'consumption' OR json_extract(j.body, '$.batch_code') IS NOT c.batch_code
            OR json_extract(j.body, '$.line_no') IS NOT c.line_no
            OR json_extract(j.body, '$.input_code') IS NOT c.input_code
            OR json_extract(j.body, '$.quantity') IS NOT c.quantity",
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
         WHERE j.kind IS NOT 'shipment' OR json_extract(j.body, '$.code') IS NOT s.code
            OR json_extract(j.body, '$.order_number') IS NOT s.order_number
            OR json_extract(j.body, '$.customer_code') IS NOT s.customer_code
            OR json_array_length(j.body, '$.lines') IS NOT (SELECT COUNT(*) FROM shipment_lines l WHERE l.shipment_code = s.code)",
    ),
    (
        "shipment lines",
        "SELECT 'shipment ' || l.shipment_code || ' line ' || l.line_no FROM shipment_lines l
         JOIN shipments s ON s.code = l.shipment_code JOIN journal j ON j.seq = s.journal_seq
         WHERE json_extract(j.body, '$.lines[' || (l.line_no - 1) || '].batch_code') IS NOT l.batch_code
            OR json_extract(j.body, '$.lines[' || (l.line_no - 1) || '].quantity') IS NOT l.quantity",
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
         WHERE j.kind IS NOT 'waste' OR json_extract(j.body, '$.code') IS NOT w.code
            OR json_extract(j.body, '$.quantity') IS NOT w.quantity",
    ),
    (
        "status changes",
        "SELECT 'status of ' || s.code || ' (journal entry ' || s.journal_seq || ')' FROM status_changes s
         LEFT JOIN journal j ON j.seq = s.journal_seq
         WHERE j.kind IS NOT 'status_change' OR json_extract(j.body, '$.code') IS NOT s.code
            OR json_extract(j.body, '$.status') IS NOT s.status",
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
         WHERE j.kind IS NOT 'correction' OR json_extract(j.body, '$.target.kind') IS NOT c.target_kind
            OR COALESCE(json_extract(j.body, '$.target.code'), json_extract(j.body, '$.target.batch_code')) IS NOT c.target_code",
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
         WHERE j.kind IS NOT 'adjustment' OR json_extract(j.body, '$.code') IS NOT a.code
            OR json_extract(j.body, '$.kind') IS NOT a.target_kind
            OR json_extract(j.body, '$.field') IS NOT a.field
            OR json_extract(j.body, '$.delta') IS NOT a.delta
            OR json_extract(j.body, '$.value') IS NOT a.value",
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
         WHERE j.kind IS NOT 'print_job' OR json_extract(j.body, '$.code') IS NOT p.code
            OR json_extract(j.body, '$.label') IS NOT p.label
            OR json_extract(j.body, '$.copies') IS NOT p.copies
            OR json_extract(j.body, '$.printer') IS NOT p.printer",
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
         WHERE j.kind IS NOT 'print_outcome' OR json_extract(j.body, '$.job_id') IS NOT o.job_id
            OR json_extract(j.body, '$.outcome') IS NOT o.outcome",
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
            let sql = if self.db.is_pg() {
                pg_check(sql)
            } else {
                sql.to_string()
            };
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

/// A check as PostgreSQL takes it: a JSON field is read as text (`#>>`) and compared with
/// the column's text, `IS NOT` is `IS DISTINCT FROM`.
fn pg_check(sql: &str) -> String {
    use std::sync::LazyLock;
    static LINE: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(
            r"json_extract\(j\.body, '\$\.lines\[' \|\| \(l\.line_no - 1\) \|\| '\]\.(\w+)'\)",
        )
        .expect("pattern")
    });
    static FIELD: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r"json_extract\(j\.body, '\$\.([\w.]+)'\)").expect("pattern")
    });
    static COLUMN: LazyLock<regex::Regex> =
        LazyLock::new(|| regex::Regex::new(r"IS NOT ([a-z]\.\w+)").expect("pattern"));
    let sql = LINE.replace_all(
        sql,
        "(CAST(j.body AS jsonb) #>> ARRAY['lines', CAST(l.line_no - 1 AS TEXT), '$1'])",
    );
    let sql = FIELD.replace_all(&sql, |c: &regex::Captures<'_>| {
        format!(
            "(CAST(j.body AS jsonb) #>> '{{{}}}')",
            c[1].replace('.', ",")
        )
    });
    let sql = COLUMN.replace_all(&sql, "IS DISTINCT FROM CAST($1 AS TEXT)");
    sql.replace("IS NOT '", "IS DISTINCT FROM '").replace(
        "json_array_length(j.body, '$.lines') IS NOT",
        "jsonb_array_length(CAST(j.body AS jsonb) -> 'lines') IS DISTINCT FROM",
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn checks_in_postgresql_dialect() {
        for (_, sql) in super::CHECKS {
            let pg = super::pg_check(sql);
            assert!(
                !pg.contains("json_extract") && !pg.contains("IS NOT '"),
                "{pg}"
            );
        }
        assert_eq!(
            super::pg_check(
                "WHERE j.kind IS NOT 'lot_received' OR json_extract(j.body, '$.target.code') IS NOT l.code"
            ),
            "WHERE j.kind IS DISTINCT FROM 'lot_received' OR (CAST(j.body AS jsonb) #>> '{target,code}') IS DISTINCT FROM CAST(l.code AS TEXT)"
        );
    }
}
