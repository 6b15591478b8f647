//! Master-data import: a bad row names file, line and column and imports nothing from that
//! file; a re-import updates master data and leaves history alone.

use crate::support::Shop;

/// Imports `content` as `kind` and expects failure with `expected` in the message.
fn check_bad(shop: &Shop, kind: &str, content: &[u8], expected: &str) {
    let path = shop.path(&format!("{kind}.csv"));
    std::fs::write(&path, content).expect("write csv");
    let counts_before = shop.query_i64(&format!("SELECT COUNT(*) FROM {}", table(kind)));
    let journal_before = shop.query_i64("SELECT COUNT(*) FROM journal");
    let out = shop.cli(&["import", kind, path.to_str().expect("utf8")]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{kind}: {stderr}");
    let expected = expected.replace("FILE", &path.display().to_string());
    assert!(
        stderr.contains(&expected),
        "expected {expected:?} in {stderr:?}"
    );
    assert_eq!(
        shop.query_i64(&format!("SELECT COUNT(*) FROM {}", table(kind))),
        counts_before,
        "nothing imported"
    );
    assert_eq!(
        shop.query_i64("SELECT COUNT(*) FROM journal"),
        journal_before
    );
}

fn table(kind: &str) -> &str {
    match kind {
        "orders" => "order_lines",
        other => other,
    }
}

#[test]
fn bad_rows_are_located_and_nothing_is_imported() {
    let shop = Shop::new();
    let header = "sku,name,kind,unit,lot_prefix,gtin,shelf_life_days\n";
    let good = "NEW-1,New thing,material,g,NEW,,\n";
    let items = |rows: &str| format!("{header}{good}{rows}").into_bytes();
    check_bad(
        &shop,
        "items",
        &items("X,Bad gtin,material,g,,09501101530004,\n"),
        "FILE line 3, column gtin: GTIN 09501101530004 has check digit 4, it should be 3",
    );
    check_bad(
        &shop,
        "items",
        &items("X,\"Soap, \"\"lavender\"\",material,g,,,\nY,Other,material,g,,,\n"),
        "FILE line 3: a quoted field opened on this line is never closed",
    );
    check_bad(
        &shop,
        "items",
        &items("X,Nul\u{0}in name,material,g,,,\n"),
        "FILE line 3, column name: holds the control character U+0000",
    );
    check_bad(
        &shop,
        "items",
        &items("X,Soap \u{202E}rab,material,g,,,\n"),
        "FILE line 3, column name: holds the direction control U+202E (an override, embedding or isolate)",
    );
    check_bad(
        &shop,
        "items",
        &items(&format!("X,{},material,g,,,\n", "A".repeat(5000))),
        "FILE line 3, column name: has 5000 characters; a field holds at most 1000",
    );
    check_bad(
        &shop,
        "items",
        &items("X,Bad unit,material,stone,,,\n"),
        "FILE line 3, column unit: \"stone\" must be one of g, kg, ml, l, each",
    );
    check_bad(
        &shop,
        "items",
        &items("X,Bad kind,ingredient,g,,,\n"),
        "FILE line 3, column kind: \"ingredient\" must be material or product",
    );
    check_bad(
        &shop,
        "items",
        &items(",No sku,material,g,,,\n"),
        "FILE line 3, column sku: is empty; a value is required",
    );
    check_bad(
        &shop,
        "items",
        &items("NEW-1,Twice,material,g,,,\n"),
        "FILE line 3, column sku: \"NEW-1\" appears twice in this file",
    );
    check_bad(
        &shop,
        "items",
        &items("X,Short row,material\n"),
        "FILE line 3: has 3 fields, the header has 7",
    );
    check_bad(
        &shop,
        "items",
        format!(
            "{}net_content\nX,Soap bar,product,each,,,365,about 100g\n",
            header.replace('\n', ",")
        )
        .as_bytes(),
        "FILE line 2, column net_content: \"about 100g\" is not a net content: write an amount and a unit, like 110 g, 4 oz, 250 ml, 8 fl oz or 12 ct",
    );
    check_bad(
        &shop,
        "items",
        &items("X,Days,material,g,,,soon\n"),
        "FILE line 3, column shelf_life_days: \"soon\" must be a whole number of days",
    );
    check_bad(
        &shop,
        "items",
        &items("X,Taken gtin,material,g,,09501101530003,\n"),
        "FILE line 3, column gtin: GTIN 09501101530003 belongs to item LAV-EO already",
    );
    check_bad(
        &shop,
        "items",
        b"sku,name,colour\nA,B,C\n",
        "FILE line 1, column colour: unknown column \"colour\"",
    );
    check_bad(
        &shop,
        "items",
        b"sku,name\nA,B\n",
        "FILE line 1: missing column \"kind\" in the header row",
    );
    check_bad(
        &shop,
        "items",
        &[header.as_bytes(), b"X,Caf\xe9,material,g,,,\n"].concat(),
        "FILE line 2: is not valid UTF-8 text",
    );
    check_bad(
        &shop,
        "items",
        &items("X,\"unterminated,material,g,,,\n"),
        "FILE line 3: a quoted field opened on this line is never closed",
    );
    check_bad(
        &shop,
        "suppliers",
        b"code,name,contact,email,phone\nS1,Sup,,not-an-email,\n",
        "FILE line 2, column email: \"not-an-email\" is not an e-mail address",
    );
    check_bad(
        &shop,
        "boms",
        b"product_sku,material_sku,quantity,unit\nSOAP,OLIVE,2,kg\nSOAP,GHOST,1,g\n",
        "FILE line 3, column material_sku: unknown item GHOST",
    );
    check_bad(
        &shop,
        "boms",
        b"product_sku,material_sku,quantity,unit\nLAV-EO,OLIVE,2,kg\n",
        "FILE line 2, column product_sku: LAV-EO is a material",
    );
    check_bad(
        &shop,
        "boms",
        b"product_sku,material_sku,quantity,unit\nSOAP,OLIVE,2,ml\n",
        "FILE line 2, column unit: ml cannot be converted to kg",
    );
    check_bad(
        &shop,
        "boms",
        b"product_sku,material_sku,quantity,unit\nSOAP,OLIVE,two,kg\n",
        "FILE line 2, column quantity: \"two\" is not a number",
    );
    check_bad(&shop, "orders", b"order_number,customer_code,ordered_at,sku,quantity\n9,C001,2026-11-20,SOAP,1\n9,C002,2026-11-20,SOAP,1\n", "FILE line 3, column customer_code: order 9 is for customer C001 on line 2");
    check_bad(
        &shop,
        "orders",
        b"order_number,customer_code,ordered_at,sku,quantity\n9,NOBODY,2026-11-20,SOAP,1\n",
        "FILE line 2, column customer_code: unknown customer NOBODY",
    );
    check_bad(
        &shop,
        "orders",
        b"order_number,customer_code,ordered_at,sku,quantity\n9,C001,20/11/2026,SOAP,1\n",
        "FILE line 2, column ordered_at: \"20/11/2026\" is not an ISO 8601 date",
    );
    check_bad(
        &shop,
        "orders",
        b"order_number,customer_code,ordered_at,sku,quantity\n9,C001,2026-11-20,SOAP,1.5\n",
        "FILE line 2, column quantity: a count must be a whole number",
    );
    let missing = shop.cli(&["import", "items", "/nonexistent/items.csv"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("/nonexistent/items.csv: cannot read")
    );
}

#[test]
fn reimport_updates_master_data_and_keeps_history() {
    let shop = Shop::new();
    let mut bench = shop.bench();
    let lot = crate::support::receive(&mut bench, "BRAMBLE", "ITEM:LAV-EO", Some("SL-1"), "500g");
    bench.finish();
    let path = shop.path("items2.csv");
    std::fs::write(
        &path,
        "sku,name,kind,unit,lot_prefix,gtin,shelf_life_days\nLAV-EO,Lavender oil (Bulgarian),material,kg,LAVB,09501101530003,365\nROSE,Rose otto,material,g,ROS,,\n",
    )
    .expect("write");
    let out = shop.cli(&["import", "items", path.to_str().expect("utf8")]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("2 items (1 new, 1 updated, 0 unchanged)")
    );
    // the same file again changes nothing, journals nothing, and says so
    let journal = shop.query_i64("SELECT COUNT(*) FROM journal");
    let out = shop.cli(&["import", "items", path.to_str().expect("utf8")]);
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("2 items, nothing changed since the last import (nothing recorded)"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(shop.query_i64("SELECT COUNT(*) FROM journal"), journal);
    assert_eq!(
        shop.query_strings(
            "SELECT name || '/' || unit || '/' || lot_prefix FROM items WHERE sku = 'LAV-EO'"
        ),
        vec!["Lavender oil (Bulgarian)/kg/LAVB"]
    );
    // history as it was: the lot keeps its code and quantity (500 g is 0.5 kg)
    assert_eq!(
        shop.query_strings("SELECT code || ' ' || quantity FROM lots"),
        vec![format!("{lot} 500000")]
    );
    let mut bench = shop.bench();
    bench.ok("@MAKE");
    bench.ok("ITEM:BLEND");
    let line = bench.ok(&lot);
    assert!(
        line.contains("Lavender oil (Bulgarian) (LAV-EO), 500 g left"),
        "{line}"
    );
    bench.finish();
    // a unit of another dimension would change what recorded quantities mean: refused
    std::fs::write(
        &path,
        "sku,name,kind,unit\nLAV-EO,Lavender oil,material,ml\n",
    )
    .expect("write");
    let out = shop.cli(&["import", "items", path.to_str().expect("utf8")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("column unit: LAV-EO has recorded lots in kg; its unit cannot become ml")
    );
    assert_eq!(
        shop.query_i64("SELECT COUNT(*) FROM journal WHERE kind = 'import'"),
        6
    );
    assert_eq!(shop.verify().0, 0);

    // a file without a column (written before it existed, or with only what changed)
    // leaves that field as it was; an empty cell in a column the file has clears it
    let soap = || {
        shop.query_strings(
            "SELECT name || '/' || COALESCE(gtin, '-') || '/' || COALESCE(net_content, '-') FROM items WHERE sku = 'SOAP'",
        )
    };
    assert_eq!(soap(), ["Lavender soap bar/09501101530010/110 g"]);
    std::fs::write(
        &path,
        "sku,name,kind,unit\nSOAP,Lavender soap bar (new wrap),product,each\n",
    )
    .expect("write");
    shop.cli_ok(&["import", "items", path.to_str().expect("utf8")]);
    assert_eq!(
        soap(),
        ["Lavender soap bar (new wrap)/09501101530010/110 g"]
    );
    std::fs::write(
        &path,
        "sku,name,kind,unit,net_content\nSOAP,Lavender soap bar,product,each,\n",
    )
    .expect("write");
    shop.cli_ok(&["import", "items", path.to_str().expect("utf8")]);
    assert_eq!(soap(), ["Lavender soap bar/09501101530010/-"]);
    let bramble = || {
        shop.query_strings(
            "SELECT name || '/' || email || '/' || phone FROM suppliers WHERE code = 'BRAMBLE'",
        )
    };
    let before = bramble();
    std::fs::write(&path, "code,name\nBRAMBLE,Bramble Oils Ltd\n").expect("write");
    shop.cli_ok(&["import", "suppliers", path.to_str().expect("utf8")]);
    assert_eq!(
        bramble(),
        [before[0].replacen("Bramble Oils", "Bramble Oils Ltd", 1)]
    );
    std::fs::write(&path, "code,name,phone\nC001,Ada Okafor,555-0199\n").expect("write");
    shop.cli_ok(&["import", "customers", path.to_str().expect("utf8")]);
    assert_eq!(
        shop.query_strings(
            "SELECT name || '/' || email || '/' || phone || '/' || address FROM customers WHERE code = 'C001'"
        ),
        ["Ada Okafor/jo@example.com/555-0199/1 Main St, Springfield"]
    );
    assert_eq!(shop.verify().0, 0);
}

/// Writes a history folder from (file, content) pairs and imports it: (exit code, stderr).
fn import_history(shop: &Shop, files: &[(&str, &str)], extra: &[&str]) -> (i32, String) {
    let dir = tempfile::tempdir_in(shop.dir.path()).expect("history dir");
    for (name, content) in files {
        std::fs::write(dir.path().join(name), content).expect("write history file");
    }
    let mut args = vec!["import", "history", dir.path().to_str().expect("utf8")];
    args.extend_from_slice(extra);
    let out = shop.cli(&args);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const RECEIPTS: &str = "lot_code,item_sku,supplier_code,supplier_lot,invoice,quantity,unit,received_at,expiry\n\
    OL-1,OLIVE,COASTAL,C1,I1,83,kg,2025-01-10,\n";
const BATCHES: &str = "batch_code,product_sku,produced_at,yield,expiry\nSB-1,SOAP,2025-02-01,10,\n";

/// The drill's impossible histories: each refused with its file, line and column, and
/// nothing of the import kept.
#[test]
fn impossible_histories_are_refused() {
    let shop = Shop::new();
    let before = shop.counts();
    let cases: [(&[(&str, &str)], &str); 4] = [
        (
            &[
                ("receipts.csv", RECEIPTS),
                ("batches.csv", BATCHES),
                (
                    "consumptions.csv",
                    "batch_code,input_code,quantity,unit\nSB-1,OL-1,99999,kg\n",
                ),
            ],
            "consumptions.csv line 2, column input_code: OL-1 is used beyond what it held: it had 83 kg, and 99999 kg of it would be used, 99916 kg more than it had",
        ),
        (
            &[
                ("receipts.csv", RECEIPTS),
                ("batches.csv", BATCHES),
                (
                    "consumptions.csv",
                    "batch_code,input_code,quantity,unit\nSB-1,OL-1,3,kg\n",
                ),
                (
                    "shipments.csv",
                    "order_number,customer_code,shipped_at,batch_code,quantity\n9001,C001,2025-01-20T10:00:00Z,SB-1,2\n",
                ),
            ],
            "shipments.csv line 2, column batch_code: SB-1 is shipped on 2025-01-20T10:00:00Z, before it was received or made",
        ),
        (
            &[
                (
                    "receipts.csv",
                    "lot_code,item_sku,supplier_code,supplier_lot,invoice,quantity,unit,received_at,expiry\n\
                     OL-1,OLIVE,COASTAL,C1,I1,83,kg,2025-03-10,\n",
                ),
                ("batches.csv", BATCHES),
                (
                    "consumptions.csv",
                    "batch_code,input_code,quantity,unit\nSB-1,OL-1,3,kg\n",
                ),
            ],
            "consumptions.csv line 2, column input_code: OL-1 is consumed in a batch made on 2025-02-01",
        ),
        (
            &[("receipts.csv", RECEIPTS), ("batches.csv", BATCHES)],
            "batches.csv line 2, column batch_code: batch SB-1 consumed nothing (there is no consumptions.csv)",
        ),
    ];
    for (files, expected) in cases {
        let (code, stderr) = import_history(&shop, files, &[]);
        assert_eq!(code, 1, "{stderr}");
        assert!(stderr.contains(expected), "{expected:?} in {stderr}");
        assert_eq!(shop.counts(), before, "nothing imported: {expected}");
    }
    // a history that never noted its consumptions is taken when that is said
    let (code, stderr) = import_history(
        &shop,
        &[("receipts.csv", RECEIPTS), ("batches.csv", BATCHES)],
        &["--without-consumptions"],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(shop.query_i64("SELECT COUNT(*) FROM batches"), 1);
}

/// Files as spreadsheets save them: separated by semicolons (where a comma is the decimal
/// mark, `0,25`) or by tabs, with empty columns after the last one; a value written under a
/// column with no name is refused with its line.
#[test]
fn spreadsheet_files_with_semicolons_tabs_and_empty_columns_are_read() {
    let shop = Shop::new();
    shop.import_csv(
        "items",
        "sku;name;kind;unit;;\nWAX;Beeswax, yellow;material;kg;;\n",
    );
    shop.import_csv(
        "boms",
        "product_sku;material_sku;quantity;unit;per\nSOAP;WAX;0,25;kg;12\n",
    );
    shop.import_csv("suppliers", "code\tname\tphone\nHIVE\tHive Co\t555-0199\n");
    assert_eq!(
        shop.query_strings("SELECT name FROM items WHERE sku = 'WAX'"),
        ["Beeswax, yellow"]
    );
    assert_eq!(
        shop.query_strings(
            "SELECT CAST(quantity AS TEXT) FROM boms WHERE product_sku = 'SOAP' AND material_sku = 'WAX'"
        ),
        ["250000"]
    );
    assert_eq!(
        shop.query_strings("SELECT phone FROM suppliers WHERE code = 'HIVE'"),
        ["555-0199"]
    );
    let path = shop.path("stray.csv");
    std::fs::write(&path, "code,name,,\nHIVE,Hive Co,,\nBEE,Bee Co,,oops\n").expect("write");
    let out = shop.cli(&["import", "suppliers", path.to_str().expect("utf8")]);
    assert_eq!(out.status.code(), Some(1));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("line 3: a value in column 4 has no column name in the header row"),
        "{said}"
    );
}
