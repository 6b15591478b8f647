//! The workflows' own cases, each a bench stepped over `MemoryWorld`: no database, no
//! migrations, no CSV imports, microseconds a case. A refused step leaves the world as it
//! was (as the store's savepoint does); an accepted one applies its records. The
//! simulation tests (`tests/it/simulate.rs`) run the same rules through the daemon and the
//! store on both backends.

use super::memory::{BomLine, MemoryOrder, MemoryWorld};
use super::*;
use crate::codes::{CodeFormat, Unit};

/// One bench over one world, with a clock that moves a second a scan.
struct Bench {
    world: MemoryWorld,
    state: BenchState,
    now: jiff::Timestamp,
    formats: [CodeFormat; 3],
    /// what the bench's scale shows
    scale: ScaleState,
}

fn item(sku: &str, name: &str, kind: ItemKind, unit: Unit, prefix: &str) -> ItemView {
    ItemView {
        sku: sku.into(),
        name: name.into(),
        kind,
        unit,
        lot_prefix: Some(prefix.into()),
        gtin: None,
        shelf_life_days: None,
        retired: false,
    }
}

fn party(code: &str, name: &str) -> PartyView {
    PartyView {
        code: code.into(),
        name: name.into(),
        retired: false,
    }
}

impl Bench {
    /// A soap workshop: oils and a box in, soap out, one supplier, one customer, one order
    /// of two bars.
    fn new() -> Bench {
        let mut world = MemoryWorld::default();
        world.items = vec![
            item(
                "LAV-EO",
                "Lavender essential oil",
                ItemKind::Material,
                Unit::G,
                "LAV",
            ),
            item("OLIVE", "Olive oil", ItemKind::Material, Unit::Kg, "OLV"),
            item("BOX", "Gift box", ItemKind::Material, Unit::Each, "BOX"),
            item(
                "SOAP",
                "Lavender soap",
                ItemKind::Product,
                Unit::Each,
                "SOAP",
            ),
            item("BULK", "Bulk soap", ItemKind::Product, Unit::Kg, "BULK"),
            item("BATH-OIL", "Bath oil", ItemKind::Product, Unit::L, "OIL"),
        ];
        world.suppliers = vec![party("BRAMBLE", "Bramble Oils")];
        world.customers = vec![party("C001", "Ada Lovelace")];
        world.orders = vec![
            MemoryOrder {
                number: "1001".into(),
                customer_code: "C001".into(),
                lines: vec![("SOAP".into(), 2)],
                shop: String::new(),
                status: "open".into(),
            },
            MemoryOrder {
                number: "5004".into(),
                customer_code: "C001".into(),
                lines: vec![("BULK".into(), 1_500_000)],
                shop: String::new(),
                status: "open".into(),
            },
        ];
        Bench {
            world,
            state: BenchState::default(),
            now: "2026-11-21T09:00:00Z".parse().expect("time"),
            formats: [
                CodeFormat::parse("{prefix}-{yymm}-{seq:03}").expect("lot format"),
                CodeFormat::parse("MFG-{seq:04}").expect("batch format"),
                CodeFormat::parse("SHP-{seq:05}").expect("shipment format"),
            ],
            scale: ScaleState::NoScale,
        }
    }

    /// One scan: `ok: …` (with its warnings) or `error: …`.
    fn scan(&mut self, text: &str) -> String {
        self.now += jiff::SignedDuration::from_secs(1);
        let scan = match crate::scan::parse(text, &[]) {
            Ok(scan) => scan,
            Err(e) => return format!("error: {e}"),
        };
        self.step(&Input::Scan(scan))
    }

