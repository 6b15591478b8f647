//! CSV forms of the trace answers and the stock list (for the CLI and the HTTP API).

use crate::core::trace::{BackwardTrace, ForwardTrace, StockRow};

/// One row per shipment line, with the customer's contact details.
pub fn forward(trace: &ForwardTrace, out: impl std::io::Write) -> Result<(), csv::Error> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "order_number",
        "customer_code",
        "customer_name",
        "email",
        "phone",
        "address",
        "batch_code",
        "quantity",
        "unit",
        "shipped_at",
        "shipment_code",
    ])?;
    let customers: std::collections::HashMap<&str, &crate::core::trace::Customer> = trace
        .customers
        .iter()
        .map(|c| (c.code.as_str(), c))
        .collect();
    for s in &trace.shipments {
        let customer = customers.get(&*s.customer_code).copied();
        let field = |f: fn(&crate::core::trace::Customer) -> &str| {
            customer.map(f).unwrap_or("").to_string()
        };
        w.write_record([
            s.order_number.to_string(),
            s.customer_code.to_string(),
            field(|c| &c.name),
            field(|c| &c.email),
            field(|c| &c.phone),
            field(|c| &c.address),
            s.batch_code.to_string(),
            s.quantity.number(),
            s.quantity.unit.to_string(),
            s.shipped_at.to_string(),
            s.shipment_code.to_string(),
        ])?;
    }
    w.flush()?;
    Ok(())
}

pub fn backward(trace: &BackwardTrace, out: impl std::io::Write) -> Result<(), csv::Error> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "lot_code",
        "item_sku",
        "supplier_code",
        "supplier_name",
        "supplier_lot",
        "invoice",
        "received_at",
        "quantity_consumed",
        "unit",
        "quantity_reached",
    ])?;
    for l in &trace.lots {
        let name = trace
            .suppliers
            .iter()
            .find(|s| s.code == l.supplier_code)
            .map(|s| s.name.as_str())
            .unwrap_or("");
        w.write_record([
            l.code.as_str(),
            &l.item_sku,
            &l.supplier_code,
            name,
            &l.supplier_lot,
            &l.invoice,
            &l.received_at,
            &l.quantity_consumed.number(),
            l.unit.symbol(),
            &l.reached.as_ref().map(|r| r.number()).unwrap_or_default(),
        ])?;
    }
    w.flush()?;
    Ok(())
}

pub fn stock(rows: &[StockRow], out: impl std::io::Write) -> Result<(), csv::Error> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "code",
        "kind",
        "item_sku",
        "status",
        "quantity",
        "unit",
        "expiry",
        "supplier_code",
        "supplier_lot",
        "days_of_cover",
    ])?;
    for r in rows {
        w.write_record([
            r.code.clone(),
            r.kind.clone(),
            r.item_sku.clone(),
            r.status.clone(),
            r.quantity.number(),
            r.unit.to_string(),
            r.expiry.clone().unwrap_or_default(),
            r.supplier_code.clone().unwrap_or_default(),
            r.supplier_lot.clone().unwrap_or_default(),
            r.days_of_cover.map(|d| d.to_string()).unwrap_or_default(),
        ])?;
    }
    w.flush()?;
    Ok(())
}
