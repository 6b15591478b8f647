//! Net contents as a product's package states them (`items.csv`'s `net_content`): `110 g`,
//! `4 oz`, `250 ml`, `8 fl oz`, `12 ct`. US packaging rules (the Fair Packaging and Labeling
//! Act, and the FDA's rules for cosmetics and food under it) want the net quantity in metric
//! and in US customary units, so the batch label says the amount as the shop stated it and
//! the other system's equivalent, rounded down to three significant figures: never more than
//! is in the package.

use std::fmt;

use super::codes::{Decimal, micro_text};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetUnit {
    G,
    Kg,
    Oz,
    Lb,
    Ml,
    L,
    FlOz,
    Count,
}

impl NetUnit {
    fn parse(text: &str) -> Option<NetUnit> {
        let text = text.trim().to_ascii_lowercase().replace('.', "");
        let words: Vec<&str> = text.split_whitespace().collect();
        let unit = match words.join(" ").as_str() {
            "g" | "gram" | "grams" => NetUnit::G,
            "kg" | "kilogram" | "kilograms" => NetUnit::Kg,
            "oz" | "ounce" | "ounces" | "oz wt" => NetUnit::Oz,
            "lb" | "lbs" | "pound" | "pounds" => NetUnit::Lb,
            "ml" | "millilitre" | "milliliter" | "millilitres" | "milliliters" => NetUnit::Ml,
            "l" | "litre" | "liter" | "litres" | "liters" => NetUnit::L,
            "fl oz" | "floz" | "fluid ounce" | "fluid ounces" => NetUnit::FlOz,
            "ct" | "count" | "each" | "pcs" | "pieces" => NetUnit::Count,
            _ => return None,
        };
        Some(unit)
    }

    pub fn symbol(self) -> &'static str {
        match self {
            NetUnit::G => "g",
            NetUnit::Kg => "kg",
            NetUnit::Oz => "oz",
            NetUnit::Lb => "lb",
            NetUnit::Ml => "ml",
            NetUnit::L => "l",
            NetUnit::FlOz => "fl oz",
            NetUnit::Count => "ct",
        }
    }

    /// Micrograms (mass) or nanolitres (volume) in one of this unit, as an exact fraction;
    /// 1 lb is 453.59237 g, 1 oz 1/16 lb, 1 US fl oz 29.5735295625 ml.
    fn base(self) -> (i128, i128) {
        match self {
            NetUnit::G | NetUnit::Ml => (1_000_000, 1),
            NetUnit::Kg | NetUnit::L => (1_000_000_000, 1),
            NetUnit::Lb => (453_592_370, 1),
            NetUnit::Oz => (453_592_370, 16),
            NetUnit::FlOz => (295_735_295_625, 10_000),
            NetUnit::Count => (1, 1),
        }
    }

    /// The unit of the other system a stated amount is shown in as well (none for a count).
    fn other(self, base: i128) -> Option<NetUnit> {
        // a kilogram in micrograms, a litre in nanolitres
        let (thousand, _) = NetUnit::Kg.base();
        match self {
            NetUnit::G | NetUnit::Kg => Some(NetUnit::Oz),
            NetUnit::Oz | NetUnit::Lb if base >= thousand => Some(NetUnit::Kg),
            NetUnit::Oz | NetUnit::Lb => Some(NetUnit::G),
            NetUnit::Ml | NetUnit::L => Some(NetUnit::FlOz),
            NetUnit::FlOz if base >= thousand => Some(NetUnit::L),
            NetUnit::FlOz => Some(NetUnit::Ml),
            NetUnit::Count => None,
        }
    }
}

/// A package's net contents: an amount and its unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NetContent {
    amount: Decimal,
    unit: NetUnit,
}

/// Why a `net_content` cell is not one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{0:?} is not a net content: write an amount and a unit, like 110 g, 4 oz, 250 ml, 8 fl oz or 12 ct"
)]
pub struct NetContentError(pub String);

