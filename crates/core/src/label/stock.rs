//! The label stocks makers buy, built in: their sizes, the room a printer leaves at their
//! edges, and (for Brother's DK rolls) the QL media they are. A flow template (`[[row]]`)
//! is laid out on whichever stock a printer has (`[[printer]] stock`, `label render
//! --stock`); `lotstation label stocks` lists them.

use super::raster::BrotherMedia;

/// One label stock. Sizes are in millimetres as the label is read (a DYMO address label or a
/// Brother 29 × 90 mm label is laid out landscape; a QL turns it a quarter to print it).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stock {
    /// the name a config and the command line use: `2x1in`, `62x29mm`, `30252`
    pub name: &'static str,
    /// what a shop buys: `Zebra, Rollo and thermal 2 × 1 in die-cut labels`
    pub what: &'static str,
    pub width_mm: f32,
    /// 0 for endless tape: the label is as long as its content
    pub height_mm: f32,
    /// room left blank at the left and right edges, and at the top and bottom
    pub margin_x_mm: f32,
    pub margin_y_mm: f32,
    /// the Brother QL media this stock is, if it is one
    pub ql: Option<BrotherMedia>,
}

impl Stock {
    pub fn is_endless(&self) -> bool {
        self.height_mm == 0.0
    }

    /// `50.8 × 25.4 mm`, `62 mm endless`
    pub fn size_text(&self) -> String {
        if self.is_endless() {
            format!("{} mm endless", trim(self.width_mm))
        } else {
            format!("{} × {} mm", trim(self.width_mm), trim(self.height_mm))
        }
    }
}

fn trim(mm: f32) -> String {
    let text = format!("{mm:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Every built-in stock, smallest first within each family.
pub const STOCKS: &[Stock] = &[
    Stock {
        name: "2x1in",
        what: "2 × 1 in die-cut (Zebra, Rollo, most thermal printers)",
        width_mm: 50.8,
        height_mm: 25.4,
        margin_x_mm: 1.5,
        margin_y_mm: 1.2,
        ql: None,
    },
    Stock {
        name: "2.25x1.25in",
        what: "2.25 × 1.25 in die-cut (Zebra, Rollo)",
        width_mm: 57.15,
        height_mm: 31.75,
        margin_x_mm: 1.5,
        margin_y_mm: 1.2,
        ql: None,
    },
    Stock {
        name: "3x2in",
        what: "3 × 2 in die-cut",
        width_mm: 76.2,
        height_mm: 50.8,
        margin_x_mm: 2.0,
        margin_y_mm: 1.5,
        ql: None,
    },
    Stock {
        name: "100x60mm",
        what: "100 × 60 mm die-cut (the default)",
        width_mm: 100.0,
        height_mm: 60.0,
        margin_x_mm: 3.0,
        margin_y_mm: 2.5,
        ql: None,
    },
    Stock {
        name: "4x6in",
        what: "4 × 6 in shipping labels",
        width_mm: 101.6,
        height_mm: 152.4,
        margin_x_mm: 3.0,
        margin_y_mm: 3.0,
        ql: None,
    },
    Stock {
        name: "62mm",
        what: "Brother DK-22205, 62 mm endless",
        width_mm: 62.0,
        height_mm: 0.0,
        margin_x_mm: 1.7,
        margin_y_mm: 1.5,
        ql: Some(BrotherMedia::Endless62),
    },
    Stock {
        name: "62x29mm",
        what: "Brother DK-11209, 62 × 29 mm die-cut",
        width_mm: 62.0,
        height_mm: 29.0,
        margin_x_mm: 1.7,
        margin_y_mm: 3.3,
        ql: Some(BrotherMedia::DieCut62x29),
    },
    Stock {
        name: "29x90mm",
        what: "Brother DK-11201, 29 × 90 mm die-cut (laid out landscape)",
        width_mm: 90.0,
        height_mm: 29.0,
        margin_x_mm: 3.3,
        margin_y_mm: 1.7,
        ql: Some(BrotherMedia::DieCut29x90),
    },
    Stock {
        name: "30252",
        what: "DYMO 30252 address, 28 × 89 mm (laid out landscape)",
        width_mm: 89.0,
        height_mm: 28.0,
        margin_x_mm: 2.0,
        margin_y_mm: 1.5,
        ql: None,
    },
    Stock {
        name: "30336",
        what: "DYMO 30336 multipurpose, 25 × 54 mm (laid out landscape)",
        width_mm: 54.0,
        height_mm: 25.0,
        margin_x_mm: 1.5,
        margin_y_mm: 1.2,
        ql: None,
    },
];

/// A stock by its name as a person may write it: `2x1in`, `2 x 1 in`, `62x29` (the QL's
/// media name), `62 mm`, `dymo-30252`; case and spaces do not matter.
pub fn find(name: &str) -> Option<&'static Stock> {
    let key: String = name
        .trim()
        .to_ascii_lowercase()
        .replace('×', "x")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let key = key.strip_prefix("dymo-").unwrap_or(&key);
    STOCKS.iter().find(|s| {
        s.name == key
            || s.name.strip_suffix("mm") == Some(key)
            || (s.name == "29x90mm" && key == "90x29mm")
            || (s.name == "30252" && key == "28x89mm")
            || (s.name == "30336" && key == "25x54mm")
    })
}

/// Why a name is not a stock, with the names there are.
pub fn unknown(name: &str) -> String {
    format!(
        "unknown label stock {name:?}: the built-in stocks are {} (`lotstation label stocks` lists their sizes)",
        STOCKS.iter().map(|s| s.name).collect::<Vec<_>>().join(", ")
    )
}

/// The stock that is a QL media roll.
pub fn of_media(media: BrotherMedia) -> &'static Stock {
    STOCKS
        .iter()
        .find(|s| s.ql == Some(media))
        .expect("every QL media is a stock")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stocks_are_found_by_the_names_people_write() {
        assert_eq!(find("2x1in").map(|s| s.name), Some("2x1in"));
        assert_eq!(find("2 X 1 in").map(|s| s.name), Some("2x1in"));
        assert_eq!(find("62x29").map(|s| s.name), Some("62x29mm"));
        assert_eq!(find("62").map(|s| s.name), Some("62mm"));
        assert_eq!(find("dymo-30252").map(|s| s.name), Some("30252"));
        assert_eq!(find("4×6in").map(|s| s.name), Some("4x6in"));
        assert!(find("5x5in").is_none());
        assert!(unknown("5x5in").contains("2x1in, 2.25x1.25in"));
        assert_eq!(of_media(BrotherMedia::DieCut29x90).name, "29x90mm");
        assert_eq!(
            find("62mm").map(Stock::size_text).as_deref(),
            Some("62 mm endless")
        );
        assert_eq!(
            find("2x1in").map(Stock::size_text).as_deref(),
            Some("50.8 × 25.4 mm")
        );
    }
}