    /// The bench's context at its clock, with its scale.
    fn ctx(&self) -> StepContext<'_> {
        StepContext {
            bench: "bench-1",
            now: self.now,
            today: self.now.to_zoned(jiff::tz::TimeZone::UTC).date(),
            default_mode: None,
            allow_overdraw: false,
            recipe_tolerance_percent: 5,
            pack_tolerance_percent: 2,
            batch_labels: BatchLabels::Fixed(1),
            lot_format: &self.formats[0],
            batch_format: &self.formats[1],
            shipment_format: &self.formats[2],
            scale: self.scale,
        }
    }

    /// One input, `ok: …` (with its warnings) or `error: …`.
    fn step(&mut self, input: &Input) -> String {
        // what a refused step did to the world is dropped, as the store's savepoint is
        let mut world = self.world.clone();
        match step(&self.state, &self.ctx(), input, &mut world).expect("memory world") {
            Outcome::Accepted(accepted) => {
                world.apply(&accepted.records);
                self.world = world;
                self.state = accepted.state;
                let mut answer = format!("ok: {}", accepted.message);
                for confirmed in accepted.confirmed {
                    answer.push_str(&format!(" (confirmed: {confirmed})"));
                }
                for note in accepted.warnings {
                    answer.push_str(&format!(" (note: {note})"));
                }
                answer
            }
            Outcome::Rejected { reason } => {
                // a warning waits for the next scan only, as the daemon has it
                self.state.confirm = None;
                format!("error: {reason}")
            }
            Outcome::Warned(warned) => {
                let Warned { state, warning, .. } = *warned;
                // nothing recorded; the bench waits for the same scan again or @OK
                assert_eq!(world.records().len(), self.world.records().len());
                self.state = state;
                format!("warning: {warning}")
            }
        }
    }

    /// Scans separated by `|`, each expected to be accepted; their answers.
    fn ok(&mut self, script: &str) -> Vec<String> {
        script
            .split('|')
            .map(|s| {
                let answer = self.scan(s.trim());
                assert!(answer.starts_with("ok: "), "{s}: {answer}");
                answer
            })
            .collect()
    }

    /// A probable mistake: answered with a warning, nothing recorded.
    fn warned(&mut self, text: &str) -> String {
        let records = self.world.records().len();
        let answer = self.scan(text);
        assert!(answer.starts_with("warning: "), "{text}: {answer}");
        assert_eq!(
            self.world.records().len(),
            records,
            "a warning records nothing"
        );
        answer
    }

    fn refused(&mut self, text: &str) -> String {
        let before = (self.world.records().len(), self.state.clone());
        let answer = self.scan(text);
        assert!(answer.starts_with("error: "), "{text}: {answer}");
        assert_eq!(
            (self.world.records().len(), self.state.clone()),
            before,
            "a refused scan changes nothing"
        );
        answer
    }

    fn balance(&mut self, code: &str) -> i64 {
        self.world
            .stock(code)
            .expect("memory world")
            .unwrap_or_else(|| panic!("{code} is not in the records"))
            .balance
    }

    fn status(&mut self, code: &str) -> Status {
        self.world
            .stock(code)
            .expect("memory world")
            .expect("in the records")
            .status
    }

    /// Receives 500 g of lavender oil and 20 kg of olive oil: LAV-2611-001, OLV-2611-001.
    fn stocked(mut self) -> Bench {
        self.ok(
            "@RECEIVE | SUP:BRAMBLE | INV-1 | ITEM:LAV-EO | SL-1 | @QTY:500g | @DONE
             | ITEM:OLIVE | SL-OL-5 | @QTY:20kg | @DONE | @DONE",
        );
        self
    }
}

#[test]
fn receiving_makes_a_lot_with_its_code_quantity_and_supplier_lot() {
    let mut bench = Bench::new();
    let answers = bench.ok("@RECEIVE | SUP:BRAMBLE | INV-77 | ITEM:LAV-EO | SL-445 | @QTY:1.5kg");
    assert!(answers[1].contains("Bramble Oils"), "{answers:?}");
    let made = bench.ok("@DONE");
    assert!(made[0].contains("lot LAV-2611-001 created"), "{made:?}");
    assert_eq!(bench.balance("LAV-2611-001"), 1_500_000, "1.5 kg in mg");
    match bench.world.records() {
        [
            Record::LotReceived {
                code,
                supplier_lot,
                invoice,
                unit,
                ..
            },
        ] => {
            assert_eq!(
                (code.as_str(), supplier_lot.as_str(), invoice.as_str()),
                ("LAV-2611-001", "SL-445", "INV-77")
            );
            assert_eq!(*unit, Unit::G);
        }
        other => panic!("{other:?}"),
    }
    // the next lot of the item takes the next number; an unknown supplier is refused
    bench.ok("ITEM:LAV-EO | SL-446 | @QTY:200g | @DONE | @DONE");
    assert!(bench.world.issued("LAV-2611-002"));
    bench.ok("@RECEIVE");
    bench.refused("SUP:NOBODY");
}

