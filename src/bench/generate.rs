//! A deterministic synthetic workshop: master data and five years of past records in the
//! CSV formats of SPEC §9 (the files a shop switching from spreadsheets would import).
//! Materials are received in lots and used partially across many batches; concentrates go
//! into blends, blends into products (sub-assemblies three levels deep); products ship on
//! many orders.

use std::io::{BufWriter, Write};
use std::path::Path;

/// How big a history to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Scale {
    /// seconds: for CI and a first look
    Tiny,
    /// a busy year
    Small,
    /// about five busy years: 5k lots, 20k batches, 200k orders, 1M shipment lines
    Large,
}

#[derive(Debug, Clone, Copy)]
pub struct Size {
    pub materials: usize,
    pub suppliers: usize,
    pub products: usize,
    pub blends: usize,
    pub concentrates: usize,
    pub customers: usize,
    pub lots: usize,
    pub batches: usize,
    pub orders: usize,
    /// average shipment lines per order
    pub lines_per_order: usize,
}

impl Scale {
    pub fn size(self) -> Size {
        match self {
            Scale::Tiny => Size {
                materials: 20,
                suppliers: 4,
                products: 8,
                blends: 3,
                concentrates: 2,
                customers: 300,
                lots: 80,
                batches: 240,
                orders: 1_000,
                lines_per_order: 3,
            },
            Scale::Small => Size {
                materials: 60,
                suppliers: 12,
                products: 40,
                blends: 8,
                concentrates: 3,
                customers: 4_000,
                lots: 1_000,
                batches: 4_000,
                orders: 40_000,
                lines_per_order: 5,
            },
            Scale::Large => Size {
                materials: 60,
                suppliers: 12,
                products: 40,
                blends: 8,
                concentrates: 3,
                customers: 20_000,
                lots: 5_000,
                batches: 20_000,
                orders: 200_000,
                lines_per_order: 5,
            },
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Scale::Tiny => "tiny",
            Scale::Small => "small",
            Scale::Large => "large",
        }
    }
}

/// SplitMix64: small, fast, and the same numbers on every machine.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    pub fn range(&mut self, low: usize, high: usize) -> usize {
        low + self.below(high - low + 1)
    }
}

/// What was generated, for the benchmark to pick its roots.
#[derive(Debug, Clone, Default)]
pub struct Generated {
    pub lots: usize,
    pub batches: usize,
    pub consumptions: usize,
    pub orders: usize,
    pub shipment_lines: usize,
    pub wastes: usize,
    pub holds: usize,
}

const DAYS: i64 = 5 * 365;

fn gtin(n: usize) -> String {
    let data = format!("0950110{:06}", 100_000 + n);
    let check = crate::core::codes::gs1_check_digit(data.as_bytes());
    format!("{data}{check}")
}

fn day_of(start: jiff::civil::Date, index: usize, count: usize) -> jiff::civil::Date {
    let offset = (index as i64 * DAYS) / count.max(1) as i64;
    start
        .checked_add(jiff::Span::new().days(offset))
        .unwrap_or(start)
}

