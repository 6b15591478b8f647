//! The owner's console behind accounts (issue 31): `lotstation user add`, signing in with a
//! session cookie, pages that ask for one once accounts exist, the form token on every
//! change, roles (a clerk holds, an owner corrects and recalls), the limit on failed
//! sign-ins, and the account's name in the journal.

use std::io::Write;

use crate::http::request;
use crate::support::Shop;

/// An owner, rosa, and a clerk, ana, added with `lotstation user add … --password-stdin`.
pub(crate) fn add_rosa_and_ana(shop: &Shop) {
    for (name, role, password) in [
        ("rosa", "owner", "lavender fields"),
        ("ana", "clerk", "rosemary hills"),
    ] {
        let mut child = crate::support::command()
            .args([
                "--db",
                &shop.db(),
                "user",
                "add",
                name,
                "--role",
                role,
                "--password-stdin",
            ])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("user add");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(format!("{password}\n").as_bytes())
            .expect("password");
        let out = child.wait_with_output().expect("user add");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// A cookie the response sets: its whole `Set-Cookie` line.
fn set_cookie<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines()
        .filter_map(|l| {
            l.strip_prefix("set-cookie: ")
                .or_else(|| l.strip_prefix("Set-Cookie: "))
        })
        .find(|c| c.starts_with(&format!("{name}=")))
}

fn value_of(cookie: &str) -> String {
    cookie
        .split(';')
        .next()
        .and_then(|kv| kv.split_once('='))
        .map(|(_, v)| v.to_string())
        .unwrap_or_default()
}

/// The value of a hidden field or meta tag `name` in a page.
fn field(page: &str, name: &str) -> String {
    for marker in [
        format!("name=\"{name}\" value=\""),
        format!("name=\"{name}\" content=\""),
    ] {
        if let Some(start) = page.find(&marker) {
            let rest = &page[start + marker.len()..];
            return rest.split('"').next().unwrap_or_default().to_string();
        }
    }
    panic!("no {name} in {page}")
}

/// Signs in: the session cookie's value, or the failed answer's status and body.
pub(crate) fn sign_in(port: u16, name: &str, password: &str) -> Result<String, (u16, String)> {
    let (status, head, page) = request(port, "GET", "/login?next=/stock", &[], "");
    assert_eq!(status, 200, "{page}");
    let login = value_of(set_cookie(&head, "lotstation_login").expect("the form's cookie"));
    let csrf = field(&page, "csrf");
    let form = format!(
        "name={name}&password={}&csrf={csrf}&next=%2Fstock",
        password.replace(' ', "+")
    );
    let (status, head, body) = request(
        port,
        "POST",
        "/login",
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Cookie", &format!("lotstation_login={login}")),
        ],
        &form,
    );
    if status != 303 {
        return Err((status, body));
    }
    assert!(
        head.contains("location: /stock") || head.contains("Location: /stock"),
        "{head}"
    );
    let cookie = set_cookie(&head, "lotstation_session").expect("a session cookie");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=43200"] {
        assert!(cookie.contains(attribute), "{attribute} in {cookie}");
    }
    Ok(value_of(cookie))
}