#[test]
fn receiving_refuses_what_it_cannot_record() {
    let mut bench = Bench::new();
    bench.ok("@RECEIVE | SUP:BRAMBLE | INV-1 | ITEM:BOX | SL-B");
    // a count must be whole, and a mass is no count
    bench.refused("@QTY:2.5");
    bench.refused("@QTY:3kg");
    bench.ok("@QTY:50 | @DONE | @DONE");
    assert_eq!(bench.balance("BOX-2611-001"), 50);
}

#[test]
fn making_consumes_lots_into_a_batch_and_closes_it_with_its_yield() {
    let mut bench = Bench::new().stocked();
    let answers = bench.ok("@MAKE | ITEM:SOAP | OLV-2611-001 | @QTY:3kg | LAV-2611-001 | @QTY:40g");
    assert!(answers[1].contains("MFG-0001"), "{answers:?}");
    bench.ok("@YIELD:12 | @DONE");
    assert_eq!(bench.balance("OLV-2611-001"), 17_000_000);
    assert_eq!(bench.balance("LAV-2611-001"), 460_000);
    assert_eq!(bench.balance("MFG-0001"), 12);
    assert_eq!(
        bench.world.uses_of("OLV-2611-001").expect("memory"),
        ["batch MFG-0001"]
    );
}

#[test]
fn making_refuses_a_quantity_above_the_balance() {
    let mut bench = Bench::new().stocked();
    bench.ok("@MAKE | ITEM:SOAP | LAV-2611-001");
    bench.refused("@QTY:600g");
    bench.ok("@QTY:500g");
    assert_eq!(bench.balance("LAV-2611-001"), 0);
}

#[test]
fn making_to_a_recipe_says_how_far_each_weighing_is_from_its_target() {
    let mut bench = Bench::new().stocked();
    bench.world.boms = vec![BomLine {
        product_sku: "SOAP".into(),
        material_sku: "OLIVE".into(),
        quantity: 2_500_000,
        per: Some(12),
    }];
    bench.ok("@MAKE | ITEM:SOAP | @PLAN:24");
    let weighed = bench.ok("OLV-2611-001 | @QTY:5kg");
    assert!(weighed[1].contains("5 kg"), "{weighed:?}");
    bench.ok("@YIELD:24 | @DONE");
    assert_eq!(bench.balance("MFG-0001"), 24);
}

#[test]
fn packing_ships_batches_on_the_order_and_says_what_is_owed() {
    let mut bench = Bench::new().stocked();
    bench.ok("@MAKE | ITEM:SOAP | OLV-2611-001 | @QTY:3kg | @YIELD:12 | @DONE");
    bench.ok("@PACK | ORD:1001 | MFG-0001");
    let short = bench.ok("@DONE");
    assert!(short[0].contains("SHP-00001"), "{short:?}");
    assert_eq!(bench.balance("MFG-0001"), 11);
    let order = bench.world.order("1001").expect("memory").expect("order");
    assert_eq!((order.lines[0].ordered, order.lines[0].shipped), (2, 1));
    assert_eq!(order.shipments, ["SHP-00001"]);
    // the packing slip's `#` finds the same order
    bench.ok("ORD:#1001 | MFG-0001 | @DONE");
    let order = bench.world.order("1001").expect("memory").expect("order");
    assert_eq!(order.lines[0].shipped, 2);
    assert_eq!(bench.balance("MFG-0001"), 10);
}

#[test]
fn packing_refuses_a_batch_on_hold() {
    let mut bench = Bench::new().stocked();
    bench.ok("@MAKE | ITEM:SOAP | OLV-2611-001 | @QTY:3kg | @YIELD:12 | @DONE");
    bench.ok("@HOLD | MFG-0001 | NOTE:smells off");
    assert_eq!(bench.status("MFG-0001"), Status::Hold);
    bench.ok("@PACK | ORD:1001");
    let refused = bench.refused("MFG-0001");
    assert!(refused.contains("hold"), "{refused}");
    bench.ok("@RELEASE | MFG-0001 | NOTE:checked, fine");
    assert_eq!(bench.status("MFG-0001"), Status::Available);
}