/// Writes master data (`items.csv`, `suppliers.csv`, `customers.csv`) into `dir` and the
/// history (`receipts.csv`, `batches.csv`, `consumptions.csv`, `shipments.csv`) into
/// `dir/history`.
pub fn generate(dir: &Path, scale: Scale, seed: u64) -> std::io::Result<Generated> {
    let size = scale.size();
    let mut rng = Rng::new(seed);
    let history = dir.join("history");
    std::fs::create_dir_all(&history)?;
    let file = |name: &str| -> std::io::Result<BufWriter<std::fs::File>> {
        Ok(BufWriter::with_capacity(
            1 << 20,
            std::fs::File::create(name)?,
        ))
    };
    let path = |d: &Path, n: &str| d.join(n).display().to_string();
    let start = jiff::civil::date(2021, 11, 22);
    let mut generated = Generated::default();

    let mut items = file(&path(dir, "items.csv"))?;
    writeln!(items, "sku,name,kind,unit,lot_prefix,gtin,shelf_life_days")?;
    for m in 0..size.materials {
        let unit = if m % 3 == 0 { "kg" } else { "g" };
        writeln!(
            items,
            "M{m:03},Material {m},material,{unit},M{m:03},,{}",
            365 + m * 7
        )?;
    }
    for c in 0..size.concentrates {
        writeln!(items, "CONC{c:02},Concentrate {c},product,g,CON{c:02},,720")?;
    }
    for b in 0..size.blends {
        writeln!(
            items,
            "BLEND{b:02},Fragrance blend {b},product,g,BLD{b:02},,540"
        )?;
    }
    for p in 0..size.products {
        writeln!(items, "P{p:03},Soap bar {p},product,each,,{},540", gtin(p))?;
    }
    items.flush()?;

    let mut suppliers = file(&path(dir, "suppliers.csv"))?;
    writeln!(suppliers, "code,name,contact,email,phone")?;
    for s in 0..size.suppliers {
        writeln!(
            suppliers,
            "S{s:02},Supplier {s},Contact {s},orders{s}@supplier.example,+1 555 01{s:02}"
        )?;
    }
    suppliers.flush()?;

    let mut customers = file(&path(dir, "customers.csv"))?;
    writeln!(customers, "code,name,email,phone,address")?;
    for c in 0..size.customers {
        writeln!(
            customers,
            "C{c:06},Customer {c},customer{c}@mail.example,+1 555 {:04},\"{} Long Rd, Springfield\"",
            c % 10_000,
            c + 1
        )?;
    }
    customers.flush()?;

    // lots: spread over five years, each material from its own supplier
    let mut receipts = file(&path(&history, "receipts.csv"))?;
    writeln!(
        receipts,
        "lot_code,item_sku,supplier_code,supplier_lot,invoice,quantity,unit,received_at,expiry"
    )?;
    // per material: (lot index, received day) in time order
    let mut lots_of: Vec<Vec<(usize, jiff::civil::Date)>> = vec![Vec::new(); size.materials];
    // what each lot (in g) and each batch (in its unit) has left: nothing is used beyond it,
    // as the import refuses a history that does
    let mut lot_left: Vec<usize> = Vec::with_capacity(size.lots);
    let mut batch_left: Vec<usize> = vec![0; size.batches];
    for l in 0..size.lots {
        let material = rng.below(size.materials);
        let day = day_of(start, l, size.lots);
        let unit = if material.is_multiple_of(3) {
            "kg"
        } else {
            "g"
        };
        let quantity = if unit == "kg" {
            rng.range(20, 200)
        } else {
            rng.range(1_000, 25_000)
        };
        writeln!(
            receipts,
            "LOT{l:06},M{material:03},S{:02},SL-{}-{l},INV-{},{quantity},{unit},{day},{}",
            material % size.suppliers,
            rng.range(1000, 9999),
            l / 3,
            day.checked_add(jiff::Span::new().days(730)).unwrap_or(day)
        )?;
        lots_of[material].push((l, day));
        lot_left.push(if unit == "kg" {
            quantity * 1000
        } else {
            quantity
        });
    }
    receipts.flush()?;
    generated.lots = size.lots;

    let mut batches = file(&path(&history, "batches.csv"))?;
    writeln!(batches, "batch_code,product_sku,produced_at,yield,expiry")?;
    let mut consumptions = file(&path(&history, "consumptions.csv"))?;
    writeln!(consumptions, "batch_code,input_code,quantity,unit")?;
    // a lot that was received before `day`, of a material chosen at random
    let pick_lot = |rng: &mut Rng, day: jiff::civil::Date| -> Option<(usize, usize)> {
        for _ in 0..8 {
            let material = rng.below(size.materials);
            let known = &lots_of[material];
            let before = known.partition_point(|(_, d)| *d <= day);
            if before > 0 {
                // usually the newest drum, sometimes an older one still open
                let back = if rng.below(4) == 0 {
                    rng.below(before.min(3))
                } else {
                    0
                };
                return Some((known[before - 1 - back].0, material));
            }
        }
        None
    };
    let mut recent_concentrates: Vec<usize> = Vec::new();
    let mut recent_blends: Vec<usize> = Vec::new();
    // product batches in time order, for shipping: (batch index, day, units)
    let mut product_batches: Vec<(usize, jiff::civil::Date, usize)> = Vec::new();
    for b in 0..size.batches {
        let day = day_of(start, b, size.batches);
        let roll = rng.below(100);
        let (sku, yield_quantity, inputs) = if roll < 2 {
            (
                format!("CONC{:02}", rng.below(size.concentrates)),
                rng.range(500, 2000),
                rng.range(2, 3),
            )
        } else if roll < 10 {
            (
                format!("BLEND{:02}", rng.below(size.blends)),
                rng.range(1000, 5000),
                rng.range(2, 4),
            )
        } else {
            (
                format!("P{:03}", rng.below(size.products)),
                rng.range(50, 200),
                rng.range(3, 6),
            )
        };
        writeln!(batches, "B{b:06},{sku},{day},{yield_quantity},")?;
        batch_left[b] = yield_quantity;
        let consumed_before = generated.consumptions;
        for _ in 0..inputs {
            if let Some((lot, material)) = pick_lot(&mut rng, day) {
                let (quantity, unit, grams) = if material.is_multiple_of(3) {
                    let kg = rng.range(1, 5);
                    (kg, "kg", kg * 1000)
                } else {
                    let g = rng.range(20, 900);
                    (g, "g", g)
                };
                if lot_left[lot] >= grams {
                    lot_left[lot] -= grams;
                    writeln!(consumptions, "B{b:06},LOT{lot:06},{quantity},{unit}")?;
                    generated.consumptions += 1;
                }
            }
        }
        if sku.starts_with("BLEND") && !recent_concentrates.is_empty() && rng.below(2) == 0 {
            let c = recent_concentrates
                [recent_concentrates.len() - 1 - rng.below(recent_concentrates.len().min(3))];
            let grams = rng.range(50, 200);
            if batch_left[c] >= grams {
                batch_left[c] -= grams;
                writeln!(consumptions, "B{b:06},B{c:06},{grams},g")?;
                generated.consumptions += 1;
            }
        }
        if sku.starts_with('P') && !recent_blends.is_empty() && rng.below(10) < 7 {
            let blend =
                recent_blends[recent_blends.len() - 1 - rng.below(recent_blends.len().min(4))];
            let grams = rng.range(100, 400);
            if batch_left[blend] >= grams {
                batch_left[blend] -= grams;
                writeln!(consumptions, "B{b:06},B{blend:06},{grams},g")?;
                generated.consumptions += 1;
            }
        }
        // a batch made of nothing is refused by the import (a trace could not reach its
        // ingredients): when every pick came up empty, the fullest lot received by then
        if generated.consumptions == consumed_before {
            let received = lot_left
                .iter()
                .enumerate()
                .take_while(|(l, _)| day_of(start, *l, size.lots) <= day)
                .max_by_key(|(_, left)| **left)
                .map(|(l, left)| (l, *left));
            if let Some((lot, left)) = received.filter(|(_, left)| *left > 0) {
                let grams = left.min(rng.range(20, 200));
                lot_left[lot] -= grams;
                writeln!(consumptions, "B{b:06},LOT{lot:06},{grams},g")?;
                generated.consumptions += 1;
            }
        }
        match sku.as_bytes()[0] {
            b'C' => recent_concentrates.push(b),
            b'B' => recent_blends.push(b),
            _ => product_batches.push((b, day, yield_quantity)),
        }
    }
    batches.flush()?;
    consumptions.flush()?;
    generated.batches = size.batches;

    let mut shipments = file(&path(&history, "shipments.csv"))?;
    writeln!(
        shipments,
        "order_number,customer_code,shipped_at,batch_code,quantity"
    )?;
    for o in 0..size.orders {
        let day = day_of(start, o, size.orders);
        let made = product_batches.partition_point(|(_, d, _)| *d <= day);
        if made == 0 {
            continue;
        }
        let customer = rng.below(size.customers);
        let lines = rng.range(1, size.lines_per_order * 2);
        let second = o % 86_400;
        let time = format!(
            "{day}T{:02}:{:02}:{:02}Z",
            second / 3600 % 24,
            second / 60 % 60,
            second % 60
        );
        for _ in 0..lines {
            // one of the last 30 product batches made before the order
            let (batch, _, _) = product_batches[made - 1 - rng.below(made.min(30))];
            let units = rng.range(1, 3);
            if batch_left[batch] < units {
                continue;
            }
            batch_left[batch] -= units;
            writeln!(
                shipments,
                "O{o:07},C{customer:06},{time},B{batch:06},{units}"
            )?;
            generated.shipment_lines += 1;
        }
        generated.orders += 1;
    }
    shipments.flush()?;

    // a little waste, and the holds a busy shop goes through (some released again)
    let mut wastes = file(&path(&history, "wastes.csv"))?;
    writeln!(wastes, "code,quantity,unit,reason,wasted_at")?;
    let mut holds = file(&path(&history, "holds.csv"))?;
    writeln!(holds, "code,status,reason,at")?;
    for l in (0..size.lots).step_by(50) {
        let day = day_of(start, l, size.lots)
            .checked_add(jiff::Span::new().days(10))
            .unwrap_or(start);
        let grams = rng.range(10, 200);
        if lot_left[l] < grams {
            continue;
        }
        lot_left[l] -= grams;
        writeln!(wastes, "LOT{l:06},{grams},g,spilled while weighing,{day}")?;
        generated.wastes += 1;
    }
    for l in (7..size.lots).step_by(97) {
        let day = day_of(start, l, size.lots);
        writeln!(
            holds,
            "LOT{l:06},hold,awaiting certificate of analysis,{day}"
        )?;
        if l % 2 == 1 {
            let later = day.checked_add(jiff::Span::new().days(3)).unwrap_or(day);
            writeln!(holds, "LOT{l:06},available,certificate received,{later}")?;
        }
        generated.holds += 1;
    }
    for (batch, day, _) in product_batches.iter().step_by(997) {
        writeln!(
            holds,
            "B{batch:06},quarantine,label misprint under review,{day}"
        )?;
        generated.holds += 1;
    }
    wastes.flush()?;
    holds.flush()?;
    Ok(generated)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_history() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let ga = generate(a.path(), Scale::Tiny, 7).unwrap();
        generate(b.path(), Scale::Tiny, 7).unwrap();
        for name in [
            "items.csv",
            "history/consumptions.csv",
            "history/shipments.csv",
        ] {
            assert_eq!(
                std::fs::read(a.path().join(name)).unwrap(),
                std::fs::read(b.path().join(name)).unwrap()
            );
        }
        assert_eq!(ga.lots, 80);
        // every batch consumed something, whatever the seed (the import refuses one that
        // did not)
        for seed in 0..12 {
            let d = tempfile::tempdir().unwrap();
            generate(d.path(), Scale::Tiny, seed).unwrap();
            let read = |name: &str| std::fs::read_to_string(d.path().join(name)).unwrap();
            let consumed: std::collections::HashSet<String> = read("history/consumptions.csv")
                .lines()
                .skip(1)
                .filter_map(|l| l.split(',').next().map(str::to_string))
                .collect();
            for batch in read("history/batches.csv").lines().skip(1) {
                let code = batch.split(',').next().unwrap_or_default();
                assert!(
                    consumed.contains(code),
                    "seed {seed}: {code} consumed nothing"
                );
            }
        }
        assert!(ga.shipment_lines > 1_000);
        let c = tempfile::tempdir().unwrap();
        generate(c.path(), Scale::Tiny, 8).unwrap();
        assert_ne!(
            std::fs::read(a.path().join("history/shipments.csv")).unwrap(),
            std::fs::read(c.path().join("history/shipments.csv")).unwrap()
        );
    }
}
