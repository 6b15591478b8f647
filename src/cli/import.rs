//! `lotstation import items|suppliers|customers|boms|orders FILE.csv`, a shop's order
//! export, a supplier's EPCIS document, past records.

use crate::store::Location;
use std::path::{Path, PathBuf};

use clap::Subcommand;

use crate::masterdata::{self, MasterKind};
use crate::store::sha256_hex;

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// items.csv: sku,name,kind,unit, then
    /// lot_prefix,gtin,shelf_life_days,net_content,pao_months,reorder_point (the things you
    /// buy and make)
    Items { file: PathBuf },
    /// suppliers.csv: code,name, then contact,email,phone,address (who you buy from)
    Suppliers { file: PathBuf },
    /// customers.csv: code,name, then email,phone,address (who you sell to)
    Customers { file: PathBuf },
    /// boms.csv: product_sku,material_sku,quantity,unit, then per (a product's recipe, and
    /// how much product it makes)
    Boms { file: PathBuf },
    /// orders.csv (order_number,customer_code,ordered_at,sku,quantity), or a shop's own
    /// order export with --from shopify|etsy|woocommerce|squarespace (Etsy: its orders file
    /// and its order-items file together)
    Orders {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// where the files come from
        #[arg(long, value_enum, default_value = "ours")]
        from: crate::shops::Shop,
        /// a CSV of shop_sku,sku: the shop's SKU (or product name) and ours, beside the
        /// config's [sku_map]
        #[arg(long)]
        sku_map: Option<PathBuf>,
        /// orders the shop says are fulfilled already are packable here too (without it
        /// they are recorded as shipped elsewhere, and the packing bench refuses them)
        #[arg(long)]
        include_fulfilled: bool,
    },
    /// a supplier's EPCIS 2.0 document: the lots in its shipping events are awaited at the
    /// receiving bench (scanning the lot number fills in the item, quantity and expiry)
    Epcis {
        file: PathBuf,
        /// the supplier who sent it (its code in suppliers.csv)
        #[arg(long)]
        supplier: String,
    },
    /// past records, for a shop moving off spreadsheets: whichever of DIR/receipts.csv,
    /// batches.csv, consumptions.csv, shipments.csv, wastes.csv and holds.csv are there,
    /// all or nothing
    History {
        dir: PathBuf,
        /// the old records never noted what went into each batch: import batches without
        /// consumptions (their traces then stop at the batch)
        #[arg(long)]
        without_consumptions: bool,
    },
}

pub fn import(
    db: &Location,
    station: &crate::config::Station,
    command: ImportCommand,
) -> anyhow::Result<i32> {
    let (kind, file) = match command {
        ImportCommand::History {
            dir,
            without_consumptions,
        } => return import_history(db, station, &dir, without_consumptions),
        ImportCommand::Epcis { file, supplier } => {
            let text = read_epcis(&file)?;
            let shipped = crate::epcis::shipped_lots(&text)
                .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            let name = file.display().to_string();
            let passed = shipped
                .passed_over
                .iter()
                .map(|why| format!("\n  {why}"))
                .collect::<String>();
            if shipped.lots.is_empty() {
                // nothing usable: nothing journaled, and why for each event
                anyhow::bail!(
                    "{name}: no lot to await at receiving in {}, so nothing was imported:{passed}",
                    crate::core::counted(shipped.events, "event")
                );
            }
            let mut store = super::open_store(db, station)?;
            let n = store.import_epcis(
                &supplier,
                &name,
                &sha256_hex(text.as_bytes()),
                &shipped.lots,
                crate::clock::now(),
            )?;
            say!(
                "imported {name}: {} shipped by {supplier} {} awaited at receiving (scan each lot's number after SUP:{supplier} and the invoice){}",
                crate::core::counted(n, "lot"),
                if n == 1 { "is" } else { "are" },
                if passed.is_empty() {
                    String::new()
                } else {
                    format!("; events that gave no lot:{passed}")
                }
            );
            return Ok(0);
        }
        ImportCommand::Items { file } => (MasterKind::Items, file),
        ImportCommand::Suppliers { file } => (MasterKind::Suppliers, file),
        ImportCommand::Customers { file } => (MasterKind::Customers, file),
        ImportCommand::Boms { file } => (MasterKind::Boms, file),
        ImportCommand::Orders {
            files,
            from,
            sku_map,
            include_fulfilled,
        } => {
            if from != crate::shops::Shop::Ours {
                return import_shop(
                    db,
                    station,
                    from,
                    &files,
                    sku_map.as_deref(),
                    include_fulfilled,
                );
            }
            let [file] = <[PathBuf; 1]>::try_from(files).map_err(|files| {
                anyhow::anyhow!(
                    "our own orders come in one orders.csv; got {} files (a shop's export needs --from)",
                    files.len()
                )
            })?;
            (MasterKind::Orders, file)
        }
    };
    let mut store = super::open_store(db, station)?;
    let summary = import_file(&mut store, kind, &file, crate::clock::now())?;
    if summary.journaled {
        say!("imported {}: {}", file.display(), summary.text());
    } else {
        say!("{}: {}", file.display(), summary.text());
    }
    Ok(0)
}