#[test]
fn waste_needs_its_reason_and_takes_the_quantity_off() {
    let mut bench = Bench::new().stocked();
    bench.ok("@WASTE | LAV-2611-001 | @QTY:40g");
    let refused = bench.refused("@DONE");
    assert!(refused.contains("reason"), "{refused}");
    bench.ok("NOTE:bottle dropped | @DONE");
    assert_eq!(bench.balance("LAV-2611-001"), 460_000);
    assert!(
        bench
            .world
            .records()
            .iter()
            .any(|r| matches!(r, Record::Waste { reason, .. } if reason == "bottle dropped"))
    );
}

#[test]
fn voiding_a_lot_nothing_uses_and_refusing_one_that_is_used() {
    let mut bench = Bench::new().stocked();
    bench.ok("@VOID | LAV-2611-001 | NOTE:received twice");
    assert_eq!(bench.status("LAV-2611-001"), Status::Void);
    bench.ok("@MAKE | ITEM:SOAP | OLV-2611-001 | @QTY:1kg | @YIELD:4 | @DONE");
    bench.ok("@VOID");
    let refused = bench.refused("OLV-2611-001");
    assert!(refused.contains("batch MFG-0001 used it"), "{refused}");
    assert_eq!(bench.status("OLV-2611-001"), Status::Available);
}

#[test]
fn adjusting_a_count_moves_the_balance() {
    let mut bench = Bench::new().stocked();
    bench.ok("@ADJUST | OLV-2611-001 | @QTY:18kg | NOTE:counted on the shelf");
    assert_eq!(bench.balance("OLV-2611-001"), 18_000_000);
}

#[test]
fn undo_takes_back_the_last_consumption_line() {
    let mut bench = Bench::new().stocked();
    bench.ok("@MAKE | ITEM:SOAP | OLV-2611-001 | @QTY:3kg | @UNDO");
    assert_eq!(bench.balance("OLV-2611-001"), 20_000_000);
    assert_eq!(
        bench.world.live_lines("MFG-0001").expect("memory"),
        [0u32; 0]
    );
}

/// Bulk soap kept in kilograms: a 2 kg batch (MFG-0001) made from olive oil.
fn bulk() -> Bench {
    let mut bench = Bench::new().stocked();
    bench.ok("@MAKE | ITEM:BULK | OLV-2611-001 | @QTY:2kg | @YIELD:2kg | @DONE");
    assert_eq!(bench.balance("MFG-0001"), 2_000_000);
    bench
}

fn shipped(bench: &Bench) -> Vec<(String, i64)> {
    bench
        .world
        .records()
        .iter()
        .filter_map(|r| match r {
            Record::Shipment { lines, .. } => Some(lines.clone()),
            _ => None,
        })
        .flatten()
        .map(|l| (l.batch_code, l.quantity))
        .collect()
}

#[test]
fn packing_by_weight_fills_an_order_in_kilograms_with_two_packs() {
    let mut bench = bulk();
    bench.ok("@PACK | ORD:5004");
    let pack = bench.ok("MFG-0001 | @QTY:750g");
    assert!(pack[0].contains("weigh it"), "{pack:?}");
    assert!(pack[1].contains("750 g of MFG-0001"), "{pack:?}");
    // a second scan of the label is a second pack, in the product's own unit this time
    bench.ok("MFG-0001 | @QTY:0.75");
    let done = bench.ok("@DONE");
    assert!(!done[0].contains("SHORT"), "{done:?}");
    assert!(done[0].contains("in 2 packs"), "{done:?}");
    assert_eq!(
        shipped(&bench),
        [
            ("MFG-0001".to_string(), 750_000),
            ("MFG-0001".to_string(), 750_000)
        ]
    );
    assert_eq!(bench.balance("MFG-0001"), 500_000);
    let order = bench.world.order("5004").expect("memory").expect("order");
    assert_eq!(order.lines[0].shipped, 1_500_000);
}

