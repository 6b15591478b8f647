//! EPCIS 2.0 (GS1's standard for traceability events, JSON-LD): our events written as an
//! `EPCISDocument` (receipts as receiving `ObjectEvent`s, closed batches as
//! `TransformationEvent`s, shipment lines as shipping `ObjectEvent`s, lots as class-level
//! identifiers), and a supplier's shipping events read back as the lots they send. Pure: no
//! IO, no clock.
//!
//! Identifiers: a lot of an item with a GTIN is its GS1 Digital Link URI
//! (`https://id.gs1.org/01/{gtin}/10/{lot}`, as our labels carry it); the EPC class URN
//! `urn:epc:class:lgtin:…` is read too. An item without a GTIN has no GS1 identifier: its
//! lots are `urn:lotstation:class:{sku}:{lot}` (percent-encoded), which another lotstation
//! reads by SKU.

use serde_json::{Value, json};

use crate::codes::{Decimal, Gtin, Quantity, Unit, gs1_check_digit};
use crate::fsma::{Cte, CteRow};

/// The JSON-LD context of every EPCIS 2.0 document.
pub const CONTEXT: &str = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld";

fn encode(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The class identifier of a lot: Digital Link with a GTIN, else our URN by SKU.
pub fn lot_class(gtin: Option<&str>, sku: &str, lot: &str) -> String {
    match gtin.filter(|g| !g.is_empty()) {
        Some(gtin) => format!("https://id.gs1.org/01/{gtin}/10/{}", encode(lot)),
        None => format!("urn:lotstation:class:{}:{}", encode(sku), encode(lot)),
    }
}

/// What a class identifier names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LotClass {
    Gtin { gtin: String, lot: String },
    Sku { sku: String, lot: String },
}

/// Reads a class identifier: a Digital Link URI (any host), an LGTIN EPC class URN, or ours.
pub fn parse_lot_class(id: &str) -> Option<LotClass> {
    if let Some(rest) = id.strip_prefix("urn:lotstation:class:") {
        let (sku, lot) = rest.split_once(':')?;
        return Some(LotClass::Sku {
            sku: crate::gs1::percent_decoded(sku)?,
            lot: crate::gs1::percent_decoded(lot)?,
        });
    }
    if let Some(rest) = id.strip_prefix("urn:epc:class:lgtin:") {
        // company prefix . indicator digit and item reference . lot
        let mut parts = rest.splitn(3, '.');
        let (prefix, reference, lot) = (parts.next()?, parts.next()?, parts.next()?);
        let (indicator, item) = reference.split_at_checked(1)?;
        let digits = format!("{indicator}{prefix}{item}");
        if digits.len() != 13 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let check = gs1_check_digit(digits.as_bytes());
        return Some(LotClass::Gtin {
            gtin: format!("{digits}{check}"),
            lot: crate::gs1::percent_decoded(lot)?,
        });
    }
    // a Digital Link: …/01/{gtin}/10/{lot}[?…]
    let path = id.split(['?', '#']).next()?;
    let at = path.find("/01/")?;
    let rest = &path[at + 4..];
    let (gtin, rest) = rest.split_once('/')?;
    let lot = rest.strip_prefix("10/")?;
    let lot = lot.split('/').next()?;
    let gtin = Gtin::parse(gtin).ok()?;
    Some(LotClass::Gtin {
        gtin: gtin.as_str().to_string(),
        lot: crate::gs1::percent_decoded(lot)?,
    })
}

/// UN/CEFACT Recommendation 20 codes for our units (none for counted units).
pub fn uom(unit: Unit) -> Option<&'static str> {
    match unit {
        Unit::G => Some("GRM"),
        Unit::Kg => Some("KGM"),
        Unit::Ml => Some("MLT"),
        Unit::L => Some("LTR"),
        Unit::Lb => Some("LBR"),
        Unit::Oz => Some("ONZ"),
        Unit::Each => None,
    }
}

fn unit_of_uom(code: Option<&str>) -> Option<Unit> {
    Some(match code {
        None => Unit::Each,
        Some("GRM") => Unit::G,
        Some("KGM") => Unit::Kg,
        Some("MLT") => Unit::Ml,
        Some("LTR") => Unit::L,
        Some("LBR") => Unit::Lb,
        Some("ONZ") => Unit::Oz,
        Some("EA" | "H87" | "C62") => Unit::Each,
        Some(_) => return None,
    })
}

fn quantity_element(class: String, quantity: &str, unit: &str) -> Value {
    let unit = Unit::parse(unit).unwrap_or(Unit::Each);
    let number: f64 = quantity.parse().unwrap_or(0.0);
    let mut element = json!({ "epcClass": class, "quantity": number });
    if let Some(code) = uom(unit) {
        element["uom"] = json!(code);
    }
    element
}