impl NetContent {
    /// `110 g`, `110g`, `4 oz`, `1.5 lb`, `8 fl. oz.`, `12 ct`; more than zero, at most a
    /// million, at most six decimals, and a count whole.
    pub fn parse(text: &str) -> Result<NetContent, NetContentError> {
        let error = || NetContentError(text.to_string());
        let trimmed = text.trim();
        let split = trimmed
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(error)?;
        let (number, unit) = trimmed.split_at(split);
        let amount = Decimal::parse(number).ok_or_else(error)?;
        let unit = NetUnit::parse(unit).ok_or_else(error)?;
        let too_big = amount.mantissa > 1_000_000 * 10i128.pow(amount.scale);
        if amount.mantissa <= 0 || amount.scale > 6 || too_big {
            return Err(error());
        }
        if unit == NetUnit::Count
            && amount.scale > 0
            && amount.mantissa % 10i128.pow(amount.scale) != 0
        {
            return Err(error());
        }
        Ok(NetContent { amount, unit })
    }

    /// The amount in millionths of its unit (exact: at most six decimals).
    fn micro(&self) -> i128 {
        self.amount.mantissa * 1_000_000 / 10i128.pow(self.amount.scale)
    }

    /// What the batch label prints: `Net wt 110 g (3.88 oz)`, `Net 8 fl oz (236 ml)`,
    /// `Net count 12`.
    pub fn label_text(&self) -> String {
        let stated = self.to_string();
        let (num, den) = self.unit.base();
        let scale = 10i128.pow(self.amount.scale);
        // the amount in micrograms or nanolitres, as a fraction
        let (base_num, base_den) = (self.amount.mantissa * num, den * scale);
        let other = self.unit.other(base_num / base_den).map(|unit| {
            let (tnum, tden) = unit.base();
            // millionths of the other unit, rounded down, then to three significant figures
            let micro = base_num * tden * 1_000_000 / (base_den * tnum);
            let digits = micro.checked_ilog10().unwrap_or(0) + 1;
            let step = 10i128.pow(digits.saturating_sub(3));
            format!("{} {}", micro_text(micro / step * step), unit.symbol())
        });
        match (self.unit, other) {
            (NetUnit::Count, _) | (_, None) => format!("Net count {}", micro_text(self.micro())),
            (NetUnit::G | NetUnit::Kg | NetUnit::Oz | NetUnit::Lb, Some(other)) => {
                format!("Net wt {stated} ({other})")
            }
            (_, Some(other)) => format!("Net {stated} ({other})"),
        }
    }
}

/// The stored form: `110 g`, `8 fl oz`.
impl fmt::Display for NetContent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", micro_text(self.micro()), self.unit.symbol())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(text: &str) -> String {
        NetContent::parse(text).unwrap().label_text()
    }

    #[test]
    fn both_systems_rounded_down() {
        assert_eq!(label("110 g"), "Net wt 110 g (3.88 oz)");
        assert_eq!(label("110g"), "Net wt 110 g (3.88 oz)");
        assert_eq!(label("4 oz"), "Net wt 4 oz (113 g)");
        assert_eq!(label("2.5 lb"), "Net wt 2.5 lb (1.13 kg)");
        assert_eq!(label("1 kg"), "Net wt 1 kg (35.2 oz)");
        assert_eq!(label("250 ml"), "Net 250 ml (8.45 fl oz)");
        assert_eq!(label("8 fl. oz."), "Net 8 fl oz (236 ml)");
        assert_eq!(label("40 fl oz"), "Net 40 fl oz (1.18 l)");
        assert_eq!(label("1.5 L"), "Net 1.5 l (50.7 fl oz)");
        assert_eq!(label("12 ct"), "Net count 12");
        assert_eq!(label("0.5 oz"), "Net wt 0.5 oz (14.1 g)");
        // exact conversions keep their digits, rounded down to three
        assert_eq!(label("16 oz"), "Net wt 16 oz (453 g)");
        assert_eq!(
            NetContent::parse(" 8 Fluid Ounces ").unwrap().to_string(),
            "8 fl oz"
        );
        assert_eq!(
            NetContent::parse("110.50 g").unwrap().to_string(),
            "110.5 g"
        );
    }

    #[test]
    fn what_is_not_a_net_content() {
        for bad in [
            "",
            "g",
            "110",
            "about 100 g",
            "0 g",
            "-5 g",
            "1.5 ct",
            "110 gallons",
            "2000000 g",
            "1.0000001 g",
            "110,5 g",
        ] {
            let e = NetContent::parse(bad).unwrap_err();
            assert!(e.to_string().contains("like 110 g, 4 oz"), "{bad}: {e}");
        }
    }
}
