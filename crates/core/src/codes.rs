//! Value types with their preconditions built in: units and exact integer quantities,
//! GTINs with check digits, and the lot/batch code formats of SPEC §3.

use std::fmt;

/// What a quantity measures; each dimension has one integer base unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    /// base unit: milligram
    Mass,
    /// base unit: microlitre
    Volume,
    /// base unit: one piece
    Count,
}

impl Dimension {
    /// What a person calls an amount of it: `weight`, `volume`, `count`.
    pub fn noun(self) -> &'static str {
        match self {
            Dimension::Mass => "weight",
            Dimension::Volume => "volume",
            Dimension::Count => "count",
        }
    }
}

/// A unit a person may type or scan. Items use `g`, `kg`, `ml`, `l` or `each`;
/// `lb` and `oz` are accepted in `@QTY` and converted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unit {
    G,
    Kg,
    Lb,
    Oz,
    Ml,
    L,
    Each,
}

impl Unit {
    pub const ALL: [Unit; 7] = [
        Unit::G,
        Unit::Kg,
        Unit::Lb,
        Unit::Oz,
        Unit::Ml,
        Unit::L,
        Unit::Each,
    ];

    pub fn parse(text: &str) -> Option<Unit> {
        let unit = match text.trim().to_ascii_lowercase().as_str() {
            "g" => Unit::G,
            "kg" => Unit::Kg,
            "lb" | "lbs" => Unit::Lb,
            "oz" => Unit::Oz,
            "ml" => Unit::Ml,
            "l" => Unit::L,
            "each" | "ea" | "pc" | "pcs" => Unit::Each,
            _ => return None,
        };
        Some(unit)
    }

    /// The units an item may be kept in (SPEC §2).
    pub fn parse_item_unit(text: &str) -> Option<Unit> {
        Unit::parse(text).filter(|u| !matches!(u, Unit::Lb | Unit::Oz))
    }

    pub fn symbol(self) -> &'static str {
        match self {
            Unit::G => "g",
            Unit::Kg => "kg",
            Unit::Lb => "lb",
            Unit::Oz => "oz",
            Unit::Ml => "ml",
            Unit::L => "l",
            Unit::Each => "each",
        }
    }

    pub fn dimension(self) -> Dimension {
        match self {
            Unit::G | Unit::Kg | Unit::Lb | Unit::Oz => Dimension::Mass,
            Unit::Ml | Unit::L => Dimension::Volume,
            Unit::Each => Dimension::Count,
        }
    }

    /// Base units per one of this unit, as an exact fraction (numerator, denominator).
    /// 1 lb is exactly 453.59237 g by the international definition; 1 oz is 1/16 lb.
    fn base_per_unit(self) -> (i128, i128) {
        match self {
            Unit::G => (1_000, 1),
            Unit::Kg => (1_000_000, 1),
            Unit::Lb => (45_359_237, 100),
            Unit::Oz => (45_359_237, 1_600),
            Unit::Ml => (1_000, 1),
            Unit::L => (1_000_000, 1),
            Unit::Each => (1, 1),
        }
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.symbol())
    }
}

impl serde::Serialize for Unit {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.symbol())
    }
}

impl<'de> serde::Deserialize<'de> for Unit {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Unit::parse(&text).ok_or_else(|| serde::de::Error::custom(format!("unknown unit {text:?}")))
    }
}

/// A decimal number as typed: `mantissa * 10^-scale`. Never a float.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decimal {
    pub mantissa: i128,
    pub scale: u32,
}

impl Decimal {
    /// Parses `12`, `12.5`, `-0.25`, `.5`; at most 12 decimals and 18 digits in all.
    pub fn parse(text: &str) -> Option<Decimal> {
        let text = text.trim();
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text.strip_prefix('+').unwrap_or(text)),
        };
        let (whole, fraction) = match digits.split_once('.') {
            Some((w, f)) => (w, f),
            None => (digits, ""),
        };
        if whole.is_empty() && fraction.is_empty() {
            return None;
        }
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if !all_digits(whole) || !all_digits(fraction) {
            return None;
        }
        if fraction.len() > 12 || whole.len() + fraction.len() > 18 {
            return None;
        }
        let mut mantissa: i128 = 0;
        for b in whole.bytes().chain(fraction.bytes()) {
            mantissa = mantissa * 10 + i128::from(b - b'0');
        }
        if negative {
            mantissa = -mantissa;
        }
        Some(Decimal {
            mantissa,
            scale: fraction.len() as u32,
        })
    }
}