#[test]
fn a_pack_within_the_tolerance_fills_the_line_and_one_short_of_it_says_so() {
    let mut bench = bulk();
    // 1.49 kg of 1.5 kg: within 2 %
    let done = bench.ok("@PACK | ORD:5004 | MFG-0001 | @QTY:1.49 | @DONE");
    assert!(!done[4].contains("SHORT"), "{done:?}");
    let mut short = bulk();
    let done = short.ok("@PACK | ORD:5004 | MFG-0001 | @QTY:1.4kg | @DONE");
    assert!(
        done[4].contains("SHORT: order 5004 still waits for 100 g BULK"),
        "{done:?}"
    );
    // and more than 2 % over is warned about
    let mut over = bulk();
    over.ok("@PACK | ORD:5004 | MFG-0001");
    let packed = over.warned("@QTY:1.6kg");
    assert!(
        packed.contains("warning: order 5004 asks for 1.5 kg of BULK"),
        "{packed}"
    );
    // @OK takes it as weighed
    let taken = over.ok("@OK");
    assert!(
        taken[0].contains("1.6 kg of MFG-0001 (BULK) packed"),
        "{taken:?}"
    );
}

#[test]
fn a_pack_is_weighed_on_the_scale_or_refused_with_the_reason() {
    let mut bench = bulk();
    bench.ok("@PACK | ORD:5004 | MFG-0001");
    assert!(bench.refused("@WEIGH").contains("no scale"));
    bench.scale = ScaleState::Unstable;
    assert!(bench.refused("@WEIGH").contains("not stable"));
    bench.scale = ScaleState::Stable(Quantity::from_base(0));
    assert!(bench.refused("@WEIGH").contains("no weight"));
    bench.scale = ScaleState::Stable(Quantity::from_base(1_500_000));
    bench.ok("@WEIGH");
    // a settled weight with no pack waiting is not taken
    let taken = bench.step(&Input::Weight(Quantity::from_base(1_000)));
    assert!(
        taken.starts_with("error: no pack waits for a weight"),
        "{taken}"
    );
    let done = bench.ok("@DONE");
    assert!(done[0].contains("1.5 kg of BULK in 1 pack"), "{done:?}");
}

#[test]
fn weights_that_cannot_be_packed_are_refused_and_nothing_is_recorded() {
    let mut bench = bulk();
    bench.ok("@PACK | ORD:5004 | MFG-0001");
    let zero = bench.refused("@QTY:0");
    assert!(
        zero.contains("@QTY:0") || zero.contains("must hold something"),
        "{zero}"
    );
    // a pound converts exactly (1 lb = 453.59237 g, to the nearest milligram), and is
    // shown in four figures
    assert!(bench.ok("@QTY:1lb")[0].contains("453.6 g"));
    match &bench.state.doc {
        Doc::Shipment(s) => assert_eq!(s.lines[0].unit_base, 453_592),
        other => panic!("{other:?}"),
    }
    bench.ok("@UNDO | MFG-0001");
    assert!(bench.refused("@QTY:-1kg").starts_with("error: @QTY:-1kg"));
    assert!(bench.refused("@QTY:2.5kg").contains("2 kg left"));
    assert!(bench.refused("@QTY:1l").starts_with("error: @QTY:1l"));
    // an unweighed pack holds the box back
    assert!(
        bench
            .refused("@DONE")
            .contains("weigh the pack of MFG-0001 first")
    );
    assert!(
        bench
            .refused("MFG-0001")
            .contains("weigh the pack of MFG-0001 first")
    );
    bench.ok("@UNDO | @CANCEL");
    // a weight on a product counted in units
    bench.ok("@MAKE | ITEM:SOAP | OLV-2611-001 | @QTY:1kg | @YIELD:12 | @DONE");
    bench.ok("@PACK | ORD:1001 | MFG-0002");
    assert!(bench.refused("@QTY:1.5kg").contains("@QTY:1.5kg"));
    assert!(bench.refused("@WEIGH").contains("counted in units"));
    // a mass on a product kept in litres
    bench.ok("@CANCEL | @CANCEL");
    bench.ok("@MAKE | ITEM:BATH-OIL | OLV-2611-001 | @QTY:1kg | @YIELD:1l | @DONE");
    bench.ok("@PACK | ORD:9999 | CUS:C001 | MFG-0003");
    bench.scale = ScaleState::Stable(Quantity::from_base(500_000));
    assert!(bench.refused("@WEIGH").contains("cannot be packed as it"));
    assert!(bench.refused("@QTY:500g").starts_with("error: @QTY:500g"));
    bench.ok("@QTY:0.5l | @DONE");
    assert!(
        shipped(&bench).contains(&("MFG-0003".to_string(), 500_000)),
        "half a litre in microlitres"
    );
}

