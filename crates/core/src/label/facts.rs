//! What a label shows, from the facts the records hold: each kind's placeholder values
//! (dates in the shop's time zone, quantities in the item's unit, the GS1 element string
//! and Digital Link), with no storage of their own. The store reads the facts
//! (`print::LabelFacts`, in `store/labels.rs`); both backends feed this the same way.

use super::{LabelData, digital_link, gs1_message};
use crate::codes::{Dimension, Quantity, Unit};
pub use crate::print::{BatchFacts, LabelFacts, LotFacts, PackFacts, ShipmentFacts};

/// The placeholder values of a label from its facts.
pub fn words(facts: &LabelFacts, digital_link_base: &str, tz: &jiff::tz::TimeZone) -> LabelData {
    match facts {
        LabelFacts::Lot(f) => lot(f, digital_link_base, tz),
        LabelFacts::Batch(f) => batch(f, digital_link_base),
        LabelFacts::Shipment(f) => shipment(f, tz),
        LabelFacts::Pack(f) => pack(f, digital_link_base),
    }
}

/// A weighed pack: its batch's code (scanning the label finds the batch), its amount in
/// the product's unit and in both systems, and a GS1 symbol with its net weight.
pub fn pack(facts: &PackFacts, digital_link_base: &str) -> LabelData {
    let expiry = date(facts.expiry.as_deref());
    let net_mg = (facts.unit.dimension() == Dimension::Mass).then_some(facts.quantity);
    let gs1 = gs1_message(&facts.gtin, &facts.batch_code, expiry, net_mg);
    let amount = Quantity::from_base(facts.quantity);
    // the net contents as the net-content rule prints them (`Net wt 750 g (1 lb 10.4 oz)`)
    let small = match facts.unit.dimension() {
        Dimension::Mass => Some(Unit::G),
        Dimension::Volume => Some(Unit::Ml),
        Dimension::Count => None,
    };
    let net = small
        .and_then(|unit| crate::net::NetContent::parse(&amount.display_in(unit)).ok())
        .map(|n| n.label_text())
        .unwrap_or_default();
    let mut data = LabelData::default();
    data.set("code", &facts.batch_code)
        .set("shipment", &facts.code)
        .set("order_number", &facts.order_number)
        .set("product_sku", &facts.product_sku)
        .set("product_name", &facts.product_name)
        .set("quantity", amount.display_in(facts.unit))
        .set("net_quantity", net)
        .set("expiry", facts.expiry.as_deref().unwrap_or("-"))
        .set("gtin", &facts.gtin)
        .set("gs1", gs1.map(|m| m.to_hri()).unwrap_or_default())
        .set(
            "digital_link",
            digital_link(digital_link_base, &facts.gtin, &facts.batch_code, expiry),
        );
    data.set("pao", pao(facts.pao_months));
    data
}

/// The shop's date of a recorded time (the text as it is, up to its date, if it is not one).
fn date_of(at: &str, tz: &jiff::tz::TimeZone) -> String {
    at.parse::<jiff::Timestamp>()
        .map(|t| t.to_zoned(tz.clone()).date().to_string())
        .unwrap_or_else(|_| at.get(..10).unwrap_or(at).to_string())
}

fn date(text: Option<&str>) -> Option<jiff::civil::Date> {
    text.and_then(|e| e.parse().ok())
}

pub fn lot(facts: &LotFacts, digital_link_base: &str, tz: &jiff::tz::TimeZone) -> LabelData {
    let expiry = date(facts.expiry.as_deref());
    let net_mg = (facts.unit.dimension() == Dimension::Mass).then_some(facts.quantity);
    let gs1 = gs1_message(&facts.gtin, &facts.code, expiry, net_mg);
    let mut data = LabelData::default();
    data.set("code", &facts.code)
        .set("item_sku", &facts.item_sku)
        .set("item_name", &facts.item_name)
        .set("supplier_code", &facts.supplier_code)
        .set("supplier_name", &facts.supplier_name)
        .set("supplier_lot", &facts.supplier_lot)
        .set("invoice", &facts.invoice)
        .set("received_date", date_of(&facts.received_at, tz))
        .set("expiry", facts.expiry.as_deref().unwrap_or("-"))
        .set(
            "quantity",
            Quantity::from_base(facts.quantity).display_in(facts.unit),
        )
        .set("gs1", gs1.map(|m| m.to_hri()).unwrap_or_default())
        .set(
            "digital_link",
            digital_link(digital_link_base, &facts.gtin, &facts.code, expiry),
        )
        .set("gtin", &facts.gtin)
        .set("status", &facts.status);
    data
}

pub fn batch(facts: &BatchFacts, digital_link_base: &str) -> LabelData {
    let expiry = date(facts.expiry.as_deref());
    let gs1 = gs1_message(&facts.gtin, &facts.code, expiry, None);
    let mut data = LabelData::default();
    data.set("code", &facts.code)
        .set("product_sku", &facts.product_sku)
        .set("product_name", &facts.product_name)
        .set("production_date", &facts.production_date)
        .set("expiry", facts.expiry.as_deref().unwrap_or("-"))
        .set(
            "yield",
            facts
                .yield_quantity
                .map(|q| Quantity::from_base(q).display_in(facts.unit))
                .unwrap_or_else(|| "-".into()),
        )
        .set("gs1", gs1.map(|m| m.to_hri()).unwrap_or_default())
        .set(
            "digital_link",
            digital_link(digital_link_base, &facts.gtin, &facts.code, expiry),
        )
        .set("gtin", &facts.gtin)
        .set("net_quantity", net_quantity(facts.net_content.as_deref()))
        .set("pao", pao(facts.pao_months))
        .set("status", &facts.status);
    data
}

