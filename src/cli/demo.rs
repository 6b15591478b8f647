//! `lotstation demo`: a scripted day at a soap workshop. Master data is written out as the
//! CSV files a shop would keep and imported like any other; the day's scans run through
//! the daemon's own event loop, bench by bench, with a scripted clock.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::config::Station;
use crate::daemon::{self, Daemon, ScriptedClock};
use crate::devices::Source;
use crate::masterdata::MasterKind;
use crate::store::Store;

const MARKER: &str = ".lotstation-demo";

const LAVENDER_GTIN: &str = "09501101530003";

fn config(dir: &Path) -> String {
    format!(
        r#"
[station]
database = "{db}"
timezone = "UTC"

[[bench]]
name = "receiving"
workflow = "receive"
scanners = ["receiving-scanner"]
printer = "labels"

[[bench]]
name = "production"
workflow = "make"
scanners = ["production-scanner"]
printer = "labels"

[[bench]]
name = "packing"
workflow = "pack"
scanners = ["packing-scanner"]
printer = "labels"

[[scanner]]
name = "receiving-scanner"
kind = "stdin"

[[scanner]]
name = "production-scanner"
kind = "stdin"

[[scanner]]
name = "packing-scanner"
kind = "stdin"

[[printer]]
name = "labels"
kind = "file"
path = "{labels}"

[[pattern]]
regex = '^#(\d+)$'
kind = "order"
"#,
        db = dir.join("lotstation.db").display(),
        labels = dir.join("labels").display()
    )
}

const ITEMS: &str = "sku,name,kind,unit,lot_prefix,gtin,shelf_life_days,net_content
LAV-EO,Lavender essential oil,material,g,LAV,09501101530003,730,
CEDAR-EO,Cedarwood essential oil,material,g,CED,,730,
ORANGE-EO,Sweet orange essential oil,material,g,ORA,,365,
OLIVE-OIL,Olive oil (pomace),material,kg,OLV,,540,
COCONUT-OIL,Coconut oil 76,material,kg,COC,,720,
SHEA-BUTTER,Shea butter (unrefined),material,kg,SHEA,,365,
LYE,Sodium hydroxide,material,g,NAOH,,,
SCENT-BLEND,Lavender-cedar fragrance blend,product,g,BLD,,365,
SOAP-LAV,Lavender & cedar soap bar 110 g,product,each,,09501101530010,540,110 g
SOAP-CITRUS,Sweet orange soap bar 110 g,product,each,,09501101530027,540,110 g
";

const SUPPLIERS: &str = "code,name,contact,email,phone
BRAMBLE,Bramble Essential Oils,Ann Bramble,orders@bramble.example,+1 555 0101
COASTAL,Coastal Lye & Oil Supply,Marco Diaz,sales@coastal.example,+1 555 0102
MEADOW,Meadow Botanicals,Priya Shah,hello@meadow.example,+1 555 0103
";

const BOMS: &str = "product_sku,material_sku,quantity,unit
SCENT-BLEND,LAV-EO,600,g
SCENT-BLEND,CEDAR-EO,400,g
SOAP-LAV,OLIVE-OIL,3,kg
SOAP-LAV,COCONUT-OIL,2,kg
SOAP-LAV,SHEA-BUTTER,1,kg
SOAP-LAV,LYE,850,g
SOAP-LAV,SCENT-BLEND,300,g
SOAP-CITRUS,OLIVE-OIL,3,kg
SOAP-CITRUS,COCONUT-OIL,2,kg
SOAP-CITRUS,LYE,850,g
SOAP-CITRUS,ORANGE-EO,200,g
";

const FIRST: &[&str] = &[
    "Ada", "Ben", "Cleo", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivo", "June", "Kai", "Lena", "Milo",
    "Nia", "Oren", "Pia", "Quinn", "Rae", "Sol", "Tess",
];
const LAST: &[&str] = &["Okafor", "Lindqvist", "Moreau", "Tanaka", "Alvarez"];
const STREETS: &[&str] = &["Maple St", "Harbor Rd", "Elm Ave", "Mill Ln", "Quarry Way"];

/// Forty customers, deterministic.
fn customers() -> String {
    let mut csv = String::from("code,name,email,phone,address\n");
    for i in 0..40 {
        let first = FIRST[i % FIRST.len()];
        let last = LAST[i / 8 % LAST.len()];
        let _ = writeln!(
            csv,
            "C{:03},{first} {last},{}.{}@mail.example,+1 555 {:04},\"{} {}, Portland, OR\"",
            i + 1,
            first.to_lowercase(),
            last.to_lowercase(),
            2000 + i,
            10 + i * 7,
            STREETS[i % STREETS.len()]
        );
    }
    csv
}

/// The day's web orders: (order number, customer, sku, units).
fn order_list() -> Vec<(u32, String, &'static str, u32)> {
    (0..30)
        .map(|i| {
            let sku = if i % 5 == 4 {
                "SOAP-CITRUS"
            } else {
                "SOAP-LAV"
            };
            (
                1001 + i,
                format!("C{:03}", (i * 7) % 39 + 1),
                sku,
                i % 3 + 1,
            )
        })
        .collect()
}

