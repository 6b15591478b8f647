//! `lotstation import items|suppliers|customers|boms|orders FILE.csv`.

use crate::store::Location;
use std::path::{Path, PathBuf};

use clap::Subcommand;

use crate::masterdata::{self, MasterKind};
use crate::store::sha256_hex;

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// items.csv: sku,name,kind,unit,lot_prefix,gtin,shelf_life_days
    Items { file: PathBuf },
    /// suppliers.csv: code,name,contact,email,phone
    Suppliers { file: PathBuf },
    /// customers.csv: code,name,email,phone,address
    Customers { file: PathBuf },
    /// boms.csv: product_sku,material_sku,quantity,unit
    Boms { file: PathBuf },
    /// orders.csv: order_number,customer_code,ordered_at,sku,quantity
    Orders { file: PathBuf },
    /// past records: DIR/receipts.csv, batches.csv, consumptions.csv, shipments.csv
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
        ImportCommand::Items { file } => (MasterKind::Items, file),
        ImportCommand::Suppliers { file } => (MasterKind::Suppliers, file),
        ImportCommand::Customers { file } => (MasterKind::Customers, file),
        ImportCommand::Boms { file } => (MasterKind::Boms, file),
        ImportCommand::Orders { file } => (MasterKind::Orders, file),
    };
    let mut store = super::open_store(db, station)?;
    let summary = import_file(&mut store, kind, &file)?;
    println!(
        "imported {}: {} {} ({} new, {} updated)",
        file.display(),
        summary.rows,
        summary.kind,
        summary.inserted,
        summary.updated
    );
    Ok(0)
}

/// Parses and imports one file; shared with the demo.
pub fn import_file(
    store: &mut crate::store::Store,
    kind: MasterKind,
    file: &Path,
) -> anyhow::Result<crate::store::ImportSummary> {
    let data = masterdata::parse(kind, file)?;
    let bytes = std::fs::read(file)?;
    let name = file.display().to_string();
    Ok(store.import_master(&name, &sha256_hex(&bytes), &data, crate::clock::now())?)
}

fn import_history(
    db: &Location,
    station: &crate::config::Station,
    dir: &Path,
    without_consumptions: bool,
) -> anyhow::Result<i32> {
    let history = masterdata::parse_history(dir, &station.timezone)?;
    let mut store = super::open_store(db, station)?;
    let summary = store.import_history(
        &history,
        &station.shipment_format,
        &station.timezone,
        crate::clock::now(),
        without_consumptions,
    )?;
    println!(
        "imported history from {}: {} lots, {} batches, {} consumptions, {} shipments ({} lines), {} wastes, {} status changes",
        dir.display(),
        summary.lots,
        summary.batches,
        summary.consumptions,
        summary.shipments,
        summary.shipment_lines,
        summary.wastes,
        summary.statuses
    );
    Ok(0)
}