/// Parses and imports one file; shared with the demo.
pub fn import_file(
    store: &mut crate::store::Store,
    kind: MasterKind,
    file: &Path,
    at: jiff::Timestamp,
) -> anyhow::Result<crate::store::ImportSummary> {
    let data = masterdata::parse(&crate::clock::Disk, kind, file)?;
    let bytes = read_bounded(file, crate::clock::MAX_READ)?;
    let name = file.display().to_string();
    Ok(store.import_master(&name, &sha256_hex(&bytes), &data, at)?)
}

/// A shop's order export: orders, their lines and customers; lines whose SKU is none of
/// ours are listed (nothing else is imported from them), cancelled and refunded orders named.
fn import_shop(
    db: &Location,
    station: &crate::config::Station,
    shop: crate::shops::Shop,
    files: &[PathBuf],
    sku_map: Option<&Path>,
    include_fulfilled: bool,
) -> anyhow::Result<i32> {
    let mut skus = crate::store::SkuMap::default();
    for (theirs, ours) in &station.config.sku_map {
        skus.insert(theirs, ours);
    }
    if let Some(path) = sku_map {
        // an optional third column: what one unit of the shop's line is of our item
        // (`500 g` for a bag of a product kept in grams, `6` for a six-pack of bars)
        let rows = masterdata::read_csv(
            &crate::clock::Disk,
            path,
            &["shop_sku", "sku", "quantity"],
            &["shop_sku", "sku"],
            |row| {
                let per = match row.optional("quantity") {
                    Some(_) => Some(row.amount("quantity")?),
                    None => None,
                };
                Ok((row.required("shop_sku")?, row.required("sku")?, per))
            },
        )?;
        for (theirs, ours, per) in rows {
            match per {
                Some(per) => skus.insert_pack(&theirs, &ours, per),
                None => skus.insert(&theirs, &ours),
            }
        }
    }
    let paths: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    let mut orders = crate::shops::read(&crate::clock::Disk, shop, &paths, &station.timezone)?;
    if include_fulfilled {
        crate::shops::packable_here(&mut orders);
    }
    let mut bytes = Vec::new();
    for file in files {
        bytes.extend(read_bounded(file, crate::clock::MAX_READ)?);
    }
    let names = files
        .iter()
        .map(|f| f.display().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let mut store = super::open_store(db, station)?;
    let summary = store.import_shop_orders(
        shop,
        &names,
        &sha256_hex(&bytes),
        &orders,
        &skus,
        crate::clock::now(),
    )?;
    say!("{}", shop_summary_text(shop, &names, &summary));
    Ok(0)
}

/// What a shop import did, in words: counts, then each line left out and each order not
/// to ship.
pub(crate) fn shop_summary_text(
    shop: crate::shops::Shop,
    files: &str,
    summary: &crate::store::ShopImportSummary,
) -> String {
    let mut text = if summary.journaled {
        format!(
            "imported {} orders from {files}: {} ({} new, {} updated, {} unchanged), customers {} new, {} updated",
            shop.title(),
            crate::core::counted(summary.orders, "order"),
            summary.orders_new,
            summary.orders_updated,
            summary.orders - summary.orders_new - summary.orders_updated,
            summary.customers_new,
            summary.customers_updated
        )
    } else {
        format!(
            "{} orders from {files}: {}, nothing changed since the last import (nothing recorded)",
            shop.title(),
            crate::core::counted(summary.orders, "order")
        )
    };
    if !summary.skipped.is_empty() {
        let n = summary.skipped.len();
        let (lines, are, were) = if n == 1 {
            ("line", "is", "was")
        } else {
            ("lines", "are", "were")
        };
        text.push_str(&format!(
            "\n{n} {lines} {are} none of our items and {were} left out (map them in the config's [sku_map] or --sku-map FILE with shop_sku,sku; then import again):"
        ));
        for s in &summary.skipped {
            let sku = if s.sku.is_empty() {
                "no SKU".to_string()
            } else {
                format!("SKU {:?}", s.sku)
            };
            text.push_str(&format!(
                "\n  {} line {}: order {}: {sku} ({})",
                s.file, s.line, s.order, s.name
            ));
        }
    }
    if !summary.without_ours.is_empty() {
        let n = summary.without_ours.len();
        let (has, was) = if n == 1 {
            ("1 order has", "was")
        } else {
            ("", "were")
        };
        let many = format!("{n} orders have");
        text.push_str(&format!(
            "\n{} no line of ours and {was} not imported: {}",
            if n == 1 { has } else { &many },
            summary.without_ours.join(", ")
        ));
    }
    for (number, status) in &summary.not_to_ship {
        if *status == crate::shops::OrderStatus::ShippedElsewhere.name() {
            text.push_str(&format!(
                "\norder {number} is fulfilled in {}: recorded as shipped elsewhere, and the packing bench will refuse it (--include-fulfilled packs it here)",
                shop.title()
            ));
        } else {
            text.push_str(&format!(
                "\norder {number} is {status} in {}: the packing bench will refuse it",
                shop.title()
            ));
        }
    }
    text
}

fn import_history(
    db: &Location,
    station: &crate::config::Station,
    dir: &Path,
    without_consumptions: bool,
) -> anyhow::Result<i32> {
    let history = masterdata::parse_history(&crate::clock::Disk, dir, &station.timezone)?;
    let mut store = super::open_store(db, station)?;
    let summary = store.import_history(
        &history,
        &station.shipment_format,
        &station.timezone,
        crate::clock::now(),
        without_consumptions,
    )?;
    use crate::core::{counted, counted_as};
    say!(
        "imported history from {}: {}, {}, {}, {} ({}), {}, {}",
        dir.display(),
        counted(summary.lots, "lot"),
        counted_as(summary.batches, "batch", "batches"),
        counted(summary.consumptions, "consumption"),
        counted(summary.shipments, "shipment"),
        counted(summary.shipment_lines, "line"),
        counted(summary.wastes, "write-off"),
        counted(summary.statuses, "status change")
    );
    Ok(0)
}

/// Largest EPCIS document `import epcis` reads: a supplier's shipping notice is a few
/// kilobytes; anything near this is not one (`/dev/zero` would otherwise fill the memory).
const MAX_EPCIS_BYTES: u64 = 32 * 1024 * 1024;

/// A file's bytes, refused when larger than `limit` (read no further than that).
fn read_bounded(file: &std::path::Path, limit: u64) -> anyhow::Result<Vec<u8>> {
    use std::io::Read;
    let cannot = |e: std::io::Error| anyhow::anyhow!("{}: cannot read: {e}", file.display());
    let mut bytes = Vec::new();
    std::fs::File::open(file)
        .map_err(cannot)?
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() as u64 > limit {
        anyhow::bail!(
            "{}: larger than {} MiB: is it the right file?",
            file.display(),
            limit >> 20
        );
    }
    Ok(bytes)
}

/// An EPCIS document's text: at most `MAX_EPCIS_BYTES`, UTF-8.
fn read_epcis(file: &std::path::Path) -> anyhow::Result<String> {
    String::from_utf8(read_bounded(file, MAX_EPCIS_BYTES)?).map_err(|e| {
        anyhow::anyhow!(
            "{}: not UTF-8 text (byte {} is not): an EPCIS document is JSON",
            file.display(),
            e.utf8_error().valid_up_to()
        )
    })
}
