//! A journal entry in the words of the person who reads it (`lotstation journal show
//! --format text`): what was recorded, corrected or scanned, amounts in the item's unit.
//! The JSON stays the record; this is how an owner or an auditor reads it.

use crate::codes::{Quantity, Unit};
use crate::workflow::{AdjustField, CorrectionTarget, Record};

fn amount(base: i64, unit: Unit) -> String {
    Quantity { base }.display_in(unit)
}

/// One line for an entry of `kind` with its `body` (as the journal keeps it).
pub fn describe(kind: &str, body: &serde_json::Value) -> String {
    if let Ok(record) = serde_json::from_value::<Record>(body.clone()) {
        return record_text(&record);
    }
    let text = |key: &str| body[key].as_str().unwrap_or("").to_string();
    match kind {
        "scan" | "weight" => {
            let verdict = if body["accepted"].as_bool() == Some(true) {
                "ok"
            } else {
                "refused"
            };
            let said = match text("message") {
                m if m.is_empty() => text("reason"),
                m => m,
            };
            format!("{kind} {:?} {verdict}: {said}", text("raw"))
        }
        "print_job" => format!(
            "print {} label of {} ({} cop{}) on {}",
            text("label"),
            text("code"),
            body["copies"],
            if body["copies"] == 1 { "y" } else { "ies" },
            body["printer"].as_str().unwrap_or("no printer")
        ),
        "print_outcome" => format!(
            "print job {} {}: {}",
            body["job_id"],
            text("outcome"),
            text("detail")
        ),
        "import" => format!(
            "import of {} from {}: {}, {} new, {} updated",
            text("kind"),
            text("file"),
            crate::counted(body["rows"].as_i64().unwrap_or(0), "row"),
            body["inserted"],
            body["updated"]
        ),
        _ => format!("{kind} {body}"),
    }
}

fn record_text(record: &Record) -> String {
    match record {
        Record::LotReceived {
            code,
            item_sku,
            supplier_code,
            supplier_lot,
            invoice,
            quantity,
            unit,
            expiry,
            ..
        } => format!(
            "lot {code} received: {} {item_sku} from {supplier_code} (their lot {supplier_lot}, invoice {invoice}){}",
            amount(*quantity, *unit),
            expiry.map_or(String::new(), |d| format!(", expires {d}"))
        ),
        Record::BatchOpened {
            code, product_sku, ..
        } => format!("batch {code} of {product_sku} opened"),
        Record::Consumption {
            batch_code,
            line_no,
            input_code,
            quantity,
            unit,
            ..
        } => format!(
            "batch {batch_code} line {line_no}: {} of {input_code}",
            amount(*quantity, *unit)
        ),
        Record::BatchClosed {
            code,
            yield_quantity,
            unit,
            expiry,
            ..
        } => format!(
            "batch {code} closed: made {}{}",
            amount(*yield_quantity, *unit),
            expiry.map_or(String::new(), |d| format!(", expires {d}"))
        ),
        Record::Shipment {
            code,
            order_number,
            customer_code,
            lines,
            ..
        } => format!(
            "shipment {code}: order {order_number} to {customer_code}, {}",
            lines
                .iter()
                .map(|l| format!("{} × {}", l.quantity, l.batch_code))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Record::Waste {
            code,
            quantity,
            unit,
            reason,
            ..
        } => format!("waste of {code}: {} ({reason})", amount(*quantity, *unit)),
        Record::StatusChange {
            code,
            status,
            reason,
            ..
        } => format!("{code} is {} ({reason})", status.as_str()),
        Record::Correction { target, reason, .. } => match target {
            CorrectionTarget::Lot { code } => format!("CORRECTION: lot {code} void ({reason})"),
            CorrectionTarget::Batch { code } => {
                format!("CORRECTION: batch {code} void ({reason})")
            }
            CorrectionTarget::Shipment { code } => {
                format!("CORRECTION: shipment {code} void ({reason})")
            }
            CorrectionTarget::Consumption {
                batch_code,
                line_no,
            } => format!("CORRECTION: batch {batch_code} line {line_no} undone ({reason})"),
        },
        Record::Adjustment {
            code,
            kind,
            field,
            was,
            value,
            delta,
            unit,
            reason,
            ..
        } => {
            let base = |text: &str| {
                text.parse::<i64>()
                    .map_or(text.to_string(), |b| amount(b, *unit))
            };
            let what = format!("CORRECTION: {} {code}", kind.noun());
            match field {
                AdjustField::Expiry => format!(
                    "{what} expiry set to {value} (was {}) ({reason})",
                    if was.is_empty() { "none" } else { was }
                ),
                AdjustField::Quantity | AdjustField::Yield => format!(
                    "{what} {} set to {} (was {}, {}{}) ({reason})",
                    if *field == AdjustField::Quantity {
                        "counted on hand"
                    } else {
                        "yield"
                    },
                    base(value),
                    base(was),
                    if *delta >= 0 { "+" } else { "-" },
                    amount(delta.abs(), *unit)
                ),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::describe;
    use serde_json::json;

    #[test]
    fn corrections_read_as_sentences() {
        let adjusted = json!({"record": "adjustment", "code": "OLV-1", "kind": "lot",
            "field": "quantity", "was": "17000000", "value": "16500000", "delta": -500000,
            "unit": "kg", "reason": "stock count", "at": "2026-11-21T08:00:00Z", "scan_seq": 4});
        assert_eq!(
            describe("adjustment", &adjusted),
            "CORRECTION: lot OLV-1 counted on hand set to 16.5 kg (was 17 kg, -0.5 kg) (stock count)"
        );
        let voided = json!({"record": "correction", "target": {"kind": "shipment", "code": "SHP-1"},
            "reason": "wrong box", "at": "2026-11-21T08:00:00Z"});
        assert_eq!(
            describe("correction", &voided),
            "CORRECTION: shipment SHP-1 void (wrong box)"
        );
        let scan = json!({"accepted": false, "raw": "@FLY", "reason": "unknown command @FLY"});
        assert_eq!(
            describe("scan", &scan),
            "scan \"@FLY\" refused: unknown command @FLY"
        );
    }
}
