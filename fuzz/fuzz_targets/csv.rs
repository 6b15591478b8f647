//! Master-data and history CSV: any file is imported rows or an error naming file, line and
//! column; never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use lotstation_core::masterdata::{self, MasterKind};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, bytes)) = data.split_first() else {
        return;
    };
    let Ok(dir) = tempfile::tempdir() else {
        return;
    };
    let kinds = [
        MasterKind::Items,
        MasterKind::Suppliers,
        MasterKind::Customers,
        MasterKind::Boms,
        MasterKind::Orders,
    ];
    let path = dir.path().join("file.csv");
    if std::fs::write(&path, bytes).is_err() {
        return;
    }
    if usize::from(selector) < kinds.len() {
        let _ = masterdata::parse(kinds[usize::from(selector)], &path);
    } else {
        let names = [
            "receipts.csv",
            "batches.csv",
            "consumptions.csv",
            "shipments.csv",
            "wastes.csv",
            "holds.csv",
        ];
        let name = names[usize::from(selector) % names.len()];
        if std::fs::rename(&path, dir.path().join(name)).is_ok() {
            let _ = masterdata::parse_history(dir.path(), &jiff::tz::TimeZone::UTC);
        }
    }
});
