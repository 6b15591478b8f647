//! Master-data and history CSV: any file is imported rows or an error naming file, line and
//! column; never a panic. The file is held in memory (the core reads through its host).
#![no_main]
use libfuzzer_sys::fuzz_target;
use lotstation_core::host::InMemory;
use lotstation_core::masterdata::{self, MasterKind};
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, bytes)) = data.split_first() else {
        return;
    };
    let kinds = [
        MasterKind::Items,
        MasterKind::Suppliers,
        MasterKind::Customers,
        MasterKind::Boms,
        MasterKind::Orders,
    ];
    let mut host = InMemory::default();
    if usize::from(selector) < kinds.len() {
        host.files.insert("file.csv".into(), bytes.to_vec());
        let _ = masterdata::parse(&host, kinds[usize::from(selector)], Path::new("file.csv"));
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
        host.files
            .insert(Path::new("history").join(name), bytes.to_vec());
        let _ = masterdata::parse_history(&host, Path::new("history"), &jiff::tz::TimeZone::UTC);
    }
});