/// The quantity element of a row's own lot (not its input's).
fn row_quantity(row: &CteRow) -> Value {
    quantity_element(
        lot_class(row.gtin.as_deref(), &row.sku, &row.tlc),
        &row.quantity,
        &row.unit,
    )
}

/// An `ObjectEvent` observing the row's lot (receiving, shipping).
fn observed(mut event: Value, row: &CteRow) -> Value {
    event["action"] = json!("OBSERVE");
    event["epcList"] = json!([]);
    event["quantityList"] = json!([row_quantity(row)]);
    event
}

fn party(kind: &str, code: &str) -> String {
    format!("urn:lotstation:party:{kind}:{}", encode(code))
}

/// An EPCIS 2.0 document of these events. `station` names this station (its location is
/// `urn:lotstation:location:{station}`); `created` is the document's creation time.
pub fn document(rows: &[CteRow], station: &str, created: &str) -> Value {
    let location = json!({ "id": format!("urn:lotstation:location:{}", encode(station)) });
    let mut events: Vec<Value> = Vec::new();
    let mut i = 0;
    while i < rows.len() {
        let row = &rows[i];
        let base = |kind: &str, biz_step: &str, disposition: &str| {
            json!({
                "type": kind,
                "eventTime": row.date,
                "eventTimeZoneOffset": "+00:00",
                "bizStep": biz_step,
                "disposition": disposition,
                "readPoint": location.clone(),
                "bizLocation": location.clone(),
            })
        };
        match row.event {
            Cte::Receiving => {
                let mut event = observed(base("ObjectEvent", "receiving", "in_progress"), row);
                event["sourceList"] =
                    json!([{ "type": "owning_party", "source": party("supplier", &row.party) }]);
                event["bizTransactionList"] = json!([{
                    "type": "inv",
                    "bizTransaction": format!("urn:lotstation:inv:{}", encode(&row.reference_number)),
                }]);
                events.push(event);
                i += 1;
            }
            Cte::Transformation => {
                // one event with every input of the batch (its rows are together)
                let mut inputs = Vec::new();
                let mut j = i;
                while j < rows.len()
                    && rows[j].event == Cte::Transformation
                    && rows[j].code == row.code
                {
                    let r = &rows[j];
                    if !r.input_code.is_empty() {
                        inputs.push(quantity_element(
                            lot_class(r.input_gtin.as_deref(), &r.input_sku, &r.input_tlc),
                            &r.input_quantity,
                            &r.input_unit,
                        ));
                    }
                    j += 1;
                }
                let mut event = base("TransformationEvent", "commissioning", "active");
                event["inputQuantityList"] = json!(inputs);
                event["outputQuantityList"] = json!([row_quantity(row)]);
                if let Some(expiry) = &row.expiry {
                    // instance master data of the lot made: its number and the CBV's
                    // expiry date, which a customer's station fills in at receiving
                    event["ilmd"] = json!({
                        "cbvmda:lotNumber": row.code,
                        "cbvmda:itemExpirationDate": expiry,
                    });
                }
                events.push(event);
                i = j;
            }
            Cte::Shipping => {
                let mut event = observed(base("ObjectEvent", "shipping", "in_transit"), row);
                event["destinationList"] = json!([{
                    "type": "owning_party",
                    "destination": party("customer", &row.party),
                }]);
                event["bizTransactionList"] = json!([
                    { "type": "po", "bizTransaction": format!("urn:lotstation:po:{}", encode(&row.order)) },
                    { "type": "desadv", "bizTransaction": format!("urn:lotstation:desadv:{}", encode(&row.code)) },
                ]);
                events.push(event);
                i += 1;
            }
        }
    }
    json!({
        "@context": [CONTEXT],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": created,
        "epcisBody": { "eventList": events },
    })
}

/// A lot a supplier says it shipped: what it is, its lot number, how much, when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShippedLot {
    pub class: LotClass,
    pub quantity: Decimal,
    pub unit: Unit,
    pub shipped_at: String,
    /// the expiry the document states where the lot was made (its instance master data)
    pub expiry: Option<jiff::civil::Date>,
    /// the event's place in the file's event list (1-based), for messages
    pub event: usize,
}