/// Why a typed quantity cannot become a quantity of an item.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuantityError {
    #[error("{0:?} is not a number")]
    NotANumber(String),
    #[error("{given} cannot be converted to {item_unit}: one is a {given_dimension:?} and the other a {item_dimension:?}", given_dimension = given.dimension(), item_dimension = item_unit.dimension())]
    WrongDimension { given: Unit, item_unit: Unit },
    #[error("a count must be a whole number")]
    FractionalCount,
    #[error("the quantity must be more than zero")]
    NotPositive,
    #[error("the quantity is too large")]
    TooLarge,
    #[error("{0:?} is not a unit (use g, kg, ml, l, each, lb or oz)")]
    UnknownUnit(String),
}

/// An exact amount in the base unit of its dimension (mg, µl or pieces).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct Quantity {
    pub base: i64,
}

impl Quantity {
    pub const ZERO: Quantity = Quantity { base: 0 };

    pub fn from_base(base: i64) -> Quantity {
        Quantity { base }
    }

    /// Converts `value` given in `unit` to base units of `item_unit`'s dimension, exactly;
    /// lb and oz values that fall between two milligrams round to the nearest milligram.
    pub fn convert(value: Decimal, unit: Unit, item_unit: Unit) -> Result<Quantity, QuantityError> {
        if unit.dimension() != item_unit.dimension() {
            return Err(QuantityError::WrongDimension {
                given: unit,
                item_unit,
            });
        }
        let (num, den) = unit.base_per_unit();
        let den = den * 10_i128.pow(value.scale);
        let scaled = value
            .mantissa
            .checked_mul(num)
            .ok_or(QuantityError::TooLarge)?;
        if unit.dimension() == Dimension::Count && scaled % den != 0 {
            return Err(QuantityError::FractionalCount);
        }
        // round half away from zero
        let rounded = if scaled >= 0 {
            (scaled * 2 + den) / (den * 2)
        } else {
            -((-scaled * 2 + den) / (den * 2))
        };
        let base = i64::try_from(rounded).map_err(|_| QuantityError::TooLarge)?;
        Ok(Quantity { base })
    }

    /// Parses `12.5`, `12.5kg`, `2 lb` for an item kept in `item_unit`; the unit
    /// defaults to the item's own. Zero and negative amounts are refused.
    pub fn parse_for(text: &str, item_unit: Unit) -> Result<Quantity, QuantityError> {
        Amount::parse(text)?.of(item_unit)
    }

    /// The amount in `unit` as a decimal string without trailing zeros (`1.25 kg`).
    pub fn display_in(self, unit: Unit) -> String {
        format!("{} {}", self.number_in(unit), unit.symbol())
    }

    /// The amount as a person reads it at the bench and on the screen: in the unit a
    /// person would use (a kilogram item's half kilo as 500 g, a gram item's 12 kilos as
    /// 12 kg; pounds and ounces stay) to at most four significant figures, the whole
    /// number never cut (22.68 kg, 1.833 kg, 779.2 g, 1235 g). Counts are exact. Records,
    /// JSON, CSV and labels keep the exact amount (`display_in`).
    pub fn for_people(self, unit: Unit) -> String {
        let unit = match unit {
            Unit::Kg if self.base.abs() < 1_000_000 && self.base != 0 => Unit::G,
            Unit::G if self.base.abs() >= 10_000_000 => Unit::Kg,
            Unit::L if self.base.abs() < 1_000_000 && self.base != 0 => Unit::Ml,
            Unit::Ml if self.base.abs() >= 10_000_000 => Unit::L,
            other => other,
        };
        if unit == Unit::Each {
            return self.display_in(unit);
        }
        format!(
            "{} {}",
            micro_text(four_figures(self.micro_units_in(unit))),
            unit.symbol()
        )
    }

