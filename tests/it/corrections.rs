//! Corrections as records, never edits: `@VOID` and `@ADJUST` at a bench (in-process, the
//! transcript pinned), `lotstation void|adjust` as a whole binary, `POST /api/void|adjust`
//! in `http.rs`. What each says is read back from the traces, the stock list and the
//! journal, on both backends.

use crate::support::Shop;

fn json(shop: &Shop, args: &[&str]) -> serde_json::Value {
    let out = shop.cli(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json")
}

/// The stock list's row of `code` as `quantity unit status expiry`.
fn stock_of(shop: &Shop, code: &str) -> String {
    let rows = json(shop, &["stock", "--format", "json", "--all"]);
    let row = rows
        .as_array()
        .and_then(|r| r.iter().find(|r| r["code"] == code))
        .unwrap_or_else(|| panic!("{code} not in {rows}"))
        .clone();
    format!(
        "{} {} {} {}",
        row["quantity"]
            .as_str()
            .map_or(row["quantity"].to_string(), str::to_string),
        row["unit"].as_str().unwrap_or(""),
        row["status"].as_str().unwrap_or(""),
        row["expiry"].as_str().unwrap_or("-")
    )
}

/// Customer codes a forward trace reaches.
fn customers_of(shop: &Shop, code: &str) -> Vec<String> {
    let trace = json(shop, &["trace", "forward", code, "--format", "json"]);
    trace["customers"]
        .as_array()
        .expect("customers")
        .iter()
        .map(|c| c["code"].as_str().unwrap_or("").to_string())
        .collect()
}

/// At the bench: a shipment voided disappears from the forward trace and frees its order;
/// a lot used by a batch is not voided (the batch is named); a counted quantity, a
/// corrected yield and an expiry show in the stock list; values before the label, a
/// shipment to adjust and `@UNDO` after the fact are each answered with what to do.
#[test]
fn voiding_and_adjusting_at_the_bench() {
    let shop = Shop::new();
    shop.soap_day();
    let before = customers_of(&shop, "OLV-2611-001");
    assert_eq!(before.len(), 2, "{before:?}");
    let mut bench = shop.bench();
    let transcript = bench.script(
        "@UNDO | @VOID | OLV-2611-001 | @CANCEL
         | @VOID | SHP-00001 | @HOLD | NOTE:packed for the wrong customer
         | @VOID | SHP-00001
         | MFG-0002 | @CANCEL
         | @ADJUST | @QTY:1 | OLV-2611-001 | @QTY:16.5kg | NOTE:stock count
         | @ADJUST | MFG-0002 | @YIELD:0.5 | @YIELD:11 | NOTE:one bar cracked
         | @ADJUST | LAV-2611-001 | @EXPIRY:270631 | @EXPIRY:270630 | NOTE:supplier CoA
         | @ADJUST | SHP-00002 | @CANCEL
         | ORD:1001 | MFG-0002 | MFG-0002 | @DONE",
    );
    insta::assert_snapshot!(transcript);
    // the voided shipment is gone from the trace; order 1001 was packed again (no second
    // scan of the order needed: nothing on it had shipped)
    let after = customers_of(&shop, "OLV-2611-001");
    assert_eq!(
        after, before,
        "the re-packed order reaches the same customer"
    );
    let shipments = json(&shop, &["trace", "forward", "MFG-0002", "--format", "json"]);
    let codes: Vec<&str> = shipments["shipments"]
        .as_array()
        .expect("shipments")
        .iter()
        .filter_map(|s| s["shipment_code"].as_str())
        .collect();
    assert!(!codes.contains(&"SHP-00001"), "{codes:?}");
    assert!(codes.contains(&"SHP-00003"), "{codes:?}");
    // 20 kg received, 3 kg used, counted 16.5 kg; 11 bars made, 3 shipped (1 voided box
    // of 2 aside); the lavender's expiry as the supplier's certificate says
    assert_eq!(
        stock_of(&shop, "OLV-2611-001"),
        "16.5 kg available 2027-11-21"
    );
    assert_eq!(stock_of(&shop, "MFG-0002"), "8 each available 2027-11-21");
    assert_eq!(
        stock_of(&shop, "LAV-2611-001"),
        "500 g available 2027-06-30"
    );
    assert_eq!(
        shop.query_strings("SELECT target_kind || ' ' || target_code FROM corrections ORDER BY id"),
        ["shipment SHP-00001"]
    );
    assert_eq!(
        shop.query_strings(
            "SELECT code || ' ' || field || ' ' || delta || ' ' || value FROM adjustments ORDER BY id"
        ),
        [
            "OLV-2611-001 quantity -500000 16500000",
            "MFG-0002 yield -1 11",
            "LAV-2611-001 expiry 0 2027-06-30",
        ]
    );
    // the new expiry's label was printed with the correction
    assert!(
        shop.query_strings("SELECT label || ' ' || code || ' ' || copies FROM print_jobs")
            .contains(&"lot LAV-2611-001 1".to_string())
    );
    let (code, out) = shop.verify();
    assert_eq!(code, 0, "{out}");
}

/// `lotstation void` and `lotstation adjust` as a person types them: a refusal names what
/// depends on the document and writes nothing (exit 1); a batch voided gives its
/// ingredients back to their lots; a count of zero empties a lot; a yield and an expiry by
/// date; a usage error is exit 2.
#[test]
fn void_and_adjust_from_the_command_line() {
    let shop = Shop::new();
    shop.soap_day();
    let entries = shop.query_i64("SELECT COUNT(*) FROM journal");
    let out = shop.cli(&["void", "OLV-2611-001", "--reason", "typo"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: lot OLV-2611-001 cannot be voided: batch MFG-0002 used it; void those first, or @ADJUST it instead\n"
    );
    let out = shop.cli(&["void", "MFG-0002", "--reason", "typo"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("shipment SHP-00001, shipment SHP-00002 used it"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = shop.cli(&["void", "NOPE-1", "--reason", "typo"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: no lot, batch or shipment has the code NOPE-1\n"
    );
    assert_eq!(
        shop.query_i64("SELECT COUNT(*) FROM journal"),
        entries,
        "nothing written"
    );

    for shipment in ["SHP-00001", "SHP-00002"] {
        let said = shop.cli_ok(&["void", shipment, "--reason", "test orders"]);
        assert!(
            said.starts_with(&format!("shipment {shipment} of order ")),
            "{said}"
        );
    }
    let said = shop.cli_ok(&["void", "MFG-0002", "--reason", "never made"]);
    assert!(
        said.starts_with("batch MFG-0002 is void (never made); its 2 ingredient lines no longer count against their lots; journal entry "),
        "{said}"
    );
    assert_eq!(
        stock_of(&shop, "OLV-2611-001"),
        "20 kg available 2027-11-21"
    );
    assert!(customers_of(&shop, "OLV-2611-001").is_empty());
    shop.cli_ok(&["void", "OLV-2611-001", "--reason", "delivery refused"]);
    let rows = json(&shop, &["stock", "--format", "json", "--all"]);
    assert!(
        !rows.to_string().contains("OLV-2611-001"),
        "a void lot is not stock"
    );

    let said = shop.cli_ok(&[
        "adjust",
        "NAOH-2611-001",
        "--qty",
        "0",
        "--reason",
        "spilled",
    ]);
    assert!(
        said.starts_with(
            "lot NAOH-2611-001 counted: 0 g on hand (the records said 2000 g, -2000 g) (spilled)"
        ),
        "{said}"
    );
    assert_eq!(stock_of(&shop, "NAOH-2611-001"), "0 g depleted -");
    shop.cli_ok(&[
        "adjust",
        "MFG-0001",
        "--yield",
        "900g",
        "--reason",
        "weighed again",
    ]);
    shop.cli_ok(&[
        "adjust",
        "MFG-0001",
        "--expiry",
        "2027-01-31",
        "--reason",
        "stability test",
    ]);
    assert_eq!(stock_of(&shop, "MFG-0001"), "900 g available 2027-01-31");
    // its label reads the corrected expiry
    let zpl = shop.cli_ok(&["label", "render", "batch", "MFG-0001", "--format", "zpl"]);
    assert!(zpl.contains("Use by 2027-01-31"), "{zpl}");
    // so do the regulator's and the trading partners' exports: the transformation made
    // 900 g, and its instance master data carries the expiry
    let day = crate::support::today().to_string();
    let range = [
        "--from", &day, "--to", &day, "--code", "MFG-0001", "-o", "-",
    ];
    let fsma = shop.cli_ok(&[&["export", "fsma204"], &range[..]].concat());
    let made: Vec<&str> = fsma
        .lines()
        .filter(|l| l.starts_with("transformation,") && l.contains("MFG-0001"))
        .collect();
    assert!(
        !made.is_empty() && made.iter().all(|l| l.contains(",900,g,")),
        "{fsma}"
    );
    let epcis: serde_json::Value =
        serde_json::from_str(&shop.cli_ok(&[&["export", "epcis"], &range[..]].concat()))
            .expect("json");
    let events = epcis["epcisBody"]["eventList"].as_array().expect("events");
    let made = events
        .iter()
        .find(|e| e["type"] == "TransformationEvent")
        .expect("the batch's transformation");
    assert_eq!(made["outputQuantityList"][0]["quantity"], 900.0);
    assert_eq!(made["ilmd"]["cbvmda:itemExpirationDate"], "2027-01-31");
    assert_eq!(made["ilmd"]["cbvmda:lotNumber"], "MFG-0001");
    let out = shop.cli(&["adjust", "LAV-2611-001", "--yield", "1kg", "--reason", "x"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("is a lot: a yield belongs to a batch"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = shop.cli(&[
        "adjust",
        "LAV-2611-001",
        "--qty",
        "1",
        "--yield",
        "2",
        "--reason",
        "x",
    ]);
    assert_eq!(out.status.code(), Some(2), "one change at a time");
    let out = shop.cli(&["adjust", "LAV-2611-001", "--reason", "x"]);
    assert_eq!(out.status.code(), Some(2), "a change is required");

    // the journal says each correction plainly, as data and in words
    let text = shop.cli_ok(&["journal", "show", "--format", "text"]);
    for said in [
        "CORRECTION: shipment SHP-00001 void (test orders)",
        "CORRECTION: batch MFG-0002 line 1 undone (never made)",
        "CORRECTION: batch MFG-0002 void (never made)",
        "CORRECTION: lot NAOH-2611-001 counted on hand set to 0 g (was 2000 g, -2000 g) (spilled)",
        "CORRECTION: batch MFG-0001 yield set to 900 g (was 1000 g, -100 g) (weighed again)",
        "CORRECTION: batch MFG-0001 expiry set to 2027-01-31 (was 2027-11-21) (stability test)",
    ] {
        assert!(text.contains(said), "{said} not in\n{text}");
    }
    let bodies = shop.query_strings(
        "SELECT body FROM journal WHERE kind IN ('correction', 'adjustment') ORDER BY seq",
    );
    assert!(
        bodies.iter().any(|b| b.contains(r#""reason":"spilled""#)
            && b.contains(r#""was":"2000000""#)
            && b.contains(r#""value":"0""#)),
        "{bodies:?}"
    );
    let (code, out) = shop.verify();
    assert_eq!(code, 0, "{out}");
}
