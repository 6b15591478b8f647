//! The command sheet's cards (`lotstation sheet`): what a bench scans instead of typing. The
//! whole sheet holds every card; a bench's sheet (`--bench NAME`) holds only the cards of
//! the workflows it does, its products or materials, and the shop's reasons and yields.

use crate::workflow::Mode;

/// One card: what it scans, its big word, what it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Card {
    pub scan: String,
    pub title: String,
    pub what: String,
}

impl Card {
    fn new(scan: impl Into<String>, title: impl Into<String>, what: impl Into<String>) -> Card {
        Card {
            scan: scan.into(),
            title: title.into(),
            what: what.into(),
        }
    }
}

/// Which benches a command card is for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum For {
    /// every bench
    All,
    /// benches that do one of these workflows
    Some(&'static [Mode]),
}

use Mode::{Make, Pack, Receive, Waste};

const COMMANDS: &[(&str, &str, &str, For)] = &[
    (
        "@RECEIVE",
        "RECEIVE",
        "book in a delivery",
        For::Some(&[Receive]),
    ),
    ("@MAKE", "MAKE", "make a batch", For::Some(&[Make])),
    ("@PACK", "PACK", "pack an order", For::Some(&[Pack])),
    ("@WASTE", "WASTE", "write off waste", For::Some(&[Waste])),
    ("@DONE", "DONE", "finish the line or document", For::All),
    ("@OK", "OK", "go ahead with what the warning said", For::All),
    ("@CANCEL", "CANCEL", "drop what is pending", For::All),
    ("@UNDO", "UNDO", "take back the last thing", For::All),
    (
        "@WEIGH",
        "WEIGH",
        "take the scale's stable weight",
        For::Some(&[Receive, Make, Pack, Waste]),
    ),
    (
        "@TARE",
        "TARE",
        "tare the scale",
        For::Some(&[Receive, Make, Pack, Waste]),
    ),
    (
        "@REPRINT",
        "REPRINT",
        "print the last label again",
        For::All,
    ),
    ("@HOLD", "HOLD", "hold the next lot or batch", For::All),
    (
        "@RELEASE",
        "RELEASE",
        "release the next lot or batch",
        For::All,
    ),
    (
        "@VOID",
        "VOID",
        "void the next lot, batch or shipment",
        For::All,
    ),
    (
        "@ADJUST",
        "ADJUST",
        "correct the next lot or batch",
        For::All,
    ),
    ("@QTY:0", "QTY 0", "none left (with @ADJUST)", For::All),
    ("@QTY:1", "QTY 1", "quantity 1", For::All),
    ("@QTY:2", "QTY 2", "quantity 2", For::All),
    ("@QTY:3", "QTY 3", "quantity 3", For::All),
    ("@QTY:6", "QTY 6", "quantity 6", For::All),
    ("@QTY:12", "QTY 12", "quantity 12", For::All),
    (
        "@PLAN:12",
        "PLAN 12",
        "make a batch of 12",
        For::Some(&[Make]),
    ),
    (
        "@PLAN:24",
        "PLAN 24",
        "make a batch of 24",
        For::Some(&[Make]),
    ),
];

/// What the sheet is made from: the shop's items (SKU, name, `material`|`product`), its
/// suppliers (code, name), its reasons and a making bench's yields.
pub struct SheetInput<'a> {
    pub items: &'a [(String, String, String)],
    pub suppliers: &'a [(String, String)],
    pub reasons: &'a [String],
    pub yields: &'a [u32],
    /// the bench's workflows; `None` for the whole sheet
    pub workflows: Option<&'a [Mode]>,
}

/// The cards, in sheet order: commands, yields, reasons, items, suppliers.
pub fn cards(input: &SheetInput<'_>) -> Vec<Card> {
    let does = |mode: Mode| input.workflows.is_none_or(|w| w.contains(&mode));
    let mut cards: Vec<Card> = COMMANDS
        .iter()
        .filter(|(.., for_)| match for_ {
            For::All => true,
            For::Some(modes) => modes.iter().any(|m| does(*m)),
        })
        .map(|(scan, title, what, _)| Card::new(*scan, *title, *what))
        .collect();
    if does(Make) {
        for n in input.yields {
            cards.push(Card::new(
                format!("@YIELD:{n}"),
                format!("YIELD {n}"),
                format!("the batch made {n}"),
            ));
        }
    }
    for reason in input.reasons {
        cards.push(Card::new(
            format!("NOTE:{reason}"),
            reason.to_uppercase(),
            "the reason (NOTE:)",
        ));
    }
    for (sku, name, kind) in input.items {
        // materials are received, products are made and packed
        let wanted = match kind.as_str() {
            "material" => does(Receive) || does(Waste),
            _ => does(Make) || does(Pack) || does(Waste),
        };
        if wanted {
            cards.push(Card::new(
                format!("ITEM:{sku}"),
                sku.clone(),
                format!("{name} ({kind})"),
            ));
        }
    }
    if does(Receive) {
        for (code, name) in input.suppliers {
            cards.push(Card::new(
                format!("SUP:{code}"),
                code.clone(),
                format!("supplier {name}"),
            ));
        }
    }
    cards
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input<'a>(
        items: &'a [(String, String, String)],
        suppliers: &'a [(String, String)],
        reasons: &'a [String],
        workflows: Option<&'a [Mode]>,
    ) -> SheetInput<'a> {
        SheetInput {
            items,
            suppliers,
            reasons,
            yields: &[12, 24],
            workflows,
        }
    }

    #[test]
    fn a_bench_gets_the_cards_of_its_workflows() {
        let items = [
            ("LYE".to_string(), "Lye".to_string(), "material".to_string()),
            (
                "SOAP".to_string(),
                "Soap".to_string(),
                "product".to_string(),
            ),
        ];
        let suppliers = [("BRAMBLE".to_string(), "Bramble Oils".to_string())];
        let reasons = ["damaged".to_string(), "customer complaint".to_string()];
        let scans = |workflows: Option<&[Mode]>| -> Vec<String> {
            cards(&input(&items, &suppliers, &reasons, workflows))
                .into_iter()
                .map(|c| c.scan)
                .collect()
        };
        let all = scans(None);
        for scan in [
            "@RECEIVE",
            "@MAKE",
            "@PACK",
            "@OK",
            "@YIELD:12",
            "@YIELD:24",
            "NOTE:damaged",
            "NOTE:customer complaint",
            "ITEM:LYE",
            "ITEM:SOAP",
            "SUP:BRAMBLE",
        ] {
            assert!(all.iter().any(|s| s == scan), "{scan} in {all:?}");
        }
        let packing = scans(Some(&[Mode::Pack]));
        assert!(packing.contains(&"@PACK".to_string()), "{packing:?}");
        assert!(packing.contains(&"ITEM:SOAP".to_string()), "{packing:?}");
        assert!(packing.contains(&"NOTE:damaged".to_string()), "{packing:?}");
        for absent in [
            "@RECEIVE",
            "@MAKE",
            "@YIELD:12",
            "@PLAN:12",
            "ITEM:LYE",
            "SUP:BRAMBLE",
        ] {
            assert!(
                !packing.iter().any(|s| s == absent),
                "{absent} in {packing:?}"
            );
        }
        let receiving = scans(Some(&[Mode::Receive]));
        assert!(receiving.contains(&"SUP:BRAMBLE".to_string()));
        assert!(receiving.contains(&"ITEM:LYE".to_string()));
        assert!(!receiving.contains(&"ITEM:SOAP".to_string()));
        assert!(!receiving.contains(&"@YIELD:12".to_string()));
    }
}