fn orders() -> String {
    let mut csv = String::from("order_number,customer_code,ordered_at,sku,quantity\n");
    for (number, customer, sku, units) in order_list() {
        let _ = writeln!(
            csv,
            "{number},{customer},2026-11-20T18:{:02}:00Z,{sku},{units}",
            number % 60
        );
    }
    csv
}

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

fn receiving_script() -> Vec<String> {
    let gs = '\u{1d}';
    let mut script = lines(
        "OP:Rosa
        SUP:BRAMBLE
        INV-2026-1187",
    );
    // the supplier's own GS1-128 label: GTIN, expiry, net weight 1.000 kg, lot
    script.push(format!(
        "]C101{LAVENDER_GTIN}172711303103001000{gs}10BO-LAV-5521"
    ));
    script.extend(lines(
        "@DONE
        ITEM:CEDAR-EO
        BO-CED-118
        @QTY:500g
        @DONE
        ITEM:ORANGE-EO
        BO-ORA-907
        @QTY:1kg
        @DONE
        @DONE
        SUP:COASTAL
        CL-88812
        ITEM:OLIVE-OIL
        CL-OL-2231
        @QTY:20
        @DONE
        ITEM:COCONUT-OIL
        CL-CO-0457
        @QTY:15kg
        @DONE
        ITEM:LYE
        CL-NA-3390
        @QTY:5kg
        @DONE
        ITEM:OLIVE-OIL
        CL-OL-2232
        @HOLD
        NOTE:drum dented in transit, awaiting supplier certificate
        @QTY:20kg
        @DONE
        @DONE
        SUP:MEADOW
        MB-4410
        ITEM:SHEA-BUTTER
        MB-SH-77
        @QTY:5 kg
        @DONE
        @DONE",
    ));
    script
}

fn production_script() -> Vec<String> {
    let mut script = lines(
        "OP:Sam
        ITEM:SCENT-BLEND",
    );
    // the maker scans the supplier's label on the lavender bottle: (01)+(10) finds our lot
    script.push(format!("(01){LAVENDER_GTIN}(10)BO-LAV-5521"));
    script.extend(lines(
        "@QTY:600g
        CED-2611-001
        @QTY:400g
        @YIELD:1kg
        @DONE",
    ));
    for batch in 0..3 {
        script.push("ITEM:SOAP-LAV".into());
        if batch == 0 {
            // the held drum is refused, then an unknown label, then the real one
            script.extend(lines("OLV-2611-002\nLAV-2609-014"));
        }
        script.extend(lines(
            "OLV-2611-001
            @QTY:3kg
            COC-2611-001
            @QTY:2kg
            SHEA-2611-001
            @QTY:1kg
            NAOH-2611-001
            @QTY:850g
            MFG-0001
            @QTY:300g
            @YIELD:60
            @DONE",
        ));
    }
    script.extend(lines(
        "ITEM:SOAP-CITRUS
        OLV-2611-001
        @QTY:30kg
        @QTY:3kg
        COC-2611-001
        @QTY:2kg
        NAOH-2611-001
        @QTY:850g
        ORA-2611-001
        @QTY:200g
        @YIELD:60
        @DONE
        @WASTE
        COC-2611-001
        @QTY:200g
        NOTE:spilled while melting
        @DONE
        @MAKE",
    ));
    script
}

fn packing_script() -> Vec<String> {
    let mut script = vec!["OP:Lee".to_string()];
    let lavender = ["MFG-0002", "MFG-0003", "MFG-0004"];
    for (i, (number, _customer, sku, units)) in order_list().into_iter().enumerate() {
        script.push(format!("ORD:{number}"));
        if i == 3 {
            script.push("OLV-2611-001".into()); // a lot label on the packing table: refused
        }
        let batch = if sku == "SOAP-CITRUS" {
            "MFG-0005"
        } else {
            lavender[i % 3]
        };
        for _ in 0..units {
            script.push(batch.to_string());
        }
        script.push("@DONE".into());
    }
    // a market-stall order on a paper packing slip: matched by the shop's pattern
    script.extend(lines(
        "#2001
        CUS:C040
        MFG-0005
        @QTY:4
        @DONE",
    ));
    script
}

fn prepare_dir(dir: &Path) -> anyhow::Result<()> {
    if dir.exists() {
        let is_demo = dir.join(MARKER).exists();
        let empty = std::fs::read_dir(dir)?.next().is_none();
        if !is_demo && !empty {
            anyhow::bail!(
                "{} exists and is not a lotstation demo folder; choose another with --dir",
                dir.display()
            );
        }
        for name in [
            "lotstation.db",
            "lotstation.db-wal",
            "lotstation.db-shm",
            "lotstation.db-witness",
        ] {
            let path = dir.join(name);
            if path.exists() {
                std::fs::remove_file(path)?;
            }
        }
    }
    std::fs::create_dir_all(dir.join("masterdata"))?;
    std::fs::write(
        dir.join(MARKER),
        "a folder made by `lotstation demo`; it may be replaced by the next demo\n",
    )?;
    Ok(())
}