/// The expiry dates a document states for the lots its events make: `ilmd`'s
/// `cbvmda:itemExpirationDate` on a transformation (its outputs) or an object event that
/// adds (its quantities). A date that cannot be read is an error naming the event.
fn stated_expiries(events: &[Value]) -> Result<Vec<(LotClass, jiff::civil::Date)>, String> {
    let mut found = Vec::new();
    for (n, event) in events.iter().enumerate() {
        let Some(stated) = event["ilmd"].get("cbvmda:itemExpirationDate") else {
            continue;
        };
        let text = stated.as_str().unwrap_or("");
        // a date (xsd:date), or a date and time whose day is taken
        let day = text.split('T').next().unwrap_or("");
        let expiry = day.parse::<jiff::civil::Date>().map_err(|_| {
            format!(
                "event {}: itemExpirationDate {stated} is not a date (YYYY-MM-DD)",
                n + 1
            )
        })?;
        let made = match event["type"].as_str() {
            Some("TransformationEvent") => &event["outputQuantityList"],
            Some("ObjectEvent") if event["action"] == "ADD" => &event["quantityList"],
            _ => continue,
        };
        for element in made.as_array().into_iter().flatten() {
            if let Some(class) = element["epcClass"].as_str().and_then(parse_lot_class) {
                found.push((class, expiry));
            }
        }
    }
    Ok(found)
}

/// What a document's shipping events hold: the lots, and for each event that gave none,
/// why (in words, with its place in the list).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Shipped {
    pub lots: Vec<ShippedLot>,
    pub passed_over: Vec<String>,
    /// events in the document
    pub events: usize,
}

