//! The FDA's sortable spreadsheet (FSMA 204) from a day of work driven through the
//! simulation: every receipt, closed batch (per input) and shipment line once, with lot
//! codes and quantities exactly as recorded; `--code` narrows it to a trace.

use crate::support::{Shop, today};

const CONFIG: &str = r#"
[station]
timezone = "UTC"
location = "Lavender Lane Soap, 12 Mill St, Springfield, IL 62701"
[[bench]]
name = "bench-1"
scanners = ["stdin"]
[[scanner]]
name = "stdin"
kind = "stdin"
"#;

/// `export fsma204` for today with these extra arguments: the rows, each as its columns
/// joined by `|`, header first.
fn export(shop: &Shop, extra: &[&str]) -> Vec<String> {
    let config = shop.config_file(CONFIG);
    let day = today().to_string();
    let mut args = vec![
        "--config",
        config.to_str().expect("utf8"),
        "export",
        "fsma204",
        "--from",
        &day,
        "--to",
        &day,
        "-o",
        "-",
    ];
    args.extend_from_slice(extra);
    let out = shop.cli(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    let mut rows = vec![
        reader
            .headers()
            .expect("header")
            .iter()
            .collect::<Vec<_>>()
            .join("|"),
    ];
    for record in reader.records() {
        let record = record.expect("row");
        rows.push(record.iter().collect::<Vec<_>>().join("|"));
    }
    rows
}

/// The columns that identify an event: CTE, TLC, our code, quantity, unit, previous
/// source, recipient, reference, input TLC, input quantity and unit.
fn keys(rows: &[String]) -> Vec<String> {
    rows.iter()
        .skip(1)
        .map(|r| {
            let c: Vec<&str> = r.split('|').collect();
            [0, 2, 3, 5, 6, 8, 9, 12, 13, 16, 17]
                .iter()
                .map(|&i| c[i])
                .collect::<Vec<_>>()
                .join(" ; ")
        })
        .collect()
}

#[test]
fn a_days_records_become_the_fda_spreadsheet_row_for_row() {
    let shop = Shop::new();
    // a supplier's address, from the optional column
    shop.import_csv(
        "suppliers",
        "code,name,contact,email,phone,address\nBRAMBLE,Bramble Oils,Ann Bramble,ann@bramble.example,555-0101,\"4 Dock Rd, Portland, ME\"\nCOASTAL,Coastal Supply,Marco Diaz,marco@coastal.example,555-0102,\n",
    );
    shop.soap_day();
    let shipments = shop.query_strings("SELECT code FROM shipments ORDER BY shipped_at");
    let (first, second) = (&shipments[0], &shipments[1]);

    let rows = export(&shop, &[]);
    assert_eq!(
        rows[0],
        "Critical tracking event|Event date (UTC)|Traceability lot code|Our lot, batch or shipment code|Product description|Quantity|Unit of measure|Location of the event|Immediate previous source|Immediate subsequent recipient|Traceability lot code source|Reference document type|Reference document number|Input traceability lot code|Input lot code (ours)|Input product description|Input quantity used|Input unit of measure"
    );
    let receiving_olive = "receiving ; SL-OL-5 ; OLV-2611-001 ; 20 ; kg ; Coastal Supply, 555-0102 ;  ; INV-7 ;  ;  ; ";
    let receiving_lye = "receiving ; SL-NA-1 ; NAOH-2611-001 ; 2000 ; g ; Coastal Supply, 555-0102 ;  ; INV-7 ;  ;  ; ";
    let receiving_lavender = "receiving ; SL-LAV-1 ; LAV-2611-001 ; 1500 ; g ; Bramble Oils, 4 Dock Rd, Portland, ME, 555-0101 ;  ; INV-8 ;  ;  ; ";
    let blend =
        "transformation ; MFG-0001 ; MFG-0001 ; 1000 ; g ;  ;  ; MFG-0001 ; SL-LAV-1 ; 1000 ; g";
    let soap_olive =
        "transformation ; MFG-0002 ; MFG-0002 ; 12 ; each ;  ;  ; MFG-0002 ; SL-OL-5 ; 3 ; kg";
    let soap_lye =
        "transformation ; MFG-0002 ; MFG-0002 ; 12 ; each ;  ;  ; MFG-0002 ; SL-NA-1 ; 400 ; g";
    let shipped = |code: &str, order: &str, units: &str, to: &str| {
        format!(
            "shipping ; MFG-0002 ; {code} ; {units} ; each ;  ; {to} ; {order} (shipment {code}) ;  ;  ; "
        )
    };
    let jo = "Jo Smith, 1 Main St, Springfield, 555-0001";
    let ana = "Ana Ruiz, 2 Oak Ave, Springfield, 555-0002";
    assert_eq!(
        keys(&rows),
        [
            receiving_olive.to_string(),
            receiving_lye.to_string(),
            receiving_lavender.to_string(),
            blend.to_string(),
            soap_olive.to_string(),
            soap_lye.to_string(),
            shipped(first, "1001", "2", jo),
            shipped(second, "1002", "1", ana),
        ]
    );
    // every row's location is the station's, the supplier's lot numbers came from them
    for row in &rows[1..] {
        assert!(
            row.contains("|Lavender Lane Soap, 12 Mill St, Springfield, IL 62701|"),
            "{row}"
        );
    }
    assert!(rows[1].contains("|Olive oil (OLIVE)|"), "{}", rows[1]);
    assert!(
        rows[1].contains("|Coastal Supply, 555-0102|invoice|INV-7|"),
        "{}",
        rows[1]
    );
    assert!(rows[5].contains("|batch record|MFG-0002|"), "{}", rows[5]);

    // an outbreak question about the lye: its receipt, the soap made with it (both
    // inputs: the whole transformation), where the soap went; not the lavender or blend
    assert_eq!(
        keys(&export(&shop, &["--code", "NAOH-2611-001"])),
        [
            receiving_lye.to_string(),
            soap_olive.to_string(),
            soap_lye.to_string(),
            shipped(first, "1001", "2", jo),
            shipped(second, "1002", "1", ana),
        ]
    );
    // a customer's order: what reached it, and its shipment alone
    assert_eq!(
        keys(&export(&shop, &["--code", "1002"])),
        [
            receiving_olive.to_string(),
            receiving_lye.to_string(),
            soap_olive.to_string(),
            soap_lye.to_string(),
            shipped(second, "1002", "1", ana),
        ]
    );
}

/// The FDA asks for a location description of each source and recipient: an export warns,
/// naming them, about the suppliers and customers of its records that have no address.
#[test]
fn an_export_names_the_suppliers_and_customers_without_an_address() {
    let shop = Shop::new();
    shop.soap_day();
    let config = shop.config_file(CONFIG);
    let day = today().to_string();
    let out = shop.cli(&[
        "--config",
        config.to_str().expect("utf8"),
        "export",
        "fsma204",
        "--from",
        &day,
        "--to",
        &day,
        "-o",
        "-",
    ]);
    assert!(out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("warning: 2 suppliers in these records have no address, so their rows hold only a name where the FDA asks for a location: Bramble Oils (BRAMBLE), Coastal Supply (COASTAL) (add the address column to suppliers.csv and import it again)"),
        "{said}"
    );
    assert!(
        !said.contains("customer"),
        "both customers have addresses: {said}"
    );
}

/// `lotstation plan` writes the written traceability plan's skeleton: what the station knows
/// filled in (the business, the products, how lots are coded, how a trace and the 24-hour
/// spreadsheet are made), what only the owner knows marked to complete.
#[test]
fn plan_writes_the_traceability_plans_skeleton() {
    let shop = Shop::new();
    let config = shop.config_file(CONFIG);
    let file = shop.path("plan.md");
    let out = shop.cli_ok(&[
        "--config",
        config.to_str().expect("utf8"),
        "plan",
        "-o",
        file.to_str().expect("utf8"),
    ]);
    assert!(
        out.contains("the traceability plan's skeleton (2 products)"),
        "{out}"
    );
    let plan = std::fs::read_to_string(&file).expect("plan");
    for said in [
        "# Traceability plan (FSMA 204, 21 CFR 1.1315)",
        "- Lavender soap bar (SOAP), GTIN 09501101530010: **[to complete: on the Food Traceability List? which entry]**",
        "- Lavender blend (BLEND)",
        "each batch gets the traceability lot code `",
        "`lotstation export fsma204 --from DATE --to DATE -o FILE`",
        "Point of contact for questions about this plan (name, phone): **[to complete: a person and a phone number]**",
    ] {
        assert!(plan.contains(said), "{said} in {plan}");
    }
}