#[test]
fn accounts_sign_in_to_the_console_with_roles_and_form_tokens() {
    let shop = Shop::new();
    let mut bench = shop.bench_with_config(
        "[[bench]]\nname = \"bench-1\"\nscanners = [\"stdin\"]\n\
         [[scanner]]\nname = \"stdin\"\nkind = \"stdin\"\n\
         [http]\nlisten = \"127.0.0.1:0\"\ntoken = \"t0ken\"\n",
    );
    let port = bench.http_address().port();
    let lot = crate::support::receive(&mut bench, "BRAMBLE", "ITEM:LAV-EO", Some("SL-1"), "500g");
    // no account yet: the pages are open, as on a fresh install
    let (status, _, _) = request(port, "GET", "/stock", &[], "");
    assert_eq!(status, 200);
    // an owner and a clerk, made at the command line (the password on standard input)
    add_rosa_and_ana(&shop);
    let listed = shop.cli_ok(&["user", "list"]);
    assert!(
        listed.contains("ana") && listed.contains("clerk") && listed.contains("rosa"),
        "{listed}"
    );
    assert!(
        !shop
            .cli_ok(&["journal", "show", "--format", "json"])
            .contains("argon2"),
        "no hash in the journal"
    );

    // now every page but the sign-in and the bench screen asks for a session
    let (status, head, _) = request(port, "GET", "/stock", &[], "");
    assert_eq!(status, 303, "{head}");
    assert!(
        head.to_lowercase()
            .contains("location: /login?next=%2fstock"),
        "{head}"
    );
    let (status, _, _) = request(port, "GET", "/bench/bench-1", &[], "");
    assert_eq!(status, 200, "the bench screen stays readable");

    // a wrong password says so and changes nothing; a stale form is refused
    assert_eq!(
        sign_in(port, "ana", "wrong password")
            .map(|_| ())
            .unwrap_err()
            .0,
        401
    );
    let (status, _, _) = request(
        port,
        "POST",
        "/login",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        "name=ana&password=rosemary+hills&csrf=forged",
    );
    assert_eq!(status, 403, "a sign-in without the form's own token");

    // the clerk signs in: sees stock, holds with the page's token, is refused a correction
    let ana = sign_in(port, "ana", "rosemary hills").expect("ana signs in");
    let cookie = format!("lotstation_session={ana}");
    let (status, _, page) = request(port, "GET", "/stock", &[("Cookie", &cookie)], "");
    assert_eq!(status, 200);
    assert!(page.contains("ana (clerk)"), "{page}");
    let csrf = field(&page, "csrf");
    let hold = format!(r#"{{"code":"{lot}","reason":"smells off"}}"#);
    let json = [
        ("Content-Type", "application/json"),
        ("Cookie", cookie.as_str()),
    ];
    let (status, _, body) = request(port, "POST", "/api/hold", &json, &hold);
    assert_eq!(status, 403, "no form token: {body}");
    let with_token = [
        ("Content-Type", "application/json"),
        ("Cookie", cookie.as_str()),
        ("X-CSRF-Token", csrf.as_str()),
    ];
    let (status, _, body) = request(port, "POST", "/api/hold", &with_token, &hold);
    assert_eq!(status, 200, "{body}");
    let (status, _, body) = request(port, "POST", "/api/void", &with_token, &hold);
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("ana is a clerk"), "{body}");
    let (status, _, body) = request(
        port,
        "POST",
        &format!("/api/recall/{lot}"),
        &with_token,
        "{}",
    );
    assert_eq!(status, 403, "a clerk starts no real recall: {body}");
    let clerk_form = [
        ("Content-Type", "application/x-www-form-urlencoded"),
        ("Cookie", cookie.as_str()),
    ];
    let (status, _, page) = request(
        port,
        "POST",
        "/items",
        &clerk_form,
        &format!("csrf={csrf}&sku=X&name=X&kind=product&unit=each"),
    );
    assert_eq!(status, 403, "a clerk changes no items: {page}");
    let (_, _, page) = request(port, "GET", "/items", &[("Cookie", &cookie)], "");
    assert!(
        !page.contains("Add or change an item"),
        "no form for a clerk"
    );
    let (status, _, _) = request(
        port,
        "POST",
        "/recall/confirm",
        &clerk_form,
        &format!("csrf={csrf}&code={lot}"),
    );
    assert_eq!(status, 403, "a clerk confirms no recall");
    let (status, _, _) = request(port, "GET", "/exports/backup", &[("Cookie", &cookie)], "");
    assert_eq!(status, 403, "a clerk downloads no backup");

    // the owner may; each change is journaled with the account's name
    let rosa = sign_in(port, "rosa", "lavender fields").expect("rosa signs in");
    let cookie = format!("lotstation_session={rosa}");
    let (_, _, page) = request(port, "GET", "/stock", &[("Cookie", &cookie)], "");
    let csrf = field(&page, "csrf");
    let release = format!(r#"{{"code":"{lot}","reason":"checked, fine"}}"#);
    let (status, _, body) = request(
        port,
        "POST",
        "/api/release",
        &[
            ("Content-Type", "application/json"),
            ("Cookie", &cookie),
            ("X-CSRF-Token", &csrf),
        ],
        &release,
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        shop.query_strings(
            "SELECT operator FROM journal WHERE kind = 'status_change' ORDER BY seq"
        ),
        ["ana", "rosa"]
    );
    // the stock page names items and says why a lot is held; its form holds without script
    let (status, head, _) = request(
        port,
        "POST",
        "/stock/status",
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Cookie", cookie.as_str()),
        ],
        &format!("csrf={csrf}&code={lot}&reason=dented+lid&action=hold"),
    );
    assert_eq!(status, 303, "{head}");
    let (_, _, page) = request(port, "GET", "/stock", &[("Cookie", &cookie)], "");
    assert!(
        page.contains("Lavender essential oil (LAV-EO)")
            && page.contains("<td class=\"hold\">hold (dented lid)</td>"),
        "{page}"
    );
    let (status, _, _) = request(
        port,
        "POST",
        "/stock/status",
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Cookie", cookie.as_str()),
        ],
        &format!("csrf={csrf}&code={lot}&reason=lid+replaced&action=release"),
    );
    assert_eq!(status, 303);
    // the token still works for scripts
    let (status, _, _) = request(
        port,
        "POST",
        "/api/hold",
        &[
            ("Content-Type", "application/json"),
            ("Authorization", "Bearer t0ken"),
        ],
        &hold,
    );
    assert_eq!(status, 200);

    // items: listed with what is on hand, searched, downloaded as items.csv
    let (status, _, page) = request(port, "GET", "/items?q=lav", &[("Cookie", &cookie)], "");
    assert_eq!(status, 200);
    assert!(page.contains("LAV-EO") && page.contains("500 g"), "{page}");
    assert!(!page.contains("OLIVE"), "searched: {page}");
    let form = |fields: &str| format!("csrf={csrf}&{fields}");
    let posted = [
        ("Content-Type", "application/x-www-form-urlencoded"),
        ("Cookie", cookie.as_str()),
    ];
    // a bad GTIN is refused with the importer's words, the form kept
    let (status, _, page) = request(
        port,
        "POST",
        "/items",
        &posted,
        &form(
            "sku=CANDLE&name=%3Cscript%3Ealert(1)%3C%2Fscript%3E+candle&kind=product&unit=each&gtin=12345",
        ),
    );
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("column gtin"), "{page}");
    assert!(!page.contains("<script>alert"), "escaped: {page}");
    let (status, head, _) = request(
        port,
        "POST",
        "/items",
        &posted,
        &form(
            "sku=CANDLE&name=%3Cscript%3Ealert(1)%3C%2Fscript%3E+candle&kind=product&unit=each&shelf_life_days=365",
        ),
    );
    assert_eq!(status, 303, "{head}");
    let (_, _, page) = request(port, "GET", "/items", &[("Cookie", &cookie)], "");
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt; candle") && page.contains("365 days"),
        "{page}"
    );
    assert_eq!(
        shop.query_strings(
            "SELECT operator FROM journal WHERE kind = 'import' ORDER BY seq DESC LIMIT 1"
        ),
        ["rosa"]
    );
    let (status, _, csv) = request(port, "GET", "/items.csv", &[("Cookie", &cookie)], "");
    assert_eq!(status, 200);
    assert!(
        csv.starts_with(
            "sku,name,kind,unit,lot_prefix,gtin,shelf_life_days,net_content,pao_months"
        ),
        "{csv}"
    );
    assert!(
        csv.contains("CANDLE,<script>alert(1)</script> candle,product,each,,,365,,"),
        "{csv}"
    );

    // retire an item the records use: it stays for them, and leaves the bench and sheet
    let cards = |shop: &Shop| {
        let out = shop.cli_ok(&[
            "sheet",
            "-o",
            shop.path("sheet.pdf").to_str().expect("utf8"),
        ]);
        out.split_whitespace()
            .next()
            .and_then(|n| n.parse::<usize>().ok())
            .expect("cards")
    };
    let before = cards(&shop);
    let (status, _, body) = request(port, "POST", "/items/delete", &posted, &form("sku=LAV-EO"));
    assert_eq!(status, 422, "{body}");
    assert!(
        body.contains(
            "LAV-EO is named by 1 lot, 1 recipe line: the records keep it; retire it instead"
        ),
        "{body}"
    );
    let (status, _, _) = request(
        port,
        "POST",
        "/items/retire",
        &posted,
        &form("sku=LAV-EO&retire=yes"),
    );
    assert_eq!(status, 303);
    assert_eq!(cards(&shop), before - 1, "off the command sheet");
    bench.ok("@RECEIVE");
    bench.ok("SUP:BRAMBLE");
    bench.ok("INV-9");
    let refused = bench.scan("ITEM:LAV-EO");
    assert!(
        refused.contains("LAV-EO (Lavender essential oil) is retired"),
        "{refused}"
    );
    bench.ok("@CANCEL");
    let (status, _, _) = request(
        port,
        "POST",
        "/items/retire",
        &posted,
        &form("sku=LAV-EO&retire=no"),
    );
    assert_eq!(status, 303, "brought back");
    // an item nothing uses is deleted; the journal still verifies
    let (status, _, _) = request(port, "POST", "/items/delete", &posted, &form("sku=CANDLE"));
    assert_eq!(status, 303);
    assert!(
        shop.query_strings("SELECT sku FROM items WHERE sku = 'CANDLE'")
            .is_empty()
    );
    assert_eq!(
        shop.verify().0,
        0,
        "master data changed in the console verifies"
    );

    // a reorder point: the stock page marks the item low, /metrics counts it
    let (status, _, _) = request(
        port,
        "POST",
        "/items",
        &posted,
        &form("sku=LYE&name=Sodium+hydroxide&kind=material&unit=g&reorder_point=2+kg"),
    );
    assert_eq!(status, 303);
    let (_, _, page) = request(port, "GET", "/stock", &[("Cookie", &cookie)], "");
    assert!(
        page.contains(
            "<tr class=\"low\"><td>Sodium hydroxide (LYE)</td><td>0 g LOW</td><td>2000 g</td>"
        ),
        "{page}"
    );
    let (_, _, metrics) = request(port, "GET", "/metrics", &[], "");
    assert!(
        metrics.contains("lotstation_items_below_reorder_point 1"),
        "{metrics}"
    );
    let (_, _, csv) = request(port, "GET", "/items.csv", &[("Cookie", &cookie)], "");
    assert!(
        csv.contains("LYE,Sodium hydroxide,material,g,,,,,,2000 g"),
        "{csv}"
    );

    // orders: listed with the customer's name and where each stands; one order's page
    let (status, _, page) = request(port, "GET", "/orders", &[("Cookie", &cookie)], "");
    assert_eq!(status, 200);
    assert!(
        page.contains(">1001</a></td><td>Jo Smith (C001)</td>") && page.contains("<td>open</td>"),
        "{page}"
    );
    let (_, _, page) = request(
        port,
        "GET",
        "/orders?state=shipped",
        &[("Cookie", &cookie)],
        "",
    );
    assert!(page.contains("0 orders shown of 2"), "{page}");
    let (status, _, page) = request(port, "GET", "/orders/1001", &[("Cookie", &cookie)], "");
    assert_eq!(status, 200);
    assert!(
        page.contains("<td>SOAP</td><td>2</td>") && page.contains("Nothing shipped yet."),
        "{page}"
    );
    let (status, _, _) = request(port, "GET", "/orders/9999", &[("Cookie", &cookie)], "");
    assert_eq!(status, 404);

    // a CSV uploaded as the command line takes it: a bad row imports nothing and says where
    let upload = |name: &str, csv: &str| {
        let boundary = "lotstationboundary";
        let body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
             Content-Type: text/csv\r\n\r\n{csv}\r\n--{boundary}--\r\n"
        );
        request(
            port,
            "POST",
            "/import/suppliers",
            &[
                (
                    "Content-Type",
                    &format!("multipart/form-data; boundary={boundary}"),
                ),
                ("Cookie", &cookie),
            ],
            &body,
        )
    };
    let (status, _, page) = upload(
        "suppliers.csv",
        "code,name,contact,email,phone\nHIVE,Hive Wax Co,,,\n,No code,,,\n",
    );
    assert_eq!(status, 422, "{page}");
    assert!(
        page.contains("suppliers.csv line 3") && page.contains("Nothing was imported."),
        "{page}"
    );
    assert!(
        shop.query_strings("SELECT code FROM suppliers WHERE code = 'HIVE'")
            .is_empty()
    );
    // a file bigger than the API's 16 KiB takes the console's own limit
    let mut big = String::from("code,name,contact,email,phone\n");
    for i in 0..600 {
        big.push_str(&format!(
            "S{i:04},Supplier number {i} of the wax trade,,,\n"
        ));
    }
    assert!(big.len() > 16 * 1024);
    let (status, _, page) = upload("suppliers.csv", &big);
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("Imported suppliers.csv: 600 suppliers (600 new, 0 updated, 0 unchanged)"),
        "{page}"
    );
    assert_eq!(
        shop.query_strings(
            "SELECT operator FROM journal WHERE kind = 'import' ORDER BY seq DESC LIMIT 1"
        ),
        ["rosa"]
    );

    // suppliers and customers: listed, added by form, retired (a bench refuses them), deleted
    let (status, _, page) = request(
        port,
        "GET",
        "/suppliers?q=coast",
        &[("Cookie", &cookie)],
        "",
    );
    assert_eq!(status, 200);
    assert!(
        page.contains("<td>COASTAL</td>") && !page.contains("<td>BRAMBLE</td>"),
        "{page}"
    );
    let (status, head, page) = request(
        port,
        "POST",
        "/customers",
        &posted,
        &form("code=C009&name=Ines+Duarte&email=ines%40example.pt&phone=&address=Rua+1%0ALisboa"),
    );
    assert_eq!(status, 303, "{head}{page}");
    let (_, _, csv) = request(port, "GET", "/customers.csv", &[("Cookie", &cookie)], "");
    assert!(
        csv.contains("C009,Ines Duarte,ines@example.pt,,\"Rua 1\nLisboa\""),
        "{csv}"
    );
    let (status, _, page) = request(
        port,
        "POST",
        "/suppliers/delete",
        &posted,
        &form("code=BRAMBLE"),
    );
    assert_eq!(status, 422);
    assert!(
        page.contains("BRAMBLE is named by 1 lot: the records keep it; retire it instead"),
        "{page}"
    );
    let (status, _, _) = request(
        port,
        "POST",
        "/suppliers/retire",
        &posted,
        &form("code=COASTAL&retire=yes"),
    );
    assert_eq!(status, 303);
    bench.ok("@RECEIVE");
    let refused = bench.scan("SUP:COASTAL");
    assert!(
        refused.contains("supplier COASTAL (Coastal Supply) is retired"),
        "{refused}"
    );
    let (status, _, _) = request(
        port,
        "POST",
        "/customers/delete",
        &posted,
        &form("code=C009"),
    );
    assert_eq!(status, 303);
    assert_eq!(
        shop.verify().0,
        0,
        "master data changed in the console verifies"
    );

    // exports for a range of days, and a consistent copy of a SQLite station
    let (status, _, page) = request(port, "GET", "/exports", &[("Cookie", &cookie)], "");
    assert_eq!(status, 200, "{page}");
    let (status, head, csv) = request(
        port,
        "GET",
        "/exports/download?format=fsma204&from=2026-01-01&to=2026-12-31",
        &[("Cookie", &cookie)],
        "",
    );
    assert_eq!(status, 200, "{csv}");
    assert!(
        head.to_lowercase()
            .contains("fsma204-2026-01-01-2026-12-31.csv"),
        "{head}"
    );
    assert!(csv.contains(&lot), "the receipt's event: {csv}");
    let (status, _, json) = request(
        port,
        "GET",
        "/exports/download?format=epcis&from=2026-01-01&to=2026-12-31",
        &[("Cookie", &cookie)],
        "",
    );
    assert_eq!(status, 200);
    assert!(json.contains("EPCISDocument"), "{json}");
    let (status, _, copy) = request(port, "GET", "/exports/backup", &[("Cookie", &cookie)], "");
    if shop.is_postgres() {
        assert_eq!(status, 404, "PostgreSQL is backed up by its own tools");
    } else {
        assert_eq!(status, 200);
        assert!(copy.starts_with("SQLite format 3"), "a SQLite database");
    }

    // a shop's order export, as `import orders --from shopify` reads it
    let export =
        std::fs::read_to_string(crate::support::fixture("shops/shopify_orders_export.csv"))
            .expect("fixture");
    let boundary = "lotstationboundary";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"shop\"\r\n\r\nshopify\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"orders_export.csv\"\r\n\
         Content-Type: text/csv\r\n\r\n{export}\r\n--{boundary}--\r\n"
    );
    let (status, _, page) = request(
        port,
        "POST",
        "/import/shop",
        &[
            (
                "Content-Type",
                &format!("multipart/form-data; boundary={boundary}"),
            ),
            ("Cookie", &cookie),
        ],
        &body,
    );
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("imported Shopify orders from orders_export.csv: 2 orders")
            && page.contains("1 order has no line of ours and was not imported: #1002"),
        "{page}"
    );
    assert_eq!(
        shop.query_strings(
            "SELECT operator FROM journal WHERE kind = 'import' ORDER BY seq DESC LIMIT 1"
        ),
        ["rosa"]
    );

    // a real recall: a page says what it will do and whom it reaches, then the owner confirms
    let (status, _, page) = request(
        port,
        "GET",
        &format!("/recall/confirm?code={lot}"),
        &[("Cookie", &cookie)],
        "",
    );
    assert_eq!(status, 200);
    assert!(
        page.contains(&format!(
            "A real recall of <strong>lot {lot}</strong> will:"
        )) && page.contains("put on hold 0 batches made from it")
            && page.contains("Recall "),
        "{page}"
    );
    // without the notice's words nothing happens; with them, the recall
    let (status, _, page) = request(
        port,
        "POST",
        "/recall/confirm",
        &posted,
        &form(&format!("code={lot}")),
    );
    assert_eq!(status, 200);
    assert!(
        page.contains("a real recall&#39;s notice to consumers needs the hazard")
            || page.contains("a real recall's notice to consumers needs the hazard"),
        "{page}"
    );
    let (status, _, page) = request(
        port,
        "POST",
        "/recall/confirm",
        &posted,
        &form(&format!(
            "code={lot}&hazard=may+contain+an+allergen+not+on+the+label&remedy=a+full+refund"
        )),
    );
    assert_eq!(status, 200);
    assert!(
        page.contains(&format!("<strong>{lot}</strong> is recalled")),
        "{page}"
    );
    assert_eq!(
        shop.query_strings(&format!(
            "SELECT operator || ' ' || status FROM status_changes s JOIN journal j ON j.seq = s.journal_seq WHERE s.code = '{lot}' ORDER BY s.id DESC LIMIT 1"
        )),
        ["rosa recalled"]
    );

    // signing out ends the session
    let (status, _, _) = request(
        port,
        "POST",
        "/logout",
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Cookie", &cookie),
        ],
        &format!("csrf={csrf}"),
    );
    assert_eq!(status, 303);
    let (status, _, _) = request(port, "GET", "/stock", &[("Cookie", &cookie)], "");
    assert_eq!(status, 303, "signed out");

    // a removed account's session ends with it
    shop.cli_ok(&["user", "remove", "ana"]);
    let (status, _, _) = request(
        port,
        "GET",
        "/stock",
        &[("Cookie", &format!("lotstation_session={ana}"))],
        "",
    );
    assert_eq!(status, 303, "ana was removed");

    // five wrong passwords for a name, and its sign-in waits a quarter hour
    for _ in 0..5 {
        assert_eq!(
            sign_in(port, "rosa", "not her password").unwrap_err().0,
            401
        );
    }
    let (status, page) = sign_in(port, "rosa", "lavender fields").unwrap_err();
    assert_eq!(status, 429, "{page}");
    assert!(
        page.contains("too many failed sign-ins: try again in 15 minutes"),
        "{page}"
    );
    // the last owner stays
    let out = shop.cli(&["user", "remove", "rosa"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("rosa is the last owner"));
    bench.finish();
}