    /// The amount in `unit` as a plain decimal number string (`1.25`).
    /// Millionths of `unit`, truncated toward zero (what `number_in` shows).
    pub fn micro_units_in(self, unit: Unit) -> i128 {
        let (num, den) = unit.base_per_unit();
        i128::from(self.base) * den * 1_000_000 / num
    }

    pub fn number_in(self, unit: Unit) -> String {
        // show up to 6 decimals of the unit, exactly when possible
        micro_text(self.micro_units_in(unit))
    }

    pub fn checked_add(self, other: Quantity) -> Option<Quantity> {
        self.base.checked_add(other.base).map(Quantity::from_base)
    }
}

/// An amount as a person writes it, before it is an item's: a number and, where given, its
/// unit (`1.5`, `1.5 kg`, `500g`, `3 lb`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Amount {
    pub value: Decimal,
    pub unit: Option<Unit>,
}

impl Amount {
    /// A number and an optional unit. A decimal comma is read as the point (`2,5kg` is
    /// 2.5 kg, as a European keyboard or card has it); a number has one or the other.
    pub fn parse(text: &str) -> Result<Amount, QuantityError> {
        let text = text.trim();
        let pointed;
        let text = if text.contains(',') && !text.contains('.') && text.matches(',').count() == 1 {
            pointed = text.replace(',', ".");
            pointed.as_str()
        } else {
            text
        };
        let split = text
            .find(|c: char| c.is_ascii_alphabetic())
            .unwrap_or(text.len());
        let (number, unit_text) = text.split_at(split);
        let value = Decimal::parse(number).ok_or_else(|| {
            // digits that do not fit are a quantity too large, not something that is no number
            let digits = number.trim();
            if !digits.is_empty()
                && digits.chars().all(|c| c.is_ascii_digit() || c == '.')
                && digits.chars().filter(|c| *c == '.').count() <= 1
                && digits.chars().any(|c| c.is_ascii_digit())
            {
                QuantityError::TooLarge
            } else {
                QuantityError::NotANumber(text.to_string())
            }
        })?;
        let unit = if unit_text.trim().is_empty() {
            None
        } else {
            Some(
                Unit::parse(unit_text)
                    .ok_or_else(|| QuantityError::UnknownUnit(unit_text.trim().to_string()))?,
            )
        };
        Ok(Amount { value, unit })
    }

    /// `count` of this amount, exactly (`3` bags of `500 g` is `1500 g`).
    pub fn times(self, count: Decimal) -> Result<Amount, QuantityError> {
        Ok(Amount {
            value: Decimal {
                mantissa: self
                    .value
                    .mantissa
                    .checked_mul(count.mantissa)
                    .ok_or(QuantityError::TooLarge)?,
                scale: self.value.scale + count.scale,
            },
            unit: self.unit,
        })
    }

    /// The amount for an item kept in `item_unit` (its unit when none was written);
    /// zero and negative amounts are refused.
    pub fn of(self, item_unit: Unit) -> Result<Quantity, QuantityError> {
        let quantity = Quantity::convert(self.value, self.unit.unwrap_or(item_unit), item_unit)?;
        if quantity.base <= 0 {
            return Err(QuantityError::NotPositive);
        }
        Ok(quantity)
    }
}

/// Millionths as a plain decimal number, without trailing zeros (`3880000` → `3.88`,
/// `-250000` → `-0.25`).
/// Millionths rounded (half away from zero) to four significant figures, keeping every
/// digit of the whole number.
fn four_figures(micro: i128) -> i128 {
    let digits = micro
        .unsigned_abs()
        .checked_ilog10()
        .map_or(0, |d| d as i32 + 1);
    // digits of the whole part (≤ 0 below one): keep 4 figures, at most 6 decimals
    let decimals = (4 - (digits - 6)).clamp(0, 6);
    let factor = 10i128.pow(6 - decimals as u32);
    let half = factor / 2 * micro.signum();
    (micro + half) / factor * factor
}

pub fn micro_text(micro: i128) -> String {
    let sign = if micro < 0 { "-" } else { "" };
    let value = micro.unsigned_abs();
    let whole = value / 1_000_000;
    let fraction = format!("{:06}", value % 1_000_000);
    let fraction = fraction.trim_end_matches('0');
    if fraction.is_empty() {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{fraction}")
    }
}

