//! The FDA's electronic sortable spreadsheet (FSMA 204): one header row, one row per
//! Critical Tracking Event (per input for a transformation), columns named after the Key
//! Data Elements of 21 CFR 1.1340–1.1350.

use crate::core::fsma::CteRow;

/// The header row, in the order of the columns.
pub const COLUMNS: [&str; 18] = [
    "Critical tracking event",
    "Event date (UTC)",
    "Traceability lot code",
    "Our lot, batch or shipment code",
    "Product description",
    "Quantity",
    "Unit of measure",
    "Location of the event",
    "Immediate previous source",
    "Immediate subsequent recipient",
    "Traceability lot code source",
    "Reference document type",
    "Reference document number",
    "Input traceability lot code",
    "Input lot code (ours)",
    "Input product description",
    "Input quantity used",
    "Input unit of measure",
];

/// Writes the rows as CSV (UTF-8, a spreadsheet opens it as it is).
pub fn csv(rows: &[CteRow], out: impl std::io::Write) -> Result<(), csv::Error> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(COLUMNS)?;
    for r in rows {
        w.write_record([
            r.event.name(),
            &r.date,
            &r.tlc,
            &r.code,
            &r.product,
            &r.quantity,
            &r.unit,
            &r.location,
            &r.previous_source,
            &r.recipient,
            &r.tlc_source,
            &r.reference_type,
            &r.reference_number,
            &r.input_tlc,
            &r.input_code,
            &r.input_product,
            &r.input_quantity,
            &r.input_unit,
        ])?;
    }
    w.flush()?;
    Ok(())
}