/// The console in Chromium (issue 31): an owner signs in, adds an item (a bad GTIN first),
/// retires it, lists orders and stock; a clerk is refused a change. Screenshots at phone and
/// laptop width go to `target/screenshots/`.
/// The location a redirect sends the browser to.
fn location(head: &str) -> String {
    head.lines()
        .find_map(|l| {
            l.strip_prefix("location: ")
                .or_else(|| l.strip_prefix("Location: "))
        })
        .unwrap_or_default()
        .trim()
        .to_string()
}

/// Recipes edited as a table, and the page of one lot: each change asks first on a page
/// that says what it will do (a correction previewed by the rules that record it), a
/// clerk holds but corrects nothing, and the complaints form works without JavaScript.
#[test]
fn recipes_and_a_lots_page_ask_before_they_change() {
    let shop = Shop::new();
    shop.soap_day();
    add_rosa_and_ana(&shop);
    let mut bench = shop.bench_with_config(
        "[[bench]]\nname = \"bench-1\"\nscanners = [\"stdin\"]\n\
         [[scanner]]\nname = \"stdin\"\nkind = \"stdin\"\n\
         [http]\nlisten = \"127.0.0.1:0\"\ntoken = \"t0ken\"\n",
    );
    let port = bench.http_address().port();
    // behind a TLS proxy that says so, the cookies are Secure; on the shop's network, not
    let (_, head, _) = request(port, "GET", "/login", &[("X-Forwarded-Proto", "https")], "");
    let login = set_cookie(&head, "lotstation_login").expect("the form's cookie");
    assert!(login.ends_with("; Secure"), "{login}");
    let (_, head, _) = request(port, "GET", "/login", &[], "");
    let login = set_cookie(&head, "lotstation_login").expect("the form's cookie");
    assert!(!login.contains("Secure"), "{login}");
    let rosa = sign_in(port, "rosa", "lavender fields").expect("rosa signs in");
    let cookie = format!("lotstation_session={rosa}");
    let (status, _, page) = request(port, "GET", "/recipes", &[("Cookie", &cookie)], "");
    assert_eq!(status, 200, "{page}");
    for said in [
        "Lavender soap bar (SOAP)",
        "<td>Olive oil (OLIVE)</td><td>3 kg</td>",
        "<td>Sodium hydroxide (LYE)</td><td>400 g</td>",
        "1 batch made so far.",
    ] {
        assert!(page.contains(said), "{said} in {page}");
    }
    let csrf = field(&page, "csrf");
    let posted = [
        ("Content-Type", "application/x-www-form-urlencoded"),
        ("Cookie", cookie.as_str()),
    ];
    let (status, _, _) = request(
        port,
        "POST",
        "/items",
        &posted,
        &format!("csrf={csrf}&sku=GIFT&name=Gift+set&kind=product&unit=each"),
    );
    assert_eq!(status, 303);
    // a recipe as a table: an empty row between two is left out
    let table = |rows: &[(&str, &str, &str)]| {
        let mut form = format!("csrf={csrf}&product_sku=GIFT&per=1");
        for (material, quantity, unit) in rows {
            form.push_str(&format!(
                "&material_sku={material}&quantity={quantity}&unit={unit}"
            ));
        }
        form
    };
    let (status, head, body) = request(
        port,
        "POST",
        "/recipes",
        &posted,
        &table(&[("SOAP", "3", "each"), ("", "", ""), ("BOX", "1", "each")]),
    );
    assert_eq!(status, 303, "{body}");
    assert_eq!(location(&head), "/recipes?saved=GIFT");
    let (_, _, csv) = request(port, "GET", "/recipes.csv", &[("Cookie", &cookie)], "");
    assert!(
        csv.starts_with("product_sku,material_sku,quantity,unit,per\n"),
        "{csv}"
    );
    assert!(
        csv.contains("GIFT,BOX,1,each,1\nGIFT,SOAP,3,each,1\n"),
        "{csv}"
    );
    assert_eq!(
        shop.query_strings(
            "SELECT operator FROM journal WHERE kind = 'import' ORDER BY seq DESC LIMIT 1"
        ),
        ["rosa"]
    );
    // a bad quantity names the table's row and keeps what was typed
    let (status, _, body) = request(
        port,
        "POST",
        "/recipes",
        &posted,
        &table(&[("", "", ""), ("SOAP", "three", "each")]),
    );
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("row 2, column quantity"), "{body}");
    assert!(body.contains("value=\"three\""), "{body}");
    // a recipe batches were made by is kept: delete is refused, retire takes it off the bench
    let (status, _, body) = request(
        port,
        "POST",
        "/recipes/delete",
        &posted,
        &format!("csrf={csrf}&product_sku=SOAP"),
    );
    assert_eq!(status, 422, "{body}");
    assert!(
        body.contains("1 batch of SOAP was made: the records keep its recipe; retire it instead"),
        "{body}"
    );
    let (status, _, _) = request(
        port,
        "POST",
        "/recipes/retire",
        &posted,
        &format!("csrf={csrf}&product_sku=SOAP&retire=yes"),
    );
    assert_eq!(status, 303);
    let (_, _, page) = request(port, "GET", "/recipes?q=soap", &[("Cookie", &cookie)], "");
    assert!(
        page.contains("<span class=\"hold\">retired</span>"),
        "{page}"
    );
    bench.ok("@MAKE");
    let made = bench.ok("ITEM:SOAP");
    assert!(
        !made.contains("recipe"),
        "a retired recipe plans nothing: {made}"
    );
    bench.ok("@CANCEL");
    let (status, _, _) = request(
        port,
        "POST",
        "/recipes/delete",
        &posted,
        &format!("csrf={csrf}&product_sku=GIFT"),
    );
    assert_eq!(status, 303, "a recipe nothing was made by is deleted");
    assert!(
        shop.query_strings("SELECT material_sku FROM boms WHERE product_sku = 'GIFT'")
            .is_empty()
    );
    assert_eq!(shop.verify().0, 0, "recipe changes verify");

    // a lot's page: its facts, stock, label and trace; other codes go to their own page
    let lot = "OLV-2611-001";
    let (status, _, page) = request(
        port,
        "GET",
        &format!("/lot/{lot}"),
        &[("Cookie", &cookie)],
        "",
    );
    assert_eq!(status, 200, "{page}");
    for said in [
        "<h1>Lot OLV-2611-001</h1>",
        "Olive oil (OLIVE)",
        "<th>on hand</th><td>17 kg</td>",
        "/api/label/lot/OLV-2611-001.png",
        "Print the lot label of OLV-2611-001",
        "<a href=\"/batch/MFG-0002\">MFG-0002</a>",
    ] {
        assert!(page.contains(said), "{said} in {page}");
    }
    let (status, head, _) = request(
        port,
        "GET",
        &format!("/batch/{lot}"),
        &[("Cookie", &cookie)],
        "",
    );
    assert_eq!((status, location(&head)), (303, format!("/lot/{lot}")));
    let (status, head, _) = request(port, "GET", "/shipment/1001", &[("Cookie", &cookie)], "");
    assert_eq!((status, location(&head)), (303, "/orders/1001".to_string()));

    // a count: previewed by the rules that will record it, recorded only when confirmed
    let (status, _, page) = request(
        port,
        "GET",
        &format!("/lot/{lot}/count?value=16kg&reason=stocktake"),
        &[("Cookie", &cookie)],
        "",
    );
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains(
            "It will record: lot OLV-2611-001 counted: 16 kg on hand (the records said 17 kg, -1 kg) (stocktake)."
        ),
        "{page}"
    );
    let adjustments = || shop.query_strings("SELECT CAST(COUNT(*) AS TEXT) FROM adjustments");
    assert_eq!(adjustments(), ["0"], "the preview wrote nothing");
    let (status, head, _) = request(
        port,
        "POST",
        &format!("/lot/{lot}/count"),
        &posted,
        &format!("csrf={csrf}&reason=stocktake&value=16kg"),
    );
    assert_eq!(status, 303);
    assert!(
        location(&head).starts_with(&format!("/lot/{lot}?done=")),
        "{head}"
    );
    assert_eq!(adjustments(), ["1"]);
    let (status, _, page) = request(
        port,
        "GET",
        &format!("/lot/{lot}/yield?value=5&reason=x"),
        &[("Cookie", &cookie)],
        "",
    );
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("This would be refused: "), "{page}");
    assert!(!page.contains("now</button>"), "nothing to confirm: {page}");
    // without the page's token the change is refused
    let (status, _, _) = request(
        port,
        "POST",
        &format!("/lot/{lot}/void"),
        &posted,
        "csrf=forged&reason=x",
    );
    assert_eq!(status, 403);

    // the clerk holds through the same pages, and is told a void is an owner's
    let ana = sign_in(port, "ana", "rosemary hills").expect("ana signs in");
    let clerk = format!("lotstation_session={ana}");
    let (_, _, page) = request(
        port,
        "GET",
        &format!("/lot/{lot}/hold?reason=cloudy"),
        &[("Cookie", &clerk)],
        "",
    );
    assert!(
        page.contains("OLV-2611-001 is available now. On hold, no bench takes it"),
        "{page}"
    );
    let ana_csrf = field(&page, "csrf");
    let clerk_form = [
        ("Content-Type", "application/x-www-form-urlencoded"),
        ("Cookie", clerk.as_str()),
    ];
    let (status, _, _) = request(
        port,
        "POST",
        &format!("/lot/{lot}/hold"),
        &clerk_form,
        &format!("csrf={ana_csrf}&reason=cloudy"),
    );
    assert_eq!(status, 303);
    let (_, _, page) = request(
        port,
        "GET",
        &format!("/lot/{lot}"),
        &[("Cookie", &clerk)],
        "",
    );
    assert!(
        page.contains("<td class=\"hold\">hold (cloudy)</td>"),
        "{page}"
    );
    assert!(page.contains("Release…"), "{page}");
    let (_, _, page) = request(
        port,
        "GET",
        &format!("/lot/{lot}/count?value=15kg&reason=x"),
        &[("Cookie", &clerk)],
        "",
    );
    assert!(page.contains("made by an owner"), "{page}");
    let (status, _, _) = request(
        port,
        "POST",
        &format!("/lot/{lot}/count"),
        &clerk_form,
        &format!("csrf={ana_csrf}&reason=x&value=15kg"),
    );
    assert_eq!(status, 403);
    assert_eq!(
        shop.query_strings("SELECT operator FROM journal ORDER BY seq DESC LIMIT 1"),
        ["ana"]
    );

    // a drill in one click, a clerk's too: made, timed, journaled with the account's name
    let (status, _, page) = request(
        port,
        "POST",
        "/recall/drill",
        &clerk_form,
        &format!("csrf={ana_csrf}&code={lot}"),
    );
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains(&format!("Drill of <strong>{lot}</strong>: "))
            && page.contains("answered in")
            && page.contains("The drill is journaled (journal entry "),
        "{page}"
    );
    assert_eq!(
        shop.query_strings(
            "SELECT operator || ' ' || json_extract(body, '$.code') FROM journal WHERE kind = 'recall_drill'"
        ),
        [format!("ana {lot}")]
    );
    let (_, _, page) = request(port, "GET", "/recall", &[("Cookie", &clerk)], "");
    assert!(
        page.contains(&format!("<td>ana</td><td>{lot}</td>")),
        "{page}"
    );

    // a complaint from the form, no script: shown escaped
    let (status, head, _) = request(
        port,
        "POST",
        "/complaints",
        &clerk_form,
        &format!(
            "csrf={ana_csrf}&customer=C001&code=MFG-0002&text=%3Cscript%3Eitchy%3C%2Fscript%3E"
        ),
    );
    assert_eq!(status, 303);
    assert!(location(&head).starts_with("/complaints?done="), "{head}");
    let (_, _, page) = request(port, "GET", "/complaints", &[("Cookie", &clerk)], "");
    assert!(
        page.contains("&lt;script&gt;itchy&lt;/script&gt;"),
        "{page}"
    );
    bench.finish();
}