/// A GTIN-14 with a verified check digit. GTIN-8, -12 (UPC-A) and -13 (EAN-13) are
/// accepted and padded with leading zeros.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Gtin(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GtinError {
    #[error("a GTIN has 8, 12, 13 or 14 digits, not {0:?}")]
    BadLength(String),
    #[error("GTIN {digits} has check digit {given}, it should be {expected}")]
    BadCheckDigit {
        digits: String,
        given: u8,
        expected: u8,
    },
}

/// GS1 check digit over the data digits (all but the last): weights 3,1,3,1… from the right.
pub fn gs1_check_digit(data_digits: &[u8]) -> u8 {
    let sum: u32 = data_digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| u32::from(d - b'0') * if i % 2 == 0 { 3 } else { 1 })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

impl Gtin {
    pub fn parse(text: &str) -> Result<Gtin, GtinError> {
        let text = text.trim();
        if !matches!(text.len(), 8 | 12 | 13 | 14) || !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(GtinError::BadLength(text.to_string()));
        }
        let bytes = text.as_bytes();
        let (data, check) = bytes.split_at(bytes.len() - 1);
        let expected = gs1_check_digit(data);
        let given = check[0] - b'0';
        if expected != given {
            return Err(GtinError::BadCheckDigit {
                digits: text.to_string(),
                given,
                expected,
            });
        }
        Ok(Gtin(format!("{text:0>14}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Gtin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One piece of a code format such as `{prefix}-{yymm}-{seq:03}`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum FormatPart {
    Literal(String),
    Prefix,
    Yymm,
    Yyyy,
    Mm,
    Seq { width: usize },
}

/// A parsed lot, batch or shipment code format (SPEC §3 and §8 `[codes]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeFormat {
    parts: Vec<FormatPart>,
    source: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeFormatError {
    #[error(
        "code format {format:?}: unknown placeholder {{{name}}} (known: prefix, yymm, yyyy, mm, seq)"
    )]
    UnknownPlaceholder { format: String, name: String },
    #[error("code format {0:?} has an unclosed '{{'")]
    Unclosed(String),
    #[error("code format {0:?} needs exactly one {{seq}} placeholder so that codes are unique")]
    NeedsOneSeq(String),
}

/// The values a code is made of, apart from its sequence number.
#[derive(Debug, Clone, Copy)]
pub struct CodeContext<'a> {
    pub prefix: &'a str,
    pub date: jiff::civil::Date,
}

impl CodeFormat {
    pub fn parse(format: &str) -> Result<CodeFormat, CodeFormatError> {
        let mut parts = Vec::new();
        let mut rest = format;
        let mut seqs = 0;
        while let Some(open) = rest.find('{') {
            if open > 0 {
                parts.push(FormatPart::Literal(rest[..open].to_string()));
            }
            let close = rest[open..]
                .find('}')
                .ok_or_else(|| CodeFormatError::Unclosed(format.to_string()))?;
            let name = &rest[open + 1..open + close];
            let part = match name {
                "prefix" => FormatPart::Prefix,
                "yymm" => FormatPart::Yymm,
                "yyyy" => FormatPart::Yyyy,
                "mm" => FormatPart::Mm,
                "seq" => FormatPart::Seq { width: 0 },
                other => match other.strip_prefix("seq:").and_then(|w| w.parse().ok()) {
                    Some(width) if width <= 12 => FormatPart::Seq { width },
                    _ => {
                        return Err(CodeFormatError::UnknownPlaceholder {
                            format: format.to_string(),
                            name: other.to_string(),
                        });
                    }
                },
            };
            if matches!(part, FormatPart::Seq { .. }) {
                seqs += 1;
            }
            parts.push(part);
            rest = &rest[open + close + 1..];
        }
        if !rest.is_empty() {
            parts.push(FormatPart::Literal(rest.to_string()));
        }
        if seqs != 1 {
            return Err(CodeFormatError::NeedsOneSeq(format.to_string()));
        }
        Ok(CodeFormat {
            parts,
            source: format.to_string(),
        })
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    fn render_with(&self, ctx: CodeContext<'_>, seq: Option<u64>) -> String {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                FormatPart::Literal(text) => out.push_str(text),
                FormatPart::Prefix => out.push_str(ctx.prefix),
                FormatPart::Yymm => out.push_str(&format!(
                    "{:02}{:02}",
                    ctx.date.year().rem_euclid(100),
                    ctx.date.month()
                )),
                FormatPart::Yyyy => out.push_str(&format!("{:04}", ctx.date.year())),
                FormatPart::Mm => out.push_str(&format!("{:02}", ctx.date.month())),
                FormatPart::Seq { width } => match seq {
                    Some(n) => out.push_str(&format!("{n:0width$}")),
                    None => out.push_str("{seq}"),
                },
            }
        }
        out
    }

    /// The counter key: the code with `{seq}` left in. Sequence numbers count up per key.
    pub fn counter_key(&self, ctx: CodeContext<'_>) -> String {
        self.render_with(ctx, None)
    }

    pub fn render(&self, ctx: CodeContext<'_>, seq: u64) -> String {
        self.render_with(ctx, Some(seq))
    }
}