#[test]
fn undo_takes_back_the_line_in_hand_before_a_recorded_lot() {
    let mut bench = Bench::new().stocked();
    bench.ok("@RECEIVE | SUP:BRAMBLE | INV-2 | ITEM:BOX | SL-B | @QTY:48");
    let undone = bench.ok("@UNDO");
    assert_eq!(undone[0], "ok: dropped BOX; nothing recorded");
    assert_eq!(bench.status("OLV-2611-001"), Status::Available);
    // a recorded lot has its label on the container: the first @UNDO says so, and any
    // other scan keeps the lot
    bench.ok("ITEM:BOX | SL-B | @QTY:48 | @DONE");
    let asked = bench.ok("@UNDO");
    assert!(asked[0].contains("take the label off"), "{asked:?}");
    assert_eq!(bench.status("BOX-2611-001"), Status::Available);
    bench.ok("ITEM:BOX | @CANCEL");
    assert!(bench.ok("@UNDO")[0].contains("take the label off"));
    let voided = bench.ok("@UNDO");
    assert!(voided[0].contains("lot BOX-2611-001 undone"), "{voided:?}");
    assert_eq!(bench.status("BOX-2611-001"), Status::Void);
}

#[test]
fn undo_drops_the_ingredient_waiting_for_its_weight_first() {
    let mut bench = Bench::new().stocked();
    bench.ok("@MAKE | ITEM:SOAP | OLV-2611-001 | @QTY:1kg | LAV-2611-001");
    let undone = bench.ok("@UNDO");
    assert_eq!(undone[0], "ok: dropped LAV-2611-001; nothing recorded");
    assert_eq!(bench.world.live_lines("MFG-0001").expect("memory"), [1]);
    let undone = bench.ok("@UNDO");
    assert!(undone[0].contains("1 kg of OLV-2611-001"), "{undone:?}");
}

#[test]
fn a_decimal_comma_is_read_as_a_point() {
    let mut bench = Bench::new();
    bench.ok("@RECEIVE | SUP:BRAMBLE | INV-1 | ITEM:OLIVE | SL-1 | @QTY:2,5kg | @DONE");
    assert_eq!(bench.balance("OLV-2611-001"), 2_500_000);
    assert!(bench.ok("ITEM:OLIVE | SL-2")[1].contains("SL-2"));
    // more than one comma is no number
    assert!(bench.refused("@QTY:1,000,5").contains("not a number"));
}

#[test]
fn a_hold_or_release_waiting_for_its_label_is_dropped_with_the_workflow() {
    let mut bench = Bench::new().stocked();
    bench.ok("@RELEASE");
    let switched = bench.ok("@PACK");
    assert_eq!(
        switched[0],
        "ok: bench is now packing; the @RELEASE that waited for a lot or batch was dropped"
    );
    bench.ok("ORD:1001");
}

#[test]
fn a_supplier_lot_received_twice_is_held_and_released_whole_at_the_bench() {
    let mut bench = Bench::new().stocked();
    bench.ok(
        "@RECEIVE | SUP:BRAMBLE | INV-7 | ITEM:LAV-EO | SL-445 | @QTY:100g | @DONE
         | ITEM:LAV-EO | SL-445 | @QTY:200g | @DONE | @DONE",
    );
    let held = bench.ok("@HOLD | SL-445 | NOTE:smells off");
    assert!(
        held[1].contains("LAV-2611-002, LAV-2611-003 selected"),
        "{held:?}"
    );
    assert!(
        held[2].contains("LAV-2611-002, LAV-2611-003 put on hold"),
        "{held:?}"
    );
    assert_eq!(bench.status("LAV-2611-002"), Status::Hold);
    assert_eq!(bench.status("LAV-2611-003"), Status::Hold);
    assert_eq!(bench.status("LAV-2611-001"), Status::Available);
    bench.ok("@RELEASE | NOTE:checked, fine | SL-445");
    assert_eq!(bench.status("LAV-2611-002"), Status::Available);
    assert_eq!(bench.status("LAV-2611-003"), Status::Available);
    // nothing of it on hold: nothing to release
    bench.ok("@RELEASE");
    assert!(
        bench
            .refused("SL-445")
            .contains("none of them can be released")
    );
}

