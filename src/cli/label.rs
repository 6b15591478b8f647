//! `lotstation label render lot|batch|shipment CODE` and `lotstation sheet`.

use crate::store::Location;
use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Subcommand, ValueEnum};

use crate::config::Station;
use crate::label::{self, LabelData, LabelKind, LoadedTemplate};
use crate::store::Store;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RenderKind {
    Lot,
    Batch,
    Shipment,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LabelFormat {
    Zpl,
    Pdf,
}

#[derive(Debug, Subcommand)]
pub enum LabelCommand {
    /// Render the label of a lot, batch or shipment (to a file, or standard output)
    Render {
        #[arg(value_enum)]
        kind: RenderKind,
        code: String,
        #[arg(long, value_enum, default_value_t = LabelFormat::Zpl)]
        format: LabelFormat,
        #[arg(short = 'o', long)]
        output: Option<PathBuf>,
        /// the printer's resolution in dots per inch
        #[arg(long, default_value_t = 203)]
        dpi: u32,
        #[arg(long, default_value_t = 1)]
        copies: u32,
    },
}

pub fn kind_of(kind: RenderKind) -> LabelKind {
    match kind {
        RenderKind::Lot => LabelKind::Lot,
        RenderKind::Batch => LabelKind::Batch,
        RenderKind::Shipment => LabelKind::Shipment,
    }
}

pub fn label(db: &Location, station: &Station, command: LabelCommand) -> anyhow::Result<i32> {
    let LabelCommand::Render {
        kind,
        code,
        format,
        output,
        dpi,
        copies,
    } = command;
    let store = Store::open_read_only(db)?;
    let kind = kind_of(kind);
    let template = station.templates.get(kind);
    let data = store.label_data(
        kind,
        &code,
        &station.config.labels.digital_link_base,
        &station.timezone,
    )?;
    let bytes = match format {
        LabelFormat::Zpl => label::render_zpl(template, &data, dpi, copies)?.into_bytes(),
        LabelFormat::Pdf => label::render_pdf(template, &data, dpi, copies)?,
    };
    write_output(output.as_deref(), &bytes)?;
    Ok(0)
}

fn write_output(output: Option<&Path>, bytes: &[u8]) -> anyhow::Result<()> {
    match output {
        Some(path) => std::fs::write(path, bytes)?,
        None => std::io::stdout().lock().write_all(bytes)?,
    }
    Ok(())
}

/// The commands a station understands, as (scan, title, what it does).
const COMMANDS: &[(&str, &str, &str)] = &[
    ("@RECEIVE", "RECEIVE", "book in a delivery"),
    ("@MAKE", "MAKE", "make a batch"),
    ("@PACK", "PACK", "pack an order"),
    ("@WASTE", "WASTE", "write off waste"),
    ("@DONE", "DONE", "finish the line or document"),
    ("@CANCEL", "CANCEL", "drop what is pending"),
    ("@UNDO", "UNDO", "reverse the last recorded line"),
    ("@WEIGH", "WEIGH", "take the scale's stable weight"),
    ("@TARE", "TARE", "tare the scale"),
    ("@REPRINT", "REPRINT", "print the last label again"),
    ("@HOLD", "HOLD", "hold the next lot or batch"),
    ("@RELEASE", "RELEASE", "release the next lot or batch"),
    ("@VOID", "VOID", "void the next lot, batch or shipment"),
    ("@ADJUST", "ADJUST", "correct the next lot or batch"),
    ("@QTY:0", "QTY 0", "none left (with @ADJUST)"),
    ("@QTY:1", "QTY 1", "quantity 1"),
    ("@QTY:2", "QTY 2", "quantity 2"),
    ("@QTY:3", "QTY 3", "quantity 3"),
    ("@QTY:6", "QTY 6", "quantity 6"),
    ("@QTY:12", "QTY 12", "quantity 12"),
    ("@PLAN:12", "PLAN 12", "make a batch of 12"),
    ("@PLAN:24", "PLAN 24", "make a batch of 24"),
];

pub fn sheet(db: &Location, station: &Station, output: Option<&Path>) -> anyhow::Result<i32> {
    let store = Store::open_existing(db)?;
    let template = station.templates.get(LabelKind::Card);
    let LoadedTemplate::Described(card) = template else {
        anyhow::bail!("the command sheet needs a .toml card template");
    };
    let card_data = |scan: &str, title: &str, subtitle: &str| {
        let mut data = LabelData::default();
        data.set("scan", scan)
            .set("title", title)
            .set("subtitle", subtitle);
        data
    };
    let mut cards: Vec<LabelData> = COMMANDS
        .iter()
        .map(|(scan, title, what)| card_data(scan, title, what))
        .collect();
    let (items, suppliers) = store.sheet_entries()?;
    for (sku, name, kind) in items {
        cards.push(card_data(
            &format!("ITEM:{sku}"),
            &sku,
            &format!("{name} ({kind})"),
        ));
    }
    for (code, name) in suppliers {
        cards.push(card_data(
            &format!("SUP:{code}"),
            &code,
            &format!("supplier {name}"),
        ));
    }
    let bytes = label::render_sheet(card, &cards, 300)?;
    let path = output
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("sheet.pdf"));
    std::fs::write(&path, bytes)?;
    println!("{} cards in {}", cards.len(), path.display());
    Ok(0)
}