/// The period after opening as the open-jar symbol reads it: `12M`; empty when none.
fn pao(months: Option<i64>) -> String {
    months.map(|m| format!("{m}M")).unwrap_or_default()
}

/// `Net wt 110 g (3.88 oz)`; empty when the item states none (a value stored before this
/// version's check, unreadable now, is printed as it is rather than dropped).
fn net_quantity(stated: Option<&str>) -> String {
    match stated {
        None => String::new(),
        Some(text) => crate::net::NetContent::parse(text)
            .map(|n| n.label_text())
            .unwrap_or_else(|_| format!("Net {text}")),
    }
}

pub fn shipment(facts: &ShipmentFacts, tz: &jiff::tz::TimeZone) -> LabelData {
    let mut data = LabelData::default();
    data.set("code", &facts.code)
        .set("order_number", &facts.order_number)
        .set("customer_code", &facts.customer_code)
        .set("customer_name", &facts.customer_name)
        .set("customer_address", &facts.customer_address)
        .set("shipped_date", date_of(&facts.shipped_at, tz))
        .set("units", facts.units.to_string())
        .set("units_text", crate::counted(facts.units, "unit"))
        .set("batches", facts.batches.join(" "));
    data
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::Unit;

    #[test]
    fn a_lot_label_in_the_shops_time_and_units() {
        let facts = LotFacts {
            code: "LAV-2611-001".into(),
            item_sku: "LAV-EO".into(),
            item_name: "Lavender essential oil".into(),
            supplier_code: "BRAMBLE".into(),
            supplier_name: "Bramble Oils".into(),
            supplier_lot: "SL-1".into(),
            invoice: "INV-1".into(),
            received_at: "2026-11-21T03:00:00Z".into(),
            expiry: Some("2028-11-20".into()),
            quantity: 150_000,
            unit: Unit::G,
            gtin: "09501101530003".into(),
            status: "available".into(),
        };
        // Chicago in November
        let chicago = jiff::tz::TimeZone::fixed(jiff::tz::offset(-6));
        let data = lot(&facts, "https://id.gs1.org", &chicago);
        // 03:00 UTC is the evening before in Chicago
        assert_eq!(data.get("received_date"), "2026-11-20");
        assert_eq!(data.get("quantity"), "150 g");
        assert_eq!(
            data.get("digital_link"),
            "https://id.gs1.org/01/09501101530003/10/LAV-2611-001?17=281120"
        );
        assert!(
            data.get("gs1").starts_with("(01)09501101530003"),
            "{}",
            data.get("gs1")
        );
        let mut open = BatchFacts {
            code: "MFG-0001".into(),
            product_sku: "SOAP".into(),
            product_name: "Soap".into(),
            production_date: "2026-11-21".into(),
            expiry: None,
            yield_quantity: None,
            unit: Unit::Each,
            gtin: String::new(),
            net_content: None,
            pao_months: None,
            status: "available".into(),
        };
        assert_eq!(batch(&open, "https://id.gs1.org").get("yield"), "-");
        assert_eq!(batch(&open, "https://id.gs1.org").get("pao"), "");
        open.pao_months = Some(12);
        assert_eq!(batch(&open, "https://id.gs1.org").get("pao"), "12M");
        assert_eq!(batch(&open, "https://id.gs1.org").get("net_quantity"), "");
        open.yield_quantity = Some(12);
        assert_eq!(batch(&open, "https://id.gs1.org").get("expiry"), "-");
        open.net_content = Some("8 fl oz".into());
        assert_eq!(
            batch(&open, "https://id.gs1.org").get("net_quantity"),
            "Net 8 fl oz (236 ml)"
        );
    }

    #[test]
    fn a_pack_label_carries_its_net_weight_batch_and_expiry() {
        let facts = PackFacts {
            code: "SHP-00001/2".into(),
            order_number: "5004".into(),
            batch_code: "MFG-0001".into(),
            product_sku: "BULK".into(),
            product_name: "Bulk soap".into(),
            quantity: 750_000,
            unit: Unit::Kg,
            expiry: Some("2027-11-21".into()),
            gtin: "09501101530010".into(),
            pao_months: Some(6),
        };
        let data = pack(&facts, "https://id.gs1.org");
        assert_eq!(data.get("pao"), "6M");
        assert_eq!(data.get("code"), "MFG-0001");
        assert_eq!(data.get("quantity"), "0.75 kg");
        assert_eq!(data.get("net_quantity"), "Net wt 750 g (26.4 oz)");
        assert_eq!(
            data.get("gs1"),
            "(01)09501101530010(17)271121(3105)075000(10)MFG-0001"
        );
        // a volume carries no net weight element, and no GTIN no GS1 symbol
        let oil = PackFacts {
            unit: Unit::L,
            quantity: 500_000,
            gtin: String::new(),
            ..facts
        };
        let data = pack(&oil, "https://id.gs1.org");
        assert_eq!(data.get("net_quantity"), "Net 500 ml (16.9 fl oz)");
        assert_eq!(data.get("gs1"), "");
    }
}