#[test]
fn a_yield_far_from_the_plan_is_questioned() {
    let mut bench = Bench::new().stocked();
    bench.ok("@MAKE | ITEM:SOAP | @PLAN:24 | OLV-2611-001 | @QTY:1kg");
    let far = bench.warned("@YIELD:60");
    assert!(
        far.contains("warning: 60 each is far from the plan of 24 each (+150 %)"),
        "{far}"
    );
    // another scan leaves the warning: the yield stays unset
    let near = bench.ok("@YIELD:23");
    assert!(!near[0].contains("warning"), "{near:?}");
    // the same scan again records it, with what was confirmed
    bench.warned("@YIELD:60");
    let again = bench.ok("@YIELD:60");
    assert!(
        again[0].contains("yield of MFG-0001: 60 each (confirmed: 60 each is far"),
        "{again:?}"
    );
}

#[test]
fn a_batch_is_parked_to_receive_and_resumed_by_its_code_or_make() {
    let mut bench = Bench::new().stocked();
    bench.ok("@MAKE | ITEM:SOAP | OLV-2611-001 | @QTY:1kg");
    // the lye is not in: the batch is set aside, not undone
    let parked = bench.ok("@RECEIVE");
    assert!(
        parked[0].contains("batch MFG-0001 parked (MFG-0001 resumes it)"),
        "{parked:?}"
    );
    bench.ok("SUP:BRAMBLE | INV-2 | ITEM:LAV-EO | SL-2 | @QTY:250g | @DONE | @DONE");
    // its code resumes it with its line, in the making workflow
    let resumed = bench.ok("MFG-0001");
    assert!(
        resumed[0].contains("batch MFG-0001 resumed with 1 line"),
        "{resumed:?}"
    );
    assert_eq!(bench.state.mode, Some(Mode::Make));
    assert!(bench.state.parked.is_empty());
    bench.ok("LAV-2611-002 | @QTY:20g | @YIELD:12 | @DONE");
    assert_eq!(bench.balance("MFG-0001"), 12);
    // @MAKE resumes the one batch parked; with two parked it lists them
    bench.ok("@MAKE | ITEM:SOAP | @PACK");
    let back = bench.ok("@MAKE");
    assert!(back[0].contains("batch MFG-0002 resumed"), "{back:?}");
    // a second product while a batch is open: a probable mistake, or a second batch
    let second = bench.warned("ITEM:BULK");
    assert!(
        second.contains("batch MFG-0002 is open: item BULK starts another batch and parks it"),
        "{second}"
    );
    bench.ok("ITEM:BULK | @PACK");
    assert_eq!(bench.state.parked.len(), 2);
    let listed = bench.ok("@MAKE");
    assert!(
        listed[0].contains("parked: MFG-0002, MFG-0003: scan one to resume it"),
        "{listed:?}"
    );
    assert!(
        bench
            .state
            .prompt(None)
            .contains("parked: MFG-0002, MFG-0003"),
        "{}",
        bench.state.prompt(None)
    );
    // a shipment parked for a batch to finish, resumed by its order
    bench.ok("MFG-0003 | @PACK | ORD:1001 | MFG-0001 | @MAKE");
    let order = bench.ok("@PACK");
    assert!(
        order[0].contains("the shipment of order 1001 resumed"),
        "{order:?}"
    );
    let shipped = bench.ok("@DONE");
    assert!(shipped[0].contains("SHP-00001"), "{shipped:?}");
}

