//! Complaints and adverse events (MoCRA): recorded against what the customer names, kept
//! with the batches and lots behind it, a serious one with its 15-business-day deadline,
//! listed per lot or batch, and carried into the recall package.

use crate::support::Shop;

#[test]
fn complaints_are_kept_with_their_batches_and_lots_and_reach_the_recall() {
    let shop = Shop::new();
    let mut bench = shop.bench();
    bench.script(
        "@RECEIVE | SUP:COASTAL | INV-7 | ITEM:OLIVE | SL-OL-5 | @QTY:20kg | @DONE
         | ITEM:LYE | SL-NA-1 | @QTY:2kg | @DONE | @DONE
         | @MAKE | ITEM:SOAP | OLV-2611-001 | @QTY:3kg | NAOH-2611-001 | @QTY:400g | @YIELD:12 | @DONE
         | ITEM:SOAP | OLV-2611-001 | @QTY:3kg | @YIELD:12 | @DONE
         | @PACK | ORD:1001 | MFG-0001 | MFG-0001 | @DONE | ORD:1002 | MFG-0001 | @DONE",
    );
    drop(bench);

    // the customer names her order; the station finds the batch and its lots. Received on
    // Saturday 2026-11-21: fifteen business days, Thanksgiving (26 November) not one of
    // them, end on Monday 2026-12-14
    let out = shop.cli_ok(&[
        "complaint",
        "add",
        "--customer",
        "c001",
        "--code",
        "1001",
        "--text",
        "rash on both hands after two days",
        "--serious",
    ]);
    assert!(
        out.contains("complaint recorded (journal entry")
            && out.contains("C001 about order 1001, batches MFG-0001"),
        "{out}"
    );
    assert!(
        out.contains("report it to the FDA (MedWatch form 3500A) by 2026-12-14"),
        "{out}"
    );
    // another customer, found by her email as a shop knows her, the batch from the jar's
    // label: told of the first
    let out = shop.cli_ok(&[
        "complaint",
        "add",
        "--customer",
        "ANA@example.com",
        "--code",
        "MFG-0001",
        "--text",
        "smells of vinegar",
    ]);
    assert!(
        out.contains("1 other complaints concern the same batches or lots"),
        "{out}"
    );
    // what is not known is refused, and nothing is recorded
    let journal = shop.query_i64("SELECT COUNT(*) FROM journal");
    for (args, expected) in [
        (
            ["--customer", "NOPE", "--code", "MFG-0001"],
            "no customer has the code or email NOPE",
        ),
        (
            ["--customer", "C001", "--code", "NOPE-1"],
            "no lot, batch, shipment, order",
        ),
    ] {
        let mut all = vec!["complaint", "add"];
        all.extend_from_slice(&args);
        all.extend_from_slice(&["--text", "x"]);
        let out = shop.cli(&all);
        assert_eq!(out.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(expected), "{stderr}");
    }
    assert_eq!(shop.query_i64("SELECT COUNT(*) FROM journal"), journal);

    // per lot: both concern the lye (through the batch); the other soap batch has none
    let list: serde_json::Value = serde_json::from_str(&shop.cli_ok(&[
        "complaint",
        "list",
        "--code",
        "NAOH-2611-001",
        "--format",
        "json",
    ]))
    .expect("json");
    let list = list.as_array().expect("list");
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["customer"], "C001");
    assert_eq!(list[0]["kind"], "order");
    assert_eq!(list[0]["batches"], serde_json::json!(["MFG-0001"]));
    assert_eq!(
        list[0]["lots"],
        serde_json::json!(["NAOH-2611-001", "OLV-2611-001"])
    );
    assert_eq!(list[0]["serious"], true);
    assert_eq!(list[0]["report_by"], "2026-12-14");
    assert_eq!(list[1]["serious"], false);
    assert!(list[1].get("report_by").is_none());
    // one case: its deadline in business days, the other complaint on the same batch, and
    // what was learned later, appended
    let first = list[0]["journal_seq"].to_string();
    let second = list[1]["journal_seq"].to_string();
    let out = shop.cli_ok(&[
        "complaint",
        "follow-up",
        &first,
        "--text",
        "a doctor confirms contact dermatitis",
    ]);
    assert!(
        out.contains(&format!("follow-up of complaint {first} recorded")),
        "{out}"
    );
    let out = shop.cli(&["complaint", "follow-up", "1", "--text", "x"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        shop.verify().0,
        0,
        "the journal verifies with its follow-ups"
    );
    let case = shop.cli_ok(&["complaint", "show", &first]);
    for said in [
        "C001 about order 1001",
        "products: SOAP Lavender soap bar",
        "SERIOUS adverse event: report it to the FDA (MedWatch 3500A) by 2026-12-14: 15 business days left",
        "1 other customer got the same batches: Ana Ruiz (C002)",
        "1 other complaint about the same batches or lots:",
        &format!("journal entry {second}: C002 about batch MFG-0001: smells of vinegar"),
        "1 follow-up:",
        "a doctor confirms contact dermatitis",
    ] {
        assert!(case.contains(said), "{said} in {case}");
    }
    let summary = shop.path("3500a.pdf");
    let fields: serde_json::Value = serde_json::from_str(&shop.cli_ok(&[
        "complaint",
        "export",
        &first,
        "--pdf",
        summary.to_str().expect("utf8"),
    ]))
    .expect("json");
    if let Some(text) = crate::trace::pdftotext(&summary) {
        for said in [
            "Adverse event: FDA 3500A fields, journal entry",
            "B adverse event",
            "description: rash on both hands after two days",
            "lot numbers: MFG-0001",
        ] {
            assert!(text.contains(said), "{said} in {text}");
        }
    }
    assert_eq!(
        fields["C_product"]["lot_numbers"],
        serde_json::json!(["MFG-0001"])
    );
    assert_eq!(fields["E_initial_reporter"]["email"], "jo@example.com");
    assert_eq!(
        fields["B_adverse_event"]["description"],
        "rash on both hands after two days"
    );
    assert_eq!(fields["report_by"], "2026-12-14");
    let out = shop.cli(&["complaint", "show", "1"]);
    assert_eq!(out.status.code(), Some(1));
    let none = shop.cli_ok(&["complaint", "list", "--code", "MFG-0002"]);
    assert_eq!(none.trim(), "no complaints");
    let text = shop.cli_ok(&["complaint", "list"]);
    assert!(
        text.contains("C001 about order 1001 (batches MFG-0001): SERIOUS, report to the FDA by 2026-12-14; rash on both hands"),
        "{text}"
    );

    // the lye's recall package carries them
    let config = shop.config_file(
        "[station]\ntimezone = \"America/Chicago\"\n[[bench]]\nname = \"b\"\nscanners = [\"s\"]\n[[scanner]]\nname = \"s\"\nkind = \"stdin\"\n",
    );
    shop.cli_ok(&[
        "--config",
        config.to_str().expect("utf8"),
        "recall",
        "NAOH-2611-001",
        "--mock",
        "--out",
        "drill",
    ]);
    // the report in the station's time (UTC stays in the JSON), with the complaints
    if let Some(text) = crate::trace::pdftotext(&shop.path("drill/recall.pdf")) {
        assert!(text.contains("Generated 2026-11-21 08:00:00 CST"), "{text}");
        assert!(
            text.contains("Complaints about these products (2)"),
            "{text}"
        );
        assert!(text.contains("SERIOUS (report by 2026-12-14)"), "{text}");
    }
    let package: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(shop.path("drill/recall.json")).expect("recall.json"),
    )
    .expect("json");
    let complaints = package["complaints"].as_array().expect("complaints");
    assert_eq!(complaints.len(), 2);
    assert_eq!(complaints[0]["text"], "rash on both hands after two days");

    // kept in the journal, which still verifies
    assert_eq!(
        shop.query_i64("SELECT COUNT(*) FROM journal WHERE kind = 'complaint'"),
        2
    );
    let (code, out) = shop.verify();
    assert_eq!(code, 0, "{out}");
}