/// A character that changes how text shows without showing itself: a zero-width space or
/// joiner, a direction mark, override or isolate (a right-to-left override shows `1-TOL`
/// for `LOT-1`), a word joiner, a byte-order mark.
pub fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

/// A bidirectional override, embedding or isolate: what makes stored text show other than
/// it reads (names and addresses keep their marks and joiners, which right-to-left scripts
/// and emoji need).
pub fn is_direction_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Longest supplier lot number or invoice the station keeps: GS1's batch/lot (AI 10) is at
/// most 20 characters; a supplier's own numbering rarely half of this.
pub const MAX_LOT_CHARS: usize = 64;

/// Why `text` cannot be a lot number, invoice or the like that people read, print and scan
/// again, if it cannot: empty, longer than `max` characters, or holding a control
/// character (NUL among them, which PostgreSQL refuses to store) or an invisible
/// formatting one (a right-to-left override that shows `1-TOL` for `LOT-1`, a zero-width
/// space). `what` names it in the answer.
pub fn text_problem(what: &str, text: &str, max: usize) -> Option<String> {
    let length = text.chars().count();
    if text.trim().is_empty() {
        Some(format!("the {what} is empty"))
    } else if length > max {
        Some(format!(
            "the {what} is {length} characters long; at most {max} are kept"
        ))
    } else {
        text.chars()
            .find(|c| c.is_control() || is_invisible(*c))
            .map(|c| {
                format!(
                    "the {what} holds an invisible character (U+{:04X}): scan it from the label again",
                    c as u32
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_qty(text: &str, unit: Unit, expected: Result<i64, QuantityError>) {
        assert_eq!(
            Quantity::parse_for(text, unit).map(|q| q.base),
            expected,
            "{text} in {unit}"
        );
    }

    #[test]
    fn quantities_convert_exactly() {
        check_qty("1.5kg", Unit::G, Ok(1_500_000));
        check_qty("1.5 kg", Unit::G, Ok(1_500_000));
        check_qty("250", Unit::G, Ok(250_000));
        check_qty("0.001", Unit::G, Ok(1));
        check_qty("1lb", Unit::G, Ok(453_592));
        check_qty("1 LB", Unit::Kg, Ok(453_592));
        check_qty("16oz", Unit::G, Ok(453_592));
        check_qty("1oz", Unit::G, Ok(28_350));
        check_qty("2.5l", Unit::Ml, Ok(2_500_000));
        check_qty("12", Unit::Each, Ok(12));
        check_qty("1.5", Unit::Each, Err(QuantityError::FractionalCount));
        check_qty("0", Unit::G, Err(QuantityError::NotPositive));
        check_qty(
            "9223372036854775807mg",
            Unit::G,
            Err(QuantityError::TooLarge),
        );
        check_qty(
            "99999999999999999999999",
            Unit::G,
            Err(QuantityError::TooLarge),
        );
        check_qty(
            "5stone",
            Unit::G,
            Err(QuantityError::UnknownUnit("stone".into())),
        );
        check_qty(
            "1.2.3",
            Unit::G,
            Err(QuantityError::NotANumber("1.2.3".into())),
        );
        check_qty("-3", Unit::G, Err(QuantityError::NotPositive));
        check_qty(
            "3ml",
            Unit::G,
            Err(QuantityError::WrongDimension {
                given: Unit::Ml,
                item_unit: Unit::G,
            }),
        );
        check_qty("abc", Unit::G, Err(QuantityError::NotANumber("abc".into())));
        check_qty(
            "1.2.3",
            Unit::G,
            Err(QuantityError::NotANumber("1.2.3".into())),
        );
        check_qty(
            "5 parsecs",
            Unit::G,
            Err(QuantityError::UnknownUnit("parsecs".into())),
        );
    }

    #[test]
    fn amounts_for_people_have_four_figures_in_a_usual_unit() {
        let q = Quantity::from_base;
        // 50 lb kept in kg, a recipe's thirds, a gram target
        assert_eq!(q(22_679_619).for_people(Unit::Kg), "22.68 kg");
        assert_eq!(q(1_833_333).for_people(Unit::Kg), "1.833 kg");
        assert_eq!(q(779_166).for_people(Unit::G), "779.2 g");
        assert_eq!(q(1_234_500).for_people(Unit::G), "1235 g");
        assert_eq!(q(500_000).for_people(Unit::Kg), "500 g");
        assert_eq!(q(12_345_678).for_people(Unit::G), "12.35 kg");
        assert_eq!(q(123_456_789_000).for_people(Unit::Kg), "123457 kg");
        assert_eq!(q(1_234).for_people(Unit::G), "1.234 g");
        assert_eq!(q(-779_166).for_people(Unit::G), "-779.2 g");
        assert_eq!(q(0).for_people(Unit::Kg), "0 kg");
        assert_eq!(q(750_000).for_people(Unit::L), "750 ml");
        assert_eq!(q(12).for_people(Unit::Each), "12 each");
        // pounds stay pounds: 3.3333 lb
        let lb = Quantity::parse_for("3.33333", Unit::Lb).expect("lb");
        assert_eq!(lb.for_people(Unit::Lb), "3.333 lb");
    }

    #[test]
    fn quantities_display_in_item_units() {
        assert_eq!(
            Quantity::from_base(1_234_500).display_in(Unit::Kg),
            "1.2345 kg"
        );
        assert_eq!(Quantity::from_base(250_000).display_in(Unit::G), "250 g");
        assert_eq!(Quantity::from_base(12).display_in(Unit::Each), "12 each");
        assert_eq!(Quantity::from_base(-1_500).number_in(Unit::G), "-1.5");
    }

    #[test]
    fn gtins_are_checked_and_padded() {
        assert_eq!(
            Gtin::parse("09501101530003").unwrap().as_str(),
            "09501101530003"
        );
        assert_eq!(
            Gtin::parse("4006381333931").unwrap().as_str(),
            "04006381333931"
        );
        assert_eq!(
            Gtin::parse("09501101530004"),
            Err(GtinError::BadCheckDigit {
                digits: "09501101530004".into(),
                given: 4,
                expected: 3
            })
        );
        assert!(matches!(Gtin::parse("123"), Err(GtinError::BadLength(_))));
    }

    #[test]
    fn code_formats_render_and_key() {
        let date = jiff::civil::date(2026, 11, 21);
        let lot = CodeFormat::parse("{prefix}-{yymm}-{seq:03}").unwrap();
        let ctx = CodeContext {
            prefix: "LAV",
            date,
        };
        assert_eq!(lot.render(ctx, 1), "LAV-2611-001");
        assert_eq!(lot.render(ctx, 1234), "LAV-2611-1234");
        assert_eq!(lot.counter_key(ctx), "LAV-2611-{seq}");
        let batch = CodeFormat::parse("MFG-{seq:04}").unwrap();
        assert_eq!(batch.render(ctx, 57), "MFG-0057");
        assert!(matches!(
            CodeFormat::parse("{prefix}-{day}-{seq}"),
            Err(CodeFormatError::UnknownPlaceholder { .. })
        ));
        assert!(matches!(
            CodeFormat::parse("LOT-{yymm}"),
            Err(CodeFormatError::NeedsOneSeq(_))
        ));
        assert!(matches!(
            CodeFormat::parse("LOT-{seq"),
            Err(CodeFormatError::Unclosed(_))
        ));
    }
}