#[test]
fn warnings_wait_for_the_same_scan_or_ok_and_cancel_drops_them() {
    let mut bench = Bench::new().stocked();
    bench.world.boms = vec![BomLine {
        product_sku: "SOAP".into(),
        material_sku: "OLIVE".into(),
        quantity: 2_500_000,
        per: Some(12),
    }];
    assert_eq!(bench.refused("@OK"), "error: no warning is waiting for @OK");
    bench.ok("@MAKE | ITEM:SOAP");
    // an ingredient not in the recipe: a probable mistake
    let lavender = bench.warned("LAV-2611-001");
    assert!(
        lavender
            .contains("LAV-EO (Lavender essential oil) is not in the bill of materials of SOAP"),
        "{lavender}"
    );
    assert!(bench.state.prompt(None).contains("@OK"));
    // @CANCEL drops the warning, nothing else
    let dropped = bench.ok("@CANCEL");
    assert!(dropped[0].contains("not recorded: LAV-EO"), "{dropped:?}");
    assert!(matches!(&bench.state.doc, Doc::Batch(b) if b.pending.is_none()));
    bench.warned("LAV-2611-001");
    let taken = bench.ok("@OK");
    assert!(taken[0].contains("(confirmed: LAV-EO"), "{taken:?}");
    bench.ok("@QTY:5g | OLV-2611-001 | @QTY:2kg | @YIELD:12");
    // the recipe not followed: @DONE warns, @DONE again closes
    let recipe = bench.warned("@DONE");
    assert!(
        recipe.contains("the recipe of SOAP for 12 each is not followed"),
        "{recipe}"
    );
    let closed = bench.ok("@DONE");
    assert!(closed[0].contains("batch MFG-0001 closed"), "{closed:?}");
    // packing what the order does not ask for, and more than it asks for
    bench.ok("@MAKE | ITEM:BULK | OLV-2611-001 | @QTY:1kg | @YIELD:1kg | @DONE");
    bench.ok("@PACK | ORD:1001");
    let bulk = bench.warned("MFG-0002");
    assert!(bulk.contains("BULK is not on order 1001"), "{bulk}");
    bench.ok("MFG-0001 | MFG-0001");
    let third = bench.warned("MFG-0001");
    assert!(
        third.contains("order 1001 asks for 2 × SOAP: this box now has 3"),
        "{third}"
    );
    bench.ok("@DONE");
    assert_eq!(bench.balance("MFG-0001"), 10);
}

#[test]
fn a_quantity_ten_times_off_is_questioned_before_the_lot_is_made() {
    let mut bench = Bench::new().stocked();
    bench.ok("@RECEIVE | SUP:BRAMBLE | INV-3 | ITEM:LAV-EO | SL-3");
    let off = bench.warned("@QTY:6kg");
    assert!(
        off.contains("6000 g is more than ten times the largest recent delivery of LAV-EO (500 g)"),
        "{off}"
    );
    // a corrected number is simply taken
    bench.ok("@QTY:500g | @DONE");
    assert_eq!(bench.balance("LAV-2611-002"), 500_000);
}

#[test]
fn an_unpaid_order_is_packed_only_once_confirmed() {
    let mut bench = Bench::new().stocked();
    bench.world.orders.push(MemoryOrder {
        number: "1003".into(),
        customer_code: "C001".into(),
        lines: vec![("SOAP".into(), 1)],
        shop: "Shopify".into(),
        status: "unpaid".into(),
    });
    bench.world.orders.push(MemoryOrder {
        number: "1004".into(),
        customer_code: "C001".into(),
        lines: vec![("SOAP".into(), 1)],
        shop: "Shopify".into(),
        status: "refunded".into(),
    });
    bench.ok("@MAKE | ITEM:SOAP | OLV-2611-001 | @QTY:1kg | @YIELD:12 | @DONE | @PACK");
    let unpaid = bench.warned("ORD:1003");
    assert!(
        unpaid.contains("order 1003 is unpaid in Shopify: pack it only if the shop says so"),
        "{unpaid}"
    );
    let opened = bench.ok("ORD:1003");
    assert!(opened[0].contains("packing order 1003"), "{opened:?}");
    bench.ok("@CANCEL");
    assert!(
        bench
            .refused("ORD:1004")
            .contains("was refunded in Shopify")
    );
}