/// Over HTTP: recording needs the token; the list answers per code; the owner's page
/// shows a serious complaint with its deadline.
#[test]
fn complaints_over_http_and_on_the_owners_page() {
    use crate::http::http;
    let shop = Shop::new();
    let mut bench = shop.bench_with_config(
        "[[bench]]\nname = \"bench-1\"\nscanners = [\"stdin\"]\n\
         [[scanner]]\nname = \"stdin\"\nkind = \"stdin\"\n\
         [http]\nlisten = \"127.0.0.1:0\"\ntoken = \"t0ken\"\n",
    );
    let port = bench.http_address().port();
    for scan in [
        "@MAKE",
        "ITEM:SOAP",
        "@YIELD:12",
        "@DONE",
        "@PACK",
        "ORD:1001",
        "MFG-0001",
        "@DONE",
    ] {
        bench.ok(scan);
    }
    let complaint =
        r#"{"customer": "C001", "code": "1001", "text": "itchy <b>skin</b>", "serious": true}"#;
    let (status, body) = http(port, "POST", "/api/complaints", None, complaint);
    assert_eq!(status, 401, "{body}");
    let (status, body) = http(port, "POST", "/api/complaints", Some("t0ken"), complaint);
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains("C001 about order 1001, batches MFG-0001") && body.contains("by 2026-12-14"),
        "{body}"
    );
    let (status, body) = http(
        port,
        "POST",
        "/api/complaints",
        Some("t0ken"),
        r#"{"customer": "C001", "code": "NOPE-9", "text": "x"}"#,
    );
    assert_eq!(status, 404, "{body}");
    let (status, body) = http(port, "GET", "/api/complaints?code=MFG-0001", None, "");
    assert_eq!(status, 200, "{body}");
    let list: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(list.as_array().map(Vec::len), Some(1), "{body}");
    assert_eq!(list[0]["text"], "itchy <b>skin</b>");
    let (status, page) = http(port, "GET", "/complaints", None, "");
    assert_eq!(status, 200);
    assert!(
        page.contains("report to the FDA by 2026-12-14")
            && page.contains("itchy &lt;b&gt;skin&lt;/b&gt;"),
        "{page}"
    );
    // the nearest FDA deadline as a gauge: 23 days from Saturday 21 November
    let (_, metrics) = http(port, "GET", "/metrics", None, "");
    assert!(
        metrics.contains("lotstation_serious_complaints_due 1")
            && metrics.contains("lotstation_serious_complaint_days_left 23"),
        "{metrics}"
    );
    bench.finish();

    // a drill journaled by the command line shows on the recall page, in the station's time
    shop.cli_ok(&["recall", "MFG-0001", "--mock", "--out", "drill"]);
    let mut bench = shop.bench_with_config(
        "[[bench]]\nname = \"bench-1\"\nscanners = [\"stdin\"]\n\
         [[scanner]]\nname = \"stdin\"\nkind = \"stdin\"\n\
         [http]\nlisten = \"127.0.0.1:0\"\n",
    );
    let port = bench.http_address().port();
    let (status, page) = http(port, "GET", "/recall", None, "");
    assert_eq!(status, 200);
    assert!(
        page.contains("<h2>Recall drills</h2>")
            && page.contains("<td>2026-11-21 14:00:00 UTC</td>")
            && page.contains("<td>MFG-0001</td>"),
        "{page}"
    );
    bench.finish();
}