#[test]
fn the_console_in_a_real_browser() {
    let modules = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/browser/node_modules/playwright-core");
    if !(modules.exists() && std::path::Path::new("/usr/bin/chromium").exists()) {
        assert!(
            std::env::var("LOTSTATION_ORACLES").as_deref() != Ok("1"),
            "Chromium and playwright-core are needed (scripts/test.sh installs them)"
        );
        return;
    }
    let shop = Shop::new();
    add_rosa_and_ana(&shop);
    let mut bench = shop.bench_with_config(
        "[[bench]]\nname = \"bench-1\"\nscanners = [\"stdin\"]\n\
         [[scanner]]\nname = \"stdin\"\nkind = \"stdin\"\n\
         [http]\nlisten = \"127.0.0.1:0\"\n",
    );
    let port = bench.http_address().port();
    let lot = crate::support::receive(&mut bench, "BRAMBLE", "ITEM:LAV-EO", Some("SL-1"), "500g");
    let shots = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&shots).expect("mkdir");
    let out = std::process::Command::new("node")
        .arg(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/console.mjs"))
        .arg(format!("http://127.0.0.1:{port}"))
        .arg(&shots)
        .env("LOT", &lot)
        .output()
        .expect("node");
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success() && said.lines().last() == Some("DONE"),
        "{said}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(said.contains("CLERK REFUSED 403"), "{said}");
    assert!(said.contains(&format!("RECALLED {lot}")), "{said}");
    assert!(
        said.contains("RECIPE SAVED") && said.contains(&format!("HELD {lot}")),
        "{said}"
    );
    assert_eq!(
        shop.query_strings(
            "SELECT operator || ' ' || json_extract(body, '$.action') FROM journal WHERE kind = 'import' AND json_extract(body, '$.action') IS NOT NULL ORDER BY seq"
        ),
        ["rosa retired"]
    );
    bench.finish();
}