fn show(raw: &str) -> String {
    raw.replace('\u{1d}', "<GS>")
}

pub fn demo(dir: &Path, quiet: bool) -> anyhow::Result<i32> {
    prepare_dir(dir)?;
    let config_path = dir.join("station.toml");
    std::fs::write(&config_path, config(dir))?;
    let station = Station::load(&crate::clock::Disk, Some(&config_path))?;
    let witness = station.witness(&station.database(None));
    let mut store = Store::open(&station.database(None))?;

    let files: [(MasterKind, &str, String); 5] = [
        (MasterKind::Items, "items.csv", ITEMS.to_string()),
        (
            MasterKind::Suppliers,
            "suppliers.csv",
            SUPPLIERS.to_string(),
        ),
        (MasterKind::Customers, "customers.csv", customers()),
        (MasterKind::Boms, "boms.csv", BOMS.to_string()),
        (MasterKind::Orders, "orders.csv", orders()),
    ];
    say!(
        "lotstation demo: a day at a soap workshop, in {}",
        dir.display()
    );
    // the day's scripted clock: master data in before the first delivery
    let imported_at: jiff::Timestamp = "2026-11-21T07:45:00Z".parse()?;
    say!("\n== 07:45 master data ==");
    for (kind, name, content) in files {
        let path: PathBuf = dir.join("masterdata").join(name);
        std::fs::write(&path, content)?;
        let summary = super::import::import_file(&mut store, kind, &path, imported_at)?;
        say!("imported {name}: {}", summary.kind.rows(summary.rows));
    }

    // each phase starts at its time of day; a scan takes 20 s of the scripted clock
    let clock_at = |time: &str| -> anyhow::Result<Box<ScriptedClock>> {
        Ok(Box::new(ScriptedClock {
            next: format!("2026-11-21T{time}:00Z").parse()?,
            step: jiff::SignedDuration::from_secs(20),
        }))
    };
    let phases = [
        (
            "08:00",
            "receiving: the clerk books in three deliveries",
            "receiving-scanner",
            receiving_script(),
        ),
        (
            "09:30",
            "production: the maker blends a fragrance, then makes four soap batches",
            "production-scanner",
            production_script(),
        ),
        (
            "14:00",
            "packing: thirty web orders and a market-stall order",
            "packing-scanner",
            packing_script(),
        ),
    ];
    let mut daemon = Daemon::new(station, store, clock_at("08:00")?)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let mut rejected_lines = Vec::new();
    for (time, title, scanner, script) in phases {
        say!("\n== {time} {title} ==");
        daemon.set_clock(clock_at(time)?);
        let (tx, rx) = std::sync::mpsc::channel();
        let sources = vec![Source::Script {
            scanner: scanner.to_string(),
            lines: script,
        }];
        daemon = runtime.block_on(daemon::run(
            daemon,
            sources,
            None,
            move |feedback| {
                let _ = tx.send(feedback.clone());
            },
            daemon::shutdown_signal(),
        ))?;
        for feedback in rx.try_iter() {
            if !quiet {
                say!(
                    "{:>10} > {}\n{:>10}   {}",
                    feedback.bench,
                    show(&feedback.raw),
                    "",
                    feedback.line
                );
            }
            if !feedback.accepted {
                let reason = feedback
                    .line
                    .split(" | next:")
                    .next()
                    .unwrap_or(&feedback.line);
                rejected_lines.push(format!(
                    "{} > {}: {reason}",
                    feedback.bench,
                    show(&feedback.raw)
                ));
            }
        }
    }

    let store = daemon.store();
    let summary = store.summary()?;
    let report = store.verify(&witness)?;
    say!("\n== summary ==");
    use crate::core::{counted, counted_as};
    say!(
        "received    {} from {}",
        counted(summary.lots, "lot"),
        counted(summary.suppliers_received_from, "supplier")
    );
    say!(
        "made        {} ({} of them used as a sub-assembly in other batches), {}",
        counted_as(summary.batches, "batch", "batches"),
        summary.sub_assemblies,
        counted(summary.consumptions, "ingredient line")
    );
    say!(
        "shipped     {}, {}, to {}",
        counted(summary.shipments, "shipment"),
        counted(summary.shipped_units, "unit"),
        counted(summary.customers_shipped, "customer")
    );
    say!("on hold     {}", summary.on_hold.join(", "));
    say!("waste       {}", counted(summary.wastes, "write-off"));
    say!(
        "labels      {} ({}) journaled for printer \"labels\"",
        counted(summary.print_jobs, "print job"),
        counted(summary.labels, "label")
    );
    say!(
        "scans       {} accepted, {} refused with a reason (nothing recorded for them):",
        summary.scans_accepted,
        summary.scans_rejected
    );
    for line in &rejected_lines {
        say!("            {line}");
    }
    say!(
        "journal     {} entries, {}; head {}",
        report.entries,
        if report.ok() {
            "hash chain and database verified"
        } else {
            "VERIFY FAILED"
        },
        report.head_hash
    );
    say!(
        "\nlook around: lotstation --db {} journal show | less",
        dir.join("lotstation.db").display()
    );
    Ok(if report.ok() { 0 } else { 1 })
}
