//! Orders from the shops makers sell on: a sample export of each (Shopify, Squarespace,
//! Etsy's two files, WooCommerce), written to the documented column sets with their quirks
//! (an order over several rows with its fields on the first, quoted addresses holding
//! commas and a newline, UTF-8 names, Excel's BOM), imported by the real binary, packed
//! at a simulated bench by the packing slip's number, and traced to the customers.

use crate::support::{Scans, Shop, fixture};

fn shop_file(name: &str) -> String {
    fixture(&format!("shops/{name}"))
}

/// `lotstation --config CONFIG import orders ARGS…`.
fn run_import(shop: &Shop, config: &std::path::Path, args: &[&str]) -> std::process::Output {
    let mut all = vec![
        "--config",
        config.to_str().expect("utf8"),
        "import",
        "orders",
    ];
    all.extend_from_slice(args);
    shop.cli(&all)
}

/// The same, which must succeed: its output.
fn import(shop: &Shop, config: &std::path::Path, args: &[&str]) -> String {
    let out = run_import(shop, config, args);
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{args:?}: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

const CONFIG: &str = r#"
[station]
timezone = "America/Chicago"
[[bench]]
name = "bench-1"
scanners = ["stdin"]
[[scanner]]
name = "stdin"
kind = "stdin"
# the Etsy listing has no SKU: its name is mapped
[sku_map]
"Lavender soap bar, handmade" = "SOAP"
"#;

#[test]
fn shop_exports_are_imported_packed_by_their_slip_numbers_and_traced() {
    let shop = Shop::new();
    let config = shop.config_file(CONFIG);
    let shopify = shop_file("shopify_orders_export.csv");
    let journal = || shop.query_i64("SELECT COUNT(*) FROM journal");

    // Shopify, before any SKU map: the gift card (no SKU) and the shop's own SKU for the
    // soap are listed with their names and left out, and the order with nothing else is not
    // imported at all; the cancelled order is named
    let out = import(&shop, &config, &["--from", "shopify", &shopify]);
    assert!(
        out.contains("2 orders (2 new, 0 updated, 0 unchanged), customers 1 new, 1 updated"),
        "{out}"
    );
    assert!(
        out.contains("1 order has no line of ours and was not imported: #1002"),
        "{out}"
    );
    assert!(
        out.contains("2 lines are none of our items and were left out"),
        "{out}"
    );
    // the first order's address holds a newline: its second row starts on line 4
    assert!(
        out.contains("shopify_orders_export.csv line 4: order #1001: no SKU (Gift card)"),
        "{out}"
    );
    assert!(
        out.contains("line 5: order #1002: SKU \"LAV-SOAP-100\" (Lavender Soap 100g)"),
        "{out}"
    );
    assert!(
        out.contains("order #1003 is cancelled in Shopify: the packing bench will refuse it"),
        "{out}"
    );
    // Jo is the customer C001 of the master data, found by her email in another case;
    // her address from the shop, on one line
    assert_eq!(
        shop.query_strings("SELECT customer_code FROM orders WHERE order_number = '#1001'"),
        ["C001"]
    );
    assert_eq!(
        shop.query_strings("SELECT address FROM customers WHERE code = 'C001'"),
        ["1 Main St, Apt 2, Building \"B\" back door, Springfield, IL, 62701, US"]
    );
    assert_eq!(
        shop.query_strings(
            "SELECT sku || ' ' || quantity FROM order_lines WHERE order_number = '#1001'"
        ),
        ["SOAP 2"]
    );
    assert_eq!(
        shop.query_i64("SELECT COUNT(*) FROM orders WHERE order_number = '#1002'"),
        0,
        "no empty order to pack"
    );

    // the same export again: nothing changed, nothing journaled
    let before = journal();
    let out = import(&shop, &config, &["--from", "shopify", &shopify]);
    assert!(
        out.contains("nothing changed since the last import"),
        "{out}"
    );
    assert_eq!(journal(), before);

    // with the SKU map, the soap line of #1002 comes in; only that order changes
    let map = shop.path("sku_map.csv");
    std::fs::write(&map, "shop_sku,sku\nLAV-SOAP-100,SOAP\n").expect("map");
    let out = import(
        &shop,
        &config,
        &[
            "--from",
            "shopify",
            "--sku-map",
            map.to_str().expect("utf8"),
            &shopify,
        ],
    );
    assert!(
        out.contains("3 orders (1 new, 0 updated, 2 unchanged), customers 1 new, 0 updated"),
        "{out}"
    );
    assert!(
        out.contains("1 line is none of our items and was left out"),
        "{out}"
    );
    assert_eq!(journal(), before + 1);

    // the other shops; Łukasz ordered on Shopify and on WooCommerce with one email
    import(
        &shop,
        &config,
        &[
            "--from",
            "squarespace",
            &shop_file("squarespace_orders.csv"),
        ],
    );
    import(
        &shop,
        &config,
        &[
            "--from",
            "etsy",
            &shop_file("EtsySoldOrders2026-11.csv"),
            &shop_file("EtsySoldOrderItems2026-11.csv"),
        ],
    );
    let out = import(
        &shop,
        &config,
        &[
            "--from",
            "woocommerce",
            &shop_file("woocommerce_orders.csv"),
        ],
    );
    assert!(
        out.contains("1 order (1 new, 0 updated, 0 unchanged), customers 0 new, 1 updated"),
        "{out}"
    );
    assert_eq!(
        shop.query_strings(
            "SELECT order_number || ' ' || customer_code || ' ' || ordered_at || ' ' || shop || ' ' || status FROM orders WHERE shop <> '' ORDER BY ordered_at"
        ),
        [
            "#1001 C001 2026-11-20T15:15:00Z shopify open",
            "#1002 lukasz@example.pl 2026-11-21T13:03:00Z shopify open",
            "#1003 zoe@example.com 2026-11-21T22:00:00Z shopify cancelled",
            "3012345678 etsy-alexisp 2026-11-22 etsy open",
            "#00042 mei@example.com 2026-11-22T17:00:00Z squarespace open",
            // WooCommerce writes the site's local time: the station's zone
            "512 lukasz@example.pl 2026-11-23T14:30:00Z woocommerce open",
        ]
    );
    // a newer WooCommerce export, overlapping: 512 refunded after all (only that changes)
    let newer = shop.path("woocommerce_newer.csv");
    std::fs::write(
        &newer,
        std::fs::read_to_string(shop_file("woocommerce_orders.csv"))
            .expect("read")
            .replace(",processing,", ",refunded,"),
    )
    .expect("write");
    let before = journal();
    let out = import(
        &shop,
        &config,
        &["--from", "woocommerce", newer.to_str().expect("utf8")],
    );
    assert!(
        out.contains("1 order (0 new, 1 updated, 0 unchanged), customers 0 new, 0 updated")
            && out.contains("order 512 is refunded in WooCommerce"),
        "{out}"
    );
    assert_eq!(journal(), before + 1);
    assert_eq!(
        shop.query_strings("SELECT status FROM orders WHERE order_number = '512'"),
        ["refunded"]
    );
    // ...and open again in the next export: the packer may pack it
    let out = import(
        &shop,
        &config,
        &[
            "--from",
            "woocommerce",
            &shop_file("woocommerce_orders.csv"),
        ],
    );
    assert!(out.contains("(0 new, 1 updated, 0 unchanged)"), "{out}");
    // the refunded gift-wrapped bar is not on the order
    assert_eq!(
        shop.query_strings(
            "SELECT sku || ' ' || quantity FROM order_lines WHERE order_number = '512'"
        ),
        ["SOAP 2"]
    );
    assert_eq!(
        shop.query_strings(
            "SELECT name || ' | ' || address FROM customers WHERE code = 'etsy-alexisp'"
        ),
        ["Αλέξης Παπαδόπουλος | Οδός Ερμού 10, Αθήνα, 105 63, Greece"]
    );
    assert_eq!(
        shop.query_strings("SELECT name FROM customers WHERE lower(email) = 'lukasz@example.pl'"),
        ["Łukasz Dvořák"]
    );

    // the packing bench: each order opened by the number its slip prints or its barcode
    // carries, with or without the `#` (Squarespace's `00042` is `#00042`); the cancelled
    // one refused
    let mut bench = shop.bench();
    bench.script(
        "@RECEIVE | SUP:COASTAL | INV-2 | ITEM:OLIVE | SL-OL-5 | @QTY:20kg | @DONE | @DONE
         | @MAKE | ITEM:SOAP | OLV-2611-001 | @QTY:3kg | @YIELD:20 | @DONE | @PACK",
    );
    let refused = bench.scan("#1003");
    assert!(
        refused.starts_with("error: order #1003 was cancelled in Shopify: do not pack it"),
        "{refused}"
    );
    for (slip, says, units) in [
        (
            "#1001",
            "packing order #1001 for Jo Smith (C001): 2 × SOAP",
            2,
        ),
        // the slip's barcode read by a scanner sending AIM identifiers: Code 128, QR
        ("]C0#1002", "packing order #1002 for Łukasz Dvořák", 1),
        ("]Q100042", "packing order #00042 for Mei Chen", 3),
        (
            "3012345678",
            "packing order 3012345678 for Αλέξης Παπαδόπουλος",
            2,
        ),
        ("512", "packing order 512 for Łukasz Dvořák", 2),
    ] {
        let opened = bench.ok(slip);
        assert!(opened.contains(says), "{opened}");
        for _ in 0..units {
            bench.ok("MFG-0001");
        }
        bench.ok("@DONE");
    }
    drop(bench);
    assert_eq!(
        shop.query_strings(
            "SELECT order_number || ' ' || customer_code FROM shipments ORDER BY shipped_at"
        ),
        [
            "#1001 C001",
            "#1002 lukasz@example.pl",
            "#00042 mei@example.com",
            "3012345678 etsy-alexisp",
            "512 lukasz@example.pl",
        ]
    );

    // the olive oil's forward trace reaches them with their emails, Łukasz once
    let out = shop.cli(&["trace", "forward", "OLV-2611-001", "--format", "json"]);
    assert!(out.status.success());
    let trace: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let customers: Vec<String> = trace["customers"]
        .as_array()
        .expect("customers")
        .iter()
        .map(|c| {
            format!(
                "{} <{}>",
                c["name"].as_str().unwrap_or(""),
                c["email"].as_str().unwrap_or("")
            )
        })
        .collect();
    assert_eq!(
        customers,
        [
            "Jo Smith <jo@example.com>",
            "Αλέξης Παπαδόπουλος <>",
            "Łukasz Dvořák <lukasz@example.pl>",
            "Mei Chen <mei@example.com>",
        ]
    );

    // the recall package's customers.csv opens in an email tool as it is
    let out = shop.cli(&["recall", "OLV-2611-001", "--mock", "--out", "drill"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = std::fs::read_to_string(shop.path("drill/customers.csv")).expect("customers.csv");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "Email Address,First Name,Last Name,code,name,phone,address,orders,batches,units"
    );
    assert!(
        lines.contains(
            &"lukasz@example.pl,Łukasz,Dvořák,lukasz@example.pl,Łukasz Dvořák,+48 42 000 00 00,\"ul. Żółta 5, m. 3, Łódź, 90-001, PL\",#1002 512,MFG-0001,3"
        ),
        "{csv}"
    );

    // the journal and the master data agree: the customers the shops wrote are covered
    let (code, out) = shop.verify();
    assert_eq!(code, 0, "{out}");
}

/// A shop's file that is not what it claims is refused with its place, and nothing is
/// imported: a missing column, a date the shop never writes, a SKU map naming no item,
/// Etsy's orders file without its items, an order number another shop already has.
#[test]
fn a_bad_shop_export_imports_nothing() {
    let shop = Shop::new();
    let config = shop.config_file(CONFIG);
    let check = |args: &[&str], expected: &str| {
        let orders = shop.query_i64("SELECT COUNT(*) FROM orders");
        let journal = shop.query_i64("SELECT COUNT(*) FROM journal");
        let out = run_import(&shop, &config, args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(
            stderr.contains(expected),
            "expected {expected:?} in {stderr}"
        );
        assert_eq!(shop.query_i64("SELECT COUNT(*) FROM orders"), orders);
        assert_eq!(shop.query_i64("SELECT COUNT(*) FROM journal"), journal);
    };
    let bad = shop.path("bad.csv");
    let header = "Name,Email,Created at,Lineitem quantity,Lineitem sku\n";
    for (content, expected) in [
        (
            "Name,Email,Created at\n#1,a@b.c,2026-11-20 09:15:00 -0600\n".to_string(),
            "missing column \"lineitem quantity\" in the header row",
        ),
        (
            format!("{header}#1,a@b.c,20/11/2026,1,SOAP\n"),
            "line 2, column created at: \"20/11/2026\" is not a date and time",
        ),
        (
            format!("{header}#1,a@b.c,2026-11-20 09:15:00 -0600,two,SOAP\n"),
            "column lineitem quantity: \"two\" is not a quantity",
        ),
        // our own orders.csv took 1001 first; a shop's 1001 is another order
        (
            format!("{header}1001,a@b.c,2026-11-20 09:15:00 -0600,1,SOAP\n"),
            "order 1001 was imported from orders.csv already; two shops cannot share an order number",
        ),
    ] {
        std::fs::write(&bad, content).expect("write");
        check(
            &["--from", "shopify", bad.to_str().expect("utf8")],
            expected,
        );
    }
    let map = shop.path("map.csv");
    std::fs::write(&map, "shop_sku,sku\nLAV-SOAP-100,NO-SUCH\n").expect("map");
    check(
        &[
            "--from",
            "shopify",
            "--sku-map",
            map.to_str().expect("utf8"),
            &shop_file("shopify_orders_export.csv"),
        ],
        "the SKU map sends \"lav-soap-100\" to \"NO-SUCH\", which is not one of our items",
    );
    check(
        &["--from", "etsy", &shop_file("EtsySoldOrders2026-11.csv")],
        "Etsy's orders file has no lines: give EtsySoldOrderItems",
    );
}

/// Pack sizes from a shop: a Shopify order for three 500 g bags of wax melts and a pound
/// of it, through a SKU map with the `quantity` column, is an order for 1.5 kg plus
/// 453.59237 g (to the nearest milligram) of the item kept in kilograms, and opens at the
/// packing bench in kilograms; orders.csv takes an amount with its unit the same way.
#[test]
fn pack_sizes_from_a_shop_become_weights_on_the_order() {
    let shop = Shop::new();
    let config = shop.config_file(CONFIG);
    shop.import_csv(
        "items",
        "sku,name,kind,unit\nWAXMELT,Wax melts,product,kg\n",
    );
    // Shopify's own export, the first row of its #1001 (paid, open) made a wax order
    let mut reader = csv::Reader::from_path(shop_file("shopify_orders_export.csv")).expect("csv");
    let header = reader.headers().expect("header").clone();
    let column = |name: &str| {
        header
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}') == name)
            .expect(name)
    };
    let template = reader
        .records()
        .map(|r| r.expect("row"))
        .find(|r| &r[column("Name")] == "#1001")
        .expect("#1001");
    let path = shop.path("wax_orders.csv");
    let mut writer = csv::Writer::from_path(&path).expect("write");
    writer.write_record(&header).expect("header");
    for (sku, name, quantity) in [
        ("WAX-500", "Wax melts 500 g bag", "3"),
        ("WAX-1LB", "Wax melts 1 lb bag", "1"),
    ] {
        let mut row: Vec<String> = template.iter().map(str::to_string).collect();
        row[column("Name")] = "#1009".into();
        row[column("Lineitem sku")] = sku.into();
        row[column("Lineitem name")] = name.into();
        row[column("Lineitem quantity")] = quantity.into();
        writer.write_record(&row).expect("row");
    }
    writer.flush().expect("flush");
    let map = shop.path("wax_map.csv");
    std::fs::write(
        &map,
        "shop_sku,sku,quantity\nWAX-500,WAXMELT,500 g\nWAX-1LB,WAXMELT,1 lb\n",
    )
    .expect("map");
    import(
        &shop,
        &config,
        &[
            "--from",
            "shopify",
            "--sku-map",
            map.to_str().expect("utf8"),
            path.to_str().expect("utf8"),
        ],
    );
    assert_eq!(
        shop.query_strings(
            "SELECT sku || ' ' || quantity FROM order_lines WHERE order_number = '#1009'"
        ),
        ["WAXMELT 1953592"]
    );
    let mut bench = shop.bench();
    let opened = bench.ok("@PACK");
    assert!(opened.starts_with("ok:"), "{opened}");
    let opened = bench.ok("ORD:#1009");
    assert!(opened.contains("1.954 kg WAXMELT"), "{opened}");
    // orders.csv with the amount's unit
    shop.import_csv(
        "orders",
        "order_number,customer_code,ordered_at,sku,quantity\n5010,C001,2026-11-20,WAXMELT,750 g\n5011,C001,2026-11-20,WAXMELT,2 lb\n",
    );
    assert_eq!(
        shop.query_strings("SELECT quantity FROM order_lines WHERE order_number IN ('5010', '5011') ORDER BY order_number"),
        ["750000", "907185"]
    );
    // a bad pack size is refused at its line
    std::fs::write(&map, "shop_sku,sku,quantity\nWAX-500,WAXMELT,500 bags\n").expect("map");
    let out = run_import(
        &shop,
        &config,
        &[
            "--from",
            "shopify",
            "--sku-map",
            map.to_str().expect("utf8"),
            path.to_str().expect("utf8"),
        ],
    );
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("line 2, column quantity"), "{said}");
}

/// An order the shop has not been paid for (Shopify's `pending`) is imported as unpaid, and
/// the packing bench asks before packing it (issue 30's warnings that wait).
#[test]
fn an_unpaid_shop_order_is_asked_about_at_packing() {
    let shop = Shop::new();
    let config = shop.config_file(CONFIG);
    let export = std::fs::read_to_string(shop_file("shopify_orders_export.csv"))
        .expect("export")
        .replace(
            "#1002,lukasz@example.pl,paid,",
            "#1002,lukasz@example.pl,pending,",
        );
    let path = shop.path("unpaid.csv");
    std::fs::write(&path, export).expect("write");
    let map = shop.path("sku_map.csv");
    std::fs::write(&map, "shop_sku,sku\nLAV-SOAP-100,SOAP\n").expect("map");
    import(
        &shop,
        &config,
        &[
            "--from",
            "shopify",
            "--sku-map",
            map.to_str().expect("utf8"),
            path.to_str().expect("utf8"),
        ],
    );
    assert_eq!(
        shop.query_strings("SELECT status FROM orders WHERE order_number = '#1002'"),
        ["unpaid"]
    );
    let mut bench = shop.bench();
    bench.ok("@PACK");
    let asked = bench.warned("ORD:#1002");
    assert!(
        asked.contains("order #1002 is unpaid in Shopify: pack it only if the shop says so"),
        "{asked}"
    );
    bench.ok("ORD:#1002");
}

/// A shop's export opened in a spreadsheet and saved again: dates as the spreadsheet writes
/// them (`11/22/2026 12:00`, month first, in the station's time zone), a ZIP code kept by a
/// formula (`="04101"`) or an apostrophe; all read as the shop wrote them.
#[test]
fn a_shop_export_saved_again_by_a_spreadsheet_is_read() {
    let shop = Shop::new();
    let config = shop.config_file(CONFIG);
    let export = std::fs::read_to_string(shop_file("squarespace_orders.csv"))
        .expect("export")
        .replace("2026-11-22 12:00:00 -0500", "11/22/2026 12:00")
        .replace(",Portland,04101,", ",Portland,\"=\"\"04101\"\"\",");
    assert!(export.contains("11/22/2026 12:00") && export.contains("=\"\"04101\"\""));
    let path = shop.path("resaved.csv");
    std::fs::write(&path, export).expect("write");
    let out = import(
        &shop,
        &config,
        &["--from", "squarespace", path.to_str().expect("utf8")],
    );
    assert!(out.contains("imported Squarespace orders"), "{out}");
    assert_eq!(
        shop.query_strings("SELECT address FROM customers WHERE email = 'mei@example.com'"),
        ["77 Harbor Rd, Portland, ME, 04101, US"]
    );
    assert_eq!(
        shop.query_strings("SELECT ordered_at FROM orders WHERE order_number = '#00042'"),
        ["2026-11-22T18:00:00Z"],
        "noon in the station's zone (Chicago)"
    );
}

/// An order the shop says is fulfilled went out from somewhere else: it is recorded as
/// shipped elsewhere (visible, not packable); `--include-fulfilled` makes it packable here.
#[test]
fn a_fulfilled_shop_order_is_recorded_as_shipped_elsewhere() {
    let shop = Shop::new();
    let config = shop.config_file(CONFIG);
    let export = std::fs::read_to_string(shop_file("shopify_orders_export.csv"))
        .expect("export")
        .replace(
            "#1001,JO@Example.com,paid,2026-11-20 09:15:02 -0600,unfulfilled,",
            "#1001,JO@Example.com,paid,2026-11-20 09:15:02 -0600,fulfilled,",
        );
    assert!(export.contains(",fulfilled,"));
    let path = shop.path("fulfilled.csv");
    std::fs::write(&path, export).expect("write");
    let file = path.to_str().expect("utf8");
    let out = import(&shop, &config, &["--from", "shopify", file]);
    assert!(
        out.contains("order #1001 is fulfilled in Shopify: recorded as shipped elsewhere, and the packing bench will refuse it (--include-fulfilled packs it here)"),
        "{out}"
    );
    assert_eq!(
        shop.query_strings("SELECT status FROM orders WHERE order_number = '#1001'"),
        ["shipped elsewhere"]
    );
    let mut bench = shop.bench();
    bench.ok("@PACK");
    let refused = bench.scan("ORD:#1001");
    assert!(
        refused.starts_with("error: ")
            && refused.contains("order #1001 was fulfilled in Shopify already (shipped elsewhere)"),
        "{refused}"
    );
    drop(bench);
    let out = import(
        &shop,
        &config,
        &["--from", "shopify", "--include-fulfilled", file],
    );
    assert!(out.contains("1 updated"), "{out}");
    assert_eq!(
        shop.query_strings("SELECT status FROM orders WHERE order_number = '#1001'"),
        ["open"]
    );
    let mut bench = shop.bench();
    bench.ok("@PACK");
    bench.ok("ORD:#1001");
}

/// What the buyer wrote with the order and how it goes out reach the packer: the packing
/// bench (and so its screen) says them when the order is scanned.
#[test]
fn the_buyers_note_and_the_shipping_method_reach_the_packing_bench() {
    let shop = Shop::new();
    let config = shop.config_file(CONFIG);
    let path = shop.path("orders_export.csv");
    std::fs::write(
        &path,
        "Name,Email,Financial Status,Fulfillment Status,Created at,Lineitem quantity,Lineitem name,Lineitem sku,Shipping Name,Shipping Address1,Shipping City,Shipping Zip,Shipping Country,Shipping Method,Notes\n\
         #2001,mei@example.com,paid,unfulfilled,2026-11-20 09:15:02 -0600,2,Lavender soap bar,SOAP,Mei Chen,77 Harbor Rd,Portland,04101,US,Local pickup,Please gift wrap\n\
         #2001,,,,,1,Lavender blend,BLEND,,,,,,,\n",
    )
    .expect("write");
    let file = path.to_str().expect("utf8");
    let out = import(&shop, &config, &["--from", "shopify", file]);
    assert!(out.contains("1 order (1 new"), "{out}");
    assert_eq!(
        shop.query_strings(
            "SELECT note || ' / ' || shipping_method FROM orders WHERE order_number = '#2001'"
        ),
        ["Please gift wrap / Local pickup"]
    );
    let out = import(&shop, &config, &["--from", "shopify", file]);
    assert!(
        out.contains("nothing changed since the last import"),
        "{out}"
    );
    let mut bench = shop.bench();
    bench.ok("@PACK");
    let packing = bench.ok("ORD:#2001");
    assert!(
        packing.contains("; the buyer's note: Please gift wrap; shipping: Local pickup"),
        "{packing}"
    );
}

/// A WooCommerce export with what a shop's day holds: an order fulfilled already, an unpaid
/// one of two lines with the buyer's note, a refunded one, and one of a gift card alone;
/// each as the shop says, and the counts of what was written.
#[test]
fn a_woocommerce_day_with_every_kind_of_order() {
    let shop = Shop::new();
    let config = shop.config_file(CONFIG);
    let header = std::fs::read_to_string(shop_file("woocommerce_orders.csv"))
        .expect("export")
        .lines()
        .next()
        .expect("header")
        .to_string();
    let columns: Vec<&str> = header.split(',').collect();
    let row = |fields: &[(&str, &str)]| {
        columns
            .iter()
            .map(|c| {
                fields
                    .iter()
                    .find(|(name, _)| name == c)
                    .map_or(String::new(), |(_, v)| v.to_string())
            })
            .collect::<Vec<_>>()
            .join(",")
    };
    let order = |number: &str, status: &str, sku: &str, name: &str, quantity: &str| {
        row(&[
            ("order_id", number),
            ("order_number", number),
            ("order_date", "2026-11-24 10:00:00"),
            ("status", status),
            ("billing_email", "mei@example.com"),
            ("shipping_first_name", "Mei"),
            ("shipping_last_name", "Chen"),
            ("shipping_address_1", "77 Harbor Rd"),
            ("shipping_city", "Portland"),
            ("shipping_country", "US"),
            ("shipping_method", "Flat rate"),
            (
                "customer_note",
                if number == "602" {
                    "Leave it at the back door"
                } else {
                    ""
                },
            ),
            ("item_name", name),
            ("item_sku", sku),
            ("item_quantity", quantity),
        ])
    };
    let export = [
        header.clone(),
        order("601", "completed", "SOAP", "Lavender soap bar", "1"),
        order("602", "pending", "SOAP", "Lavender soap bar", "2"),
        order("602", "pending", "BLEND", "Lavender blend", "1"),
        order("603", "refunded", "SOAP", "Lavender soap bar", "1"),
        order("604", "processing", "", "Gift card", "1"),
    ]
    .join("\n");
    let path = shop.path("woo_day.csv");
    std::fs::write(&path, export + "\n").expect("write");
    let out = import(
        &shop,
        &config,
        &["--from", "woocommerce", path.to_str().expect("utf8")],
    );
    for said in [
        "3 orders (3 new, 0 updated, 0 unchanged), customers 1 new, 0 updated",
        "1 line is none of our items and was left out",
        "1 order has no line of ours and was not imported: 604",
        "order 601 is fulfilled in WooCommerce: recorded as shipped elsewhere",
        "order 603 is refunded in WooCommerce: the packing bench will refuse it",
    ] {
        assert!(out.contains(said), "{said} not in {out}");
    }
    assert_eq!(
        shop.query_strings(
            "SELECT order_number || ' ' || status || ' ' || note FROM orders WHERE shop = 'woocommerce' ORDER BY order_number"
        ),
        [
            "601 shipped elsewhere ",
            "602 unpaid Leave it at the back door",
            "603 refunded "
        ]
    );
    assert_eq!(
        shop.query_strings(
            "SELECT sku || ' ' || CAST(quantity AS TEXT) FROM order_lines WHERE order_number = '602' ORDER BY line_no"
        ),
        ["SOAP 2", "BLEND 1000"]
    );
    let mut bench = shop.bench();
    bench.ok("@PACK");
    let asked = bench.warned("ORD:602");
    assert!(
        asked.contains("order 602 is unpaid in WooCommerce"),
        "{asked}"
    );
}

/// Etsy's two files with what a shop's week holds: an order of two lines, one shipped
/// already (`Date Shipped`), one fully refunded, and one of a listing that is none of ours
/// (Etsy takes payment at the sale: no unpaid order there).
#[test]
fn an_etsy_week_with_every_kind_of_order() {
    let shop = Shop::new();
    let config = shop.config_file(CONFIG);
    let header = |file: &str| {
        std::fs::read_to_string(shop_file(file))
            .expect("export")
            .lines()
            .next()
            .expect("header")
            .to_string()
    };
    let (orders_header, items_header) = (
        header("EtsySoldOrders2026-11.csv"),
        header("EtsySoldOrderItems2026-11.csv"),
    );
    let row = |header: &str, fields: &[(&str, &str)]| {
        header
            .split(',')
            .map(|c| {
                fields
                    .iter()
                    .find(|(name, _)| *name == c)
                    .map_or(String::new(), |(_, v)| v.to_string())
            })
            .collect::<Vec<_>>()
            .join(",")
    };
    let order = |id: &str, shipped: &str, status: &str| {
        row(
            &orders_header,
            &[
                ("Sale Date", "11/24/26"),
                ("Order ID", id),
                ("Buyer User ID", "555"),
                ("Full Name", "Mei Chen"),
                ("Date Shipped", shipped),
                ("Street 1", "77 Harbor Rd"),
                ("Ship City", "Portland"),
                ("Ship Country", "United States"),
                ("Status", status),
            ],
        )
    };
    let item = |id: &str, name: &str, sku: &str, quantity: &str| {
        row(
            &items_header,
            &[
                ("Sale Date", "11/24/26"),
                ("Item Name", name),
                ("Quantity", quantity),
                ("Ship Name", "Mei Chen"),
                ("Ship Address1", "77 Harbor Rd"),
                ("Ship City", "Portland"),
                ("Ship Country", "United States"),
                ("Order ID", id),
                ("SKU", sku),
            ],
        )
    };
    let orders = [
        orders_header.clone(),
        order("4001", "", ""),
        order("4002", "11/25/26", ""),
        order("4003", "", "Fully Refunded"),
        order("4004", "", ""),
    ]
    .join("\n");
    let items = [
        items_header.clone(),
        item("4001", "Lavender soap bar", "SOAP", "3"),
        item("4001", "Lavender blend", "BLEND", "50"),
        item("4002", "Lavender soap bar", "SOAP", "1"),
        item("4003", "Lavender soap bar", "SOAP", "1"),
        item("4004", "Crochet soap saver", "SAVER-1", "1"),
    ]
    .join("\n");
    let (orders_file, items_file) = (
        shop.path("EtsySoldOrders2026-12.csv"),
        shop.path("EtsySoldOrderItems2026-12.csv"),
    );
    std::fs::write(&orders_file, orders + "\n").expect("write");
    std::fs::write(&items_file, items + "\n").expect("write");
    let out = import(
        &shop,
        &config,
        &[
            "--from",
            "etsy",
            orders_file.to_str().expect("utf8"),
            items_file.to_str().expect("utf8"),
        ],
    );
    for said in [
        "3 orders (3 new, 0 updated, 0 unchanged)",
        "1 order has no line of ours and was not imported: 4004",
        "order 4002 is fulfilled in Etsy: recorded as shipped elsewhere",
        "order 4003 is refunded in Etsy: the packing bench will refuse it",
    ] {
        assert!(out.contains(said), "{said} not in {out}");
    }
    assert_eq!(
        shop.query_strings(
            "SELECT o.order_number || ' ' || o.status || ' ' || COUNT(l.line_no) FROM orders o JOIN order_lines l ON l.order_number = o.order_number WHERE o.shop = 'etsy' GROUP BY o.order_number, o.status ORDER BY o.order_number"
        ),
        ["4001 open 2", "4002 shipped elsewhere 1", "4003 refunded 1"]
    );
}