/// The lots in a document's shipping events (ObjectEvents and TransactionEvents whose step
/// is shipping, with a quantity list of lots), from an `EPCISDocument` or the results of an
/// `EPCISQueryDocument`. An event that gives no lot says why (not a shipping step, an event
/// type that ships nothing, serialised items with no lot number); a shipping event whose
/// lots cannot be read is an error naming it.
pub fn shipped_lots(text: &str) -> Result<Shipped, String> {
    let doc: Value = serde_json::from_str(text).map_err(|e| format!("not JSON ({e})"))?;
    let events = match doc["type"].as_str() {
        Some("EPCISDocument") => doc["epcisBody"]["eventList"]
            .as_array()
            .ok_or("the document has no epcisBody.eventList")?,
        Some("EPCISQueryDocument") => doc["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
            .as_array()
            .ok_or("the query document has no epcisBody.queryResults.resultsBody.eventList")?,
        _ => {
            return Err(
                "not an EPCIS document (its \"type\" is neither \"EPCISDocument\" nor \"EPCISQueryDocument\")"
                    .into(),
            );
        }
    };
    let expiries = stated_expiries(events)?;
    let mut shipped = Shipped {
        events: events.len(),
        ..Shipped::default()
    };
    for (n, event) in events.iter().enumerate() {
        let n = n + 1;
        let kind = event["type"].as_str().unwrap_or("an event without a type");
        let step = event["bizStep"].as_str().unwrap_or("");
        let short_step = step
            .rsplit([':', '-', '/'])
            .next()
            .filter(|s| !s.is_empty())
            .unwrap_or("none");
        let shipping = matches!(
            step,
            "shipping"
                | "urn:epcglobal:cbv:bizstep:shipping"
                | "https://ref.gs1.org/cbv/BizStep-shipping"
        );
        let mut pass = |why: String| {
            shipped
                .passed_over
                .push(format!("event {n} ({kind}): {why}"))
        };
        if !matches!(kind, "ObjectEvent" | "TransactionEvent") {
            pass("an event of this type ships nothing: only shipping ObjectEvents and TransactionEvents are read".into());
            continue;
        }
        if !shipping {
            pass(format!("its step is {short_step}, not shipping"));
            continue;
        }
        let classes = event["quantityList"].as_array().map_or(0, Vec::len);
        if classes == 0 {
            let serialised = event["epcList"].as_array().map_or(0, Vec::len)
                + event["parentID"].as_str().map_or(0, |_| 1);
            pass(if serialised > 0 {
                "it names serialised items (urn:epc:id:sgtin, or a Digital Link with /21/) and no lot: a lot number is what receiving needs".into()
            } else {
                "it names no lot (no quantityList)".into()
            });
            continue;
        }
        let at = event["eventTime"].as_str().unwrap_or("").to_string();
        let at = at
            .parse::<jiff::Timestamp>()
            .map_err(|_| format!("event {n}: eventTime {at:?} is not a date and time"))?
            .to_string();
        for element in event["quantityList"].as_array().into_iter().flatten() {
            let id = element["epcClass"].as_str().unwrap_or("");
            let class = parse_lot_class(id).ok_or_else(|| {
                format!("event {n}: {id:?} is not a lot of a GTIN (Digital Link or urn:epc:class:lgtin) nor of a SKU")
            })?;
            let (LotClass::Gtin { lot, .. } | LotClass::Sku { lot, .. }) = &class;
            if let Some(why) =
                crate::codes::text_problem("lot number", lot, crate::codes::MAX_LOT_CHARS)
            {
                return Err(format!("event {n}: {why}"));
            }
            // a lot of a GTIN is GS1's batch/lot, AI (10): what its barcode can carry
            if matches!(class, LotClass::Gtin { .. })
                && (lot.chars().count() > 20 || !lot.chars().all(crate::gs1::is_cset82))
            {
                return Err(format!(
                    "event {n}: lot number {lot:?} is not a GS1 batch/lot: at most 20 of GS1's characters (letters, digits and !\"%&'()*+,-./:;<=>?_)"
                ));
            }
            let number = element["quantity"]
                .as_f64()
                .filter(|q| *q > 0.0 && q.is_finite())
                .ok_or_else(|| {
                    format!("event {n}: {id}: the quantity is missing or not above zero")
                })?;
            let quantity = Decimal::parse(&format!("{number}"))
                .ok_or_else(|| format!("event {n}: {id}: quantity {number} is not a decimal"))?;
            let uom = element["uom"].as_str();
            let unit = unit_of_uom(uom).ok_or_else(|| {
                format!("event {n}: {id}: unit {:?} is not one the station knows (GRM, KGM, MLT, LTR, LBR, ONZ, or none for units)", uom.unwrap_or(""))
            })?;
            let expiry = expiries
                .iter()
                .find(|(made, _)| *made == class)
                .map(|(_, expiry)| *expiry);
            shipped.lots.push(ShippedLot {
                class,
                quantity,
                unit,
                shipped_at: at.clone(),
                expiry,
                event: n,
            });
        }
    }
    Ok(shipped)
}

/// A shipped lot's quantity in the item's own unit.
pub fn in_unit(lot: &ShippedLot, unit: Unit) -> Result<Quantity, String> {
    Quantity::convert(lot.quantity, lot.unit, unit).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lot_classes_read_back() {
        let dl = lot_class(Some("09501101530010"), "SOAP", "MFG 0001/a");
        assert_eq!(dl, "https://id.gs1.org/01/09501101530010/10/MFG%200001%2Fa");
        assert_eq!(
            parse_lot_class(&dl),
            Some(LotClass::Gtin {
                gtin: "09501101530010".into(),
                lot: "MFG 0001/a".into()
            })
        );
        let ours = lot_class(None, "OLIVE", "SL:5");
        assert_eq!(ours, "urn:lotstation:class:OLIVE:SL%3A5");
        assert_eq!(
            parse_lot_class(&ours),
            Some(LotClass::Sku {
                sku: "OLIVE".into(),
                lot: "SL:5".into()
            })
        );
        // GS1's EPC class URN: company prefix 9501101, indicator 0 and item 53001
        assert_eq!(
            parse_lot_class("urn:epc:class:lgtin:9501101.053001.L-7"),
            Some(LotClass::Gtin {
                gtin: "09501101530010".into(),
                lot: "L-7".into()
            })
        );
        assert_eq!(parse_lot_class("https://example.com/01/123/10/x"), None);
        assert_eq!(parse_lot_class("urn:epc:id:sgtin:9501101.053001.1"), None);
    }

    /// A distributor's notice: the lot commissioned by an object event that adds it (its
    /// expiry as a date and time), then shipped under its LGTIN class URN; a lot the
    /// document states nothing about has no expiry.
    #[test]
    fn a_notice_states_the_expiry_where_the_lot_was_made() {
        let doc = json!({
            "type": "EPCISDocument",
            "epcisBody": { "eventList": [
                { "type": "ObjectEvent", "action": "ADD", "bizStep": "commissioning",
                  "quantityList": [{ "epcClass": "https://id.gs1.org/01/09501101530010/10/L-7", "quantity": 5 }],
                  "ilmd": { "cbvmda:itemExpirationDate": "2027-03-31T00:00:00Z" } },
                { "type": "ObjectEvent", "action": "OBSERVE", "bizStep": "shipping",
                  "eventTime": "2026-11-20T10:00:00Z",
                  "quantityList": [
                      { "epcClass": "urn:epc:class:lgtin:9501101.053001.L-7", "quantity": 2 },
                      { "epcClass": "urn:lotstation:class:OLIVE:SL-5", "quantity": 3, "uom": "KGM" }
                  ] }
            ] }
        });
        let lots = shipped_lots(&doc.to_string()).expect("read").lots;
        let expiries: Vec<_> = lots
            .iter()
            .map(|l| l.expiry.map(|d| d.to_string()))
            .collect();
        assert_eq!(expiries, [Some("2027-03-31".to_string()), None]);
        let bad = doc
            .to_string()
            .replace("2027-03-31T00:00:00Z", "31/03/2027");
        assert_eq!(
            shipped_lots(&bad),
            Err("event 1: itemExpirationDate \"31/03/2027\" is not a date (YYYY-MM-DD)".into())
        );
    }
}
