//! GS1 application identifiers: parse and build element strings (FNC1 as ASCII 29),
//! the bracketed human-readable form, GTIN check digits, YYMMDD dates and 310n weights.

use crate::codes::{Gtin, GtinError, Quantity, gs1_check_digit};

/// ASCII 29, the group separator: how a scanner sends FNC1 between fields.
pub const GS: char = '\u{1d}';

/// How an AI's data is shaped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Content {
    /// digits only
    Numeric,
    /// GS1 character set 82 (parsing is lenient: any printable character but GS)
    Alphanumeric,
}

/// What else an AI's value must satisfy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Check {
    None,
    /// a GTIN-14 check digit over the whole value
    Gtin,
    /// a GS1 check digit over the whole value (SSCC, GLN)
    Mod10,
    /// YYMMDD, DD may be 00 (end of month)
    Date,
}

#[derive(Debug, Clone, Copy)]
struct AiSpec {
    /// the AI digits; a trailing 'n' stands for the decimal-position digit
    ai: &'static str,
    content: Content,
    /// data length bounds
    min: usize,
    max: usize,
    check: Check,
    title: &'static str,
}

const fn fixed(ai: &'static str, len: usize, check: Check, title: &'static str) -> AiSpec {
    AiSpec {
        ai,
        content: Content::Numeric,
        min: len,
        max: len,
        check,
        title,
    }
}

const fn num(ai: &'static str, max: usize, title: &'static str) -> AiSpec {
    AiSpec {
        ai,
        content: Content::Numeric,
        min: 1,
        max,
        check: Check::None,
        title,
    }
}

const fn text(ai: &'static str, max: usize, title: &'static str) -> AiSpec {
    AiSpec {
        ai,
        content: Content::Alphanumeric,
        min: 1,
        max,
        check: Check::None,
        title,
    }
}

/// The AIs a maker's station meets (GS1 General Specifications / Syntax Dictionary).
const AIS: &[AiSpec] = &[
    fixed("00", 18, Check::Mod10, "SSCC"),
    fixed("01", 14, Check::Gtin, "GTIN"),
    fixed("02", 14, Check::Gtin, "CONTENT"),
    text("10", 20, "BATCH/LOT"),
    fixed("11", 6, Check::Date, "PROD DATE"),
    fixed("12", 6, Check::Date, "DUE DATE"),
    fixed("13", 6, Check::Date, "PACK DATE"),
    fixed("15", 6, Check::Date, "BEST BEFORE"),
    fixed("16", 6, Check::Date, "SELL BY"),
    fixed("17", 6, Check::Date, "USE BY"),
    fixed("20", 2, Check::None, "VARIANT"),
    text("21", 20, "SERIAL"),
    text("22", 20, "CPV"),
    text("235", 28, "TPX"),
    text("240", 30, "ADDITIONAL ID"),
    text("241", 30, "CUST. PART No."),
    num("242", 6, "MTO VARIANT"),
    text("243", 20, "PCN"),
    text("250", 30, "SECONDARY SERIAL"),
    text("251", 30, "REF. TO SOURCE"),
    text("253", 30, "GDTI"),
    text("254", 20, "GLN EXTENSION COMPONENT"),
    num("255", 25, "GCN"),
    num("30", 8, "VAR. COUNT"),
    fixed("310n", 6, Check::None, "NET WEIGHT (kg)"),
    fixed("311n", 6, Check::None, "LENGTH (m)"),
    fixed("312n", 6, Check::None, "WIDTH (m)"),
    fixed("313n", 6, Check::None, "HEIGHT (m)"),
    fixed("314n", 6, Check::None, "AREA (m2)"),
    fixed("315n", 6, Check::None, "NET VOLUME (l)"),
    fixed("316n", 6, Check::None, "NET VOLUME (m3)"),
    fixed("320n", 6, Check::None, "NET WEIGHT (lb)"),
    fixed("330n", 6, Check::None, "GROSS WEIGHT (kg)"),
    fixed("340n", 6, Check::None, "GROSS WEIGHT (lb)"),
    num("37", 8, "COUNT"),
    num("390n", 15, "AMOUNT"),
    num("392n", 15, "PRICE"),
    text("400", 30, "ORDER NUMBER"),
    text("401", 30, "GINC"),
    fixed("402", 17, Check::Mod10, "GSIN"),
    text("403", 30, "ROUTE"),
    fixed("410", 13, Check::Mod10, "SHIP TO LOC"),
    fixed("411", 13, Check::Mod10, "BILL TO"),
    fixed("412", 13, Check::Mod10, "PURCHASE FROM"),
    fixed("413", 13, Check::Mod10, "SHIP FOR LOC"),
    fixed("414", 13, Check::Mod10, "LOC No."),
    fixed("415", 13, Check::Mod10, "PAY TO"),
    fixed("416", 13, Check::Mod10, "PROD/SERV LOC"),
    text("420", 20, "SHIP TO POST"),
    fixed("422", 3, Check::None, "ORIGIN"),
    fixed("7003", 10, Check::None, "EXPIRY TIME"),
    text("7020", 20, "REFURB LOT"),
    text("7021", 20, "FUNC STAT"),
    text("7022", 20, "REV STAT"),
    fixed("8005", 6, Check::None, "PRICE PER UNIT"),
    fixed("8006", 18, Check::None, "ITIP"),
    fixed("8017", 18, Check::Mod10, "GSRN - PROVIDER"),
    fixed("8018", 18, Check::Mod10, "GSRN - RECIPIENT"),
    text("8020", 25, "REF No."),
    text("90", 30, "INTERNAL"),
    text("91", 90, "INTERNAL"),
    text("92", 90, "INTERNAL"),
    text("93", 90, "INTERNAL"),
    text("94", 90, "INTERNAL"),
    text("95", 90, "INTERNAL"),
    text("96", 90, "INTERNAL"),
    text("97", 90, "INTERNAL"),
    text("98", 90, "INTERNAL"),
    text("99", 90, "INTERNAL"),
];

/// AIs whose total length is predefined by their first two digits, so no FNC1 follows
/// them (GS1 General Specifications, figure 5.10.1-2).
fn predefined_length(ai: &str) -> Option<usize> {
    let total = match ai.get(..2)? {
        "00" => 20,
        "01" | "02" => 16,
        "03" => 16,
        "04" => 18,
        "11" | "12" | "13" | "14" | "15" | "16" | "17" | "18" | "19" => 8,
        "20" => 4,
        "31" | "32" | "33" | "34" | "35" | "36" => 10,
        "41" => 16,
        _ => return None,
    };
    Some(total)
}

fn lookup(candidate: &str) -> Option<AiSpec> {
    AIS.iter().copied().find(|spec| {
        spec.ai.len() == candidate.len()
            && spec.ai.bytes().zip(candidate.bytes()).all(|(pattern, c)| {
                if pattern == b'n' {
                    c.is_ascii_digit() && c <= b'9'
                } else {
                    pattern == c
                }
            })
    })
}

/// One AI and its data, e.g. `10` + `LAV-2611-001`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Element {
    pub ai: String,
    pub value: String,
}

impl Element {
    pub fn new(ai: &str, value: &str) -> Element {
        Element {
            ai: ai.to_string(),
            value: value.to_string(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Gs1Error {
    #[error("empty GS1 data")]
    Empty,
    #[error("unknown GS1 application identifier at {0:?}")]
    UnknownAi(String),
    #[error("AI ({ai}) needs {expected} characters, the scan has {found}")]
    TooShort {
        ai: String,
        expected: usize,
        found: usize,
    },
    #[error("AI ({ai}) allows at most {max} characters; is a separator (FNC1/GS) missing?")]
    TooLong { ai: String, max: usize },
    #[error("AI ({ai}) must be digits, got {value:?}")]
    NotNumeric { ai: String, value: String },
    #[error("AI ({ai}) holds a character GS1 does not allow: {value:?}")]
    BadCharacter { ai: String, value: String },
    #[error("AI ({ai}): {source}")]
    Gtin { ai: String, source: GtinError },
    #[error("AI ({ai}) {value} has a wrong check digit")]
    CheckDigit { ai: String, value: String },
    #[error("AI ({ai}) {value:?} is not a date (YYMMDD)")]
    BadDate { ai: String, value: String },
    #[error("AI ({ai}) appears twice")]
    Duplicate { ai: String },
    #[error("bad bracketed GS1 text near {0:?}")]
    BadHri(String),
    #[error("a GS1 Digital Link with a broken path near {0:?}")]
    BadDigitalLink(String),
}

/// A parsed GS1 element string.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Message {
    pub elements: Vec<Element>,
}

/// GS1 character set 82: the characters allowed in alphanumeric AIs.
pub fn is_cset82(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!\"%&'()*+,-./:;<=>?_".contains(c)
}

fn validate(spec: &AiSpec, ai: &str, value: &str, strict_charset: bool) -> Result<(), Gs1Error> {
    let len = value.chars().count();
    if len < spec.min {
        return Err(Gs1Error::TooShort {
            ai: ai.to_string(),
            expected: spec.min,
            found: len,
        });
    }
    if len > spec.max {
        return Err(Gs1Error::TooLong {
            ai: ai.to_string(),
            max: spec.max,
        });
    }
    match spec.content {
        Content::Numeric if !value.bytes().all(|b| b.is_ascii_digit()) => {
            return Err(Gs1Error::NotNumeric {
                ai: ai.to_string(),
                value: value.to_string(),
            });
        }
        Content::Alphanumeric => {
            let allowed = |c: char| {
                if strict_charset {
                    is_cset82(c)
                } else {
                    !c.is_control()
                }
            };
            if !value.chars().all(allowed) {
                return Err(Gs1Error::BadCharacter {
                    ai: ai.to_string(),
                    value: value.to_string(),
                });
            }
        }
        Content::Numeric => {}
    }
    match spec.check {
        Check::None => {}
        Check::Gtin => {
            Gtin::parse(value).map_err(|source| Gs1Error::Gtin {
                ai: ai.to_string(),
                source,
            })?;
        }
        Check::Mod10 => {
            let bytes = value.as_bytes();
            let (data, check) = bytes.split_at(bytes.len() - 1);
            if gs1_check_digit(data) != check[0] - b'0' {
                return Err(Gs1Error::CheckDigit {
                    ai: ai.to_string(),
                    value: value.to_string(),
                });
            }
        }
        Check::Date => {
            let month: u8 = value[2..4].parse().unwrap_or(0);
            let day: u8 = value[4..6].parse().unwrap_or(99);
            let valid = (1..=12).contains(&month)
                && (day == 0
                    || day
                        <= days_in_month(
                            2000 + i16::from(value[..2].parse::<u8>().unwrap_or(0)),
                            month,
                        ));
            if !valid {
                return Err(Gs1Error::BadDate {
                    ai: ai.to_string(),
                    value: value.to_string(),
                });
            }
        }
    }
    Ok(())
}

fn days_in_month(year: i16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ => {
            let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
            if leap { 29 } else { 28 }
        }
    }
}

/// Finds the AI at the start of `rest`: the shortest table entry that matches.
fn find_ai(rest: &str) -> Option<(String, AiSpec)> {
    (2..=4)
        .filter_map(|len| rest.get(..len))
        .find_map(|candidate| lookup(candidate).map(|spec| (candidate.to_string(), spec)))
}

/// `%2F` and the like read back (UTF-8); `None` for a broken escape.
pub(crate) fn percent_decoded(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

impl Message {
    /// Parses a raw element string: AIs and data, FNC1 separators as GS (a leading GS is
    /// allowed). Variable-length fields end at GS or at the end of the data.
    pub fn parse(data: &str) -> Result<Message, Gs1Error> {
        let mut rest = data.strip_prefix(GS).unwrap_or(data);
        if rest.is_empty() {
            return Err(Gs1Error::Empty);
        }
        let mut elements = Vec::new();
        while !rest.is_empty() {
            let Some((ai, spec)) = find_ai(rest) else {
                return Err(Gs1Error::UnknownAi(rest.chars().take(8).collect()));
            };
            rest = &rest[ai.len()..];
            let value: &str = if spec.min == spec.max && spec.content == Content::Numeric {
                // fixed length: take exactly that many characters
                let end = rest
                    .char_indices()
                    .nth(spec.max)
                    .map(|(i, _)| i)
                    .unwrap_or(rest.len());
                let value = &rest[..end];
                if value.contains(GS) || value.chars().count() < spec.max {
                    let found = value.split(GS).next().unwrap_or("").chars().count();
                    return Err(Gs1Error::TooShort {
                        ai,
                        expected: spec.max,
                        found,
                    });
                }
                value
            } else {
                let end = rest.find(GS).unwrap_or(rest.len());
                &rest[..end]
            };
            validate(&spec, &ai, value, false)?;
            rest = &rest[value.len()..];
            rest = rest.strip_prefix(GS).unwrap_or(rest);
            elements.push(Element::new(&ai, value));
        }
        let message = Message { elements };
        message.check_duplicates()?;
        Ok(message)
    }

    /// A GS1 Digital Link URI (`https://id.gs1.org/01/09501101530003/10/ABC?17=271231`, on
    /// any host, as the QR code of a batch label holds): the GTIN and its qualifiers from the
    /// path, the numeric query keys (`17`, `3103`, …) as further elements, read as the
    /// element string they stand for. `None` when `text` is not one (an http(s) address
    /// with no `/01/` and a GTIN after it); an error when it is one that does not read.
    pub fn parse_digital_link(text: &str) -> Option<Result<Message, Gs1Error>> {
        let rest = text
            .strip_prefix("https://")
            .or_else(|| text.strip_prefix("http://"))?;
        let rest = rest.split('#').next().unwrap_or(rest);
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        let segments: Vec<&str> = path.split('/').collect();
        // the host comes first; GS1's own resolver may put a prefix path before the key
        let at = segments.iter().skip(1).position(|s| *s == "01")? + 1;
        let gtin = segments.get(at + 1)?;
        if !(8..=14).contains(&gtin.len()) || !gtin.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let broken = || Gs1Error::BadDigitalLink(path.chars().take(40).collect());
        let mut elements: Vec<(String, String)> = Vec::new();
        let tail: Vec<&str> = segments[at..]
            .iter()
            .copied()
            .filter(|s| !s.is_empty())
            .collect();
        for pair in tail.chunks(2) {
            let [ai, value] = pair else {
                return Some(Err(broken()));
            };
            let Some(value) = percent_decoded(value) else {
                return Some(Err(broken()));
            };
            elements.push((ai.to_string(), value));
        }
        // a GTIN-8, -12 or -13 in the path stands for its GTIN-14
        elements[0].1 = format!("{:0>14}", elements[0].1);
        for pair in query.split('&') {
            if let Some((key, value)) = pair.split_once('=')
                && (2..=4).contains(&key.len())
                && key.bytes().all(|b| b.is_ascii_digit())
            {
                let Some(value) = percent_decoded(value) else {
                    return Some(Err(broken()));
                };
                elements.push((key.to_string(), value));
            }
        }
        let mut data = String::new();
        for (ai, value) in &elements {
            if value.contains(GS) {
                return Some(Err(broken()));
            }
            data.push_str(ai);
            data.push_str(value);
            data.push(GS);
        }
        data.pop();
        Some(Message::parse(&data))
    }

    /// Parses the bracketed human-readable form `(01)09501101530003(10)ABC`.
    pub fn parse_hri(text: &str) -> Result<Message, Gs1Error> {
        let text = text.trim();
        if !text.starts_with('(') {
            return Err(Gs1Error::BadHri(text.chars().take(12).collect()));
        }
        let mut elements = Vec::new();
        let mut rest = text;
        while !rest.is_empty() {
            let inner = rest
                .strip_prefix('(')
                .ok_or_else(|| Gs1Error::BadHri(rest.chars().take(12).collect()))?;
            let close = inner
                .find(')')
                .ok_or_else(|| Gs1Error::BadHri(rest.chars().take(12).collect()))?;
            let ai = &inner[..close];
            let spec = lookup(ai).ok_or_else(|| Gs1Error::UnknownAi(ai.to_string()))?;
            let after = &inner[close + 1..];
            // the value runs to the next "(AI)" that names a known AI
            let mut end = after.len();
            for (i, _) in after.match_indices('(') {
                let tail = &after[i + 1..];
                if let Some(c) = tail.find(')')
                    && lookup(&tail[..c]).is_some()
                    && (2..=4).contains(&c)
                {
                    end = i;
                    break;
                }
            }
            let value = &after[..end];
            validate(&spec, ai, value, false)?;
            elements.push(Element::new(ai, value));
            rest = &after[end..];
        }
        let message = Message { elements };
        message.check_duplicates()?;
        Ok(message)
    }

    fn check_duplicates(&self) -> Result<(), Gs1Error> {
        for (i, e) in self.elements.iter().enumerate() {
            if self.elements[..i].iter().any(|o| o.ai == e.ai) {
                return Err(Gs1Error::Duplicate { ai: e.ai.clone() });
            }
        }
        Ok(())
    }

    /// Builds the element string as a scanner transmits it (no AIM prefix): GS after every
    /// field that is not of predefined length, except the last. Values must be valid and
    /// use GS1 character set 82.
    pub fn to_element_string(&self) -> Result<String, Gs1Error> {
        if self.elements.is_empty() {
            return Err(Gs1Error::Empty);
        }
        self.check_duplicates()?;
        let mut out = String::new();
        for (i, e) in self.elements.iter().enumerate() {
            let spec = lookup(&e.ai).ok_or_else(|| Gs1Error::UnknownAi(e.ai.clone()))?;
            validate(&spec, &e.ai, &e.value, true)?;
            out.push_str(&e.ai);
            out.push_str(&e.value);
            let last = i + 1 == self.elements.len();
            if !last && predefined_length(&e.ai) != Some(e.ai.len() + e.value.len()) {
                out.push(GS);
            }
        }
        Ok(out)
    }

    /// The bracketed human-readable form.
    pub fn to_hri(&self) -> String {
        self.elements
            .iter()
            .map(|e| format!("({}){}", e.ai, e.value))
            .collect()
    }

    pub fn get(&self, ai: &str) -> Option<&str> {
        self.elements
            .iter()
            .find(|e| e.ai == ai)
            .map(|e| e.value.as_str())
    }

    pub fn gtin(&self) -> Option<Gtin> {
        self.get("01").and_then(|v| Gtin::parse(v).ok())
    }

    pub fn lot(&self) -> Option<&str> {
        self.get("10")
    }

    /// The expiry (17) as a date, resolving the century around `today`.
    pub fn expiry(&self, today: jiff::civil::Date) -> Option<jiff::civil::Date> {
        self.get("17").and_then(|v| yymmdd_to_date(v, today))
    }

    /// Net weight from (310n) kg or (320n) lb, or net volume from (315n) litres,
    /// as an exact quantity in base units (mg or µl).
    pub fn net_quantity(&self) -> Option<(Quantity, crate::codes::Dimension)> {
        use crate::codes::{Decimal, Dimension, Unit};
        self.elements.iter().find_map(|e| {
            let (unit, dimension) = match e.ai.get(..3)? {
                "310" => (Unit::Kg, Dimension::Mass),
                "320" => (Unit::Lb, Dimension::Mass),
                "315" => (Unit::L, Dimension::Volume),
                _ => return None,
            };
            let decimals = u32::from(e.ai.as_bytes().get(3)? - b'0');
            let mantissa: i128 = e.value.parse().ok()?;
            let value = Decimal {
                mantissa,
                scale: decimals,
            };
            Quantity::convert(value, unit, unit)
                .ok()
                .map(|q| (q, dimension))
        })
    }

    /// The title of each AI (for people reading a scan log).
    pub fn describe(&self) -> String {
        self.elements
            .iter()
            .map(|e| {
                let title = lookup(&e.ai).map(|s| s.title).unwrap_or("?");
                format!("{title} {}", e.value)
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// YYMMDD to a date. The century follows GS1's sliding window around `today`'s year
/// (up to 49 years back, 50 ahead); day 00 means the last day of the month.
pub fn yymmdd_to_date(value: &str, today: jiff::civil::Date) -> Option<jiff::civil::Date> {
    if value.len() != 6 || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let yy: i16 = value[..2].parse().ok()?;
    let month: i8 = value[2..4].parse().ok()?;
    let day: i8 = value[4..6].parse().ok()?;
    let current = today.year();
    let century = current - current.rem_euclid(100);
    let diff = yy - current.rem_euclid(100);
    let year = if diff >= 51 {
        century - 100 + yy
    } else if diff <= -50 {
        century + 100 + yy
    } else {
        century + yy
    };
    if day == 0 {
        let first = jiff::civil::Date::new(year, month, 1).ok()?;
        return Some(first.last_of_month());
    }
    jiff::civil::Date::new(year, month, day).ok()
}

/// A date as GS1 YYMMDD.
pub fn date_to_yymmdd(date: jiff::civil::Date) -> String {
    format!(
        "{:02}{:02}{:02}",
        date.year().rem_euclid(100),
        date.month(),
        date.day()
    )
}

/// The (310n) element for a mass in milligrams: the most decimals (up to 5) that keep
/// the value within six digits and exact; None if it cannot be written exactly.
pub fn net_weight_element(milligrams: i64) -> Option<Element> {
    if milligrams <= 0 {
        return None;
    }
    // kg = mg / 1e6; with n decimals the field is mg / 10^(6-n)
    (0..=5u32).rev().find_map(|n| {
        let divisor = 10_i64.pow(6 - n);
        if milligrams % divisor != 0 {
            return None;
        }
        let field = milligrams / divisor;
        (field <= 999_999).then(|| Element::new(&format!("310{n}"), &format!("{field:06}")))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(data: &str, expected: Result<&str, Gs1Error>) {
        let got = Message::parse(data).map(|m| m.to_hri());
        assert_eq!(got.as_deref().map_err(Clone::clone), expected, "{data:?}");
    }

    #[test]
    fn parses_element_strings() {
        check(
            "010950110153000310LAV-0923-001\u{1d}17261231",
            Ok("(01)09501101530003(10)LAV-0923-001(17)261231"),
        );
        check(
            "\u{1d}0109501101530003172612313103001250",
            Ok("(01)09501101530003(17)261231(3103)001250"),
        );
        check(
            "01095011015300031125061017261231310300125010LOT2024A\u{1d}210001",
            Ok("(01)09501101530003(11)250610(17)261231(3103)001250(10)LOT2024A(21)0001"),
        );
        // a separator after a fixed-length field is tolerated
        check(
            "0109501101530003\u{1d}10ABC",
            Ok("(01)09501101530003(10)ABC"),
        );
        check(
            "0109501101530004",
            Err(Gs1Error::Gtin {
                ai: "01".into(),
                source: GtinError::BadCheckDigit {
                    digits: "09501101530004".into(),
                    given: 4,
                    expected: 3,
                },
            }),
        );
        check(
            "01095011015300",
            Err(Gs1Error::TooShort {
                ai: "01".into(),
                expected: 14,
                found: 12,
            }),
        );
        check(
            "17261301",
            Err(Gs1Error::BadDate {
                ai: "17".into(),
                value: "261301".into(),
            }),
        );
        check("17260200", Ok("(17)260200"));
        check(
            "17260230",
            Err(Gs1Error::BadDate {
                ai: "17".into(),
                value: "260230".into(),
            }),
        );
        check(
            "10ABCDEFGHIJKLMNOPQRSTU",
            Err(Gs1Error::TooLong {
                ai: "10".into(),
                max: 20,
            }),
        );
        check("9A", Err(Gs1Error::UnknownAi("9A".into())));
        check("", Err(Gs1Error::Empty));
        check("10A\u{1d}10B", Err(Gs1Error::Duplicate { ai: "10".into() }));
        check(
            "3103ABCDEF",
            Err(Gs1Error::NotNumeric {
                ai: "3103".into(),
                value: "ABCDEF".into(),
            }),
        );
    }

    #[test]
    fn parses_hri() {
        let m = Message::parse_hri("(01)09501101530003(10)AB(C)D(17)261231").unwrap();
        assert_eq!(m.get("10"), Some("AB(C)D"));
        assert_eq!(m.get("17"), Some("261231"));
        assert!(Message::parse_hri("01)0950").is_err());
        assert!(Message::parse_hri("(01)09501101530003(10").is_err());
    }

    #[test]
    fn builds_with_separators_only_where_needed() {
        let m = Message {
            elements: vec![
                Element::new("01", "09501101530003"),
                Element::new("17", "261231"),
                Element::new("3103", "001250"),
                Element::new("10", "LOT2024A"),
                Element::new("21", "0001"),
            ],
        };
        assert_eq!(
            m.to_element_string().unwrap(),
            "0109501101530003172612313103001250\
             10LOT2024A\u{1d}210001"
        );
        let bad = Message {
            elements: vec![Element::new("10", "LOT 1")],
        };
        assert!(matches!(
            bad.to_element_string(),
            Err(Gs1Error::BadCharacter { .. })
        ));
    }

    #[test]
    fn dates_use_the_sliding_window() {
        let today = jiff::civil::date(2026, 11, 21);
        assert_eq!(
            yymmdd_to_date("261231", today),
            Some(jiff::civil::date(2026, 12, 31))
        );
        assert_eq!(
            yymmdd_to_date("990101", today),
            Some(jiff::civil::date(1999, 1, 1))
        );
        assert_eq!(
            yymmdd_to_date("760101", today),
            Some(jiff::civil::date(2076, 1, 1))
        );
        assert_eq!(
            yymmdd_to_date("770101", today),
            Some(jiff::civil::date(1977, 1, 1))
        );
        assert_eq!(
            yymmdd_to_date("280200", today),
            Some(jiff::civil::date(2028, 2, 29))
        );
        assert_eq!(date_to_yymmdd(jiff::civil::date(2026, 1, 5)), "260105");
    }

    #[test]
    fn weights() {
        let m = Message::parse("3103001250").unwrap();
        assert_eq!(m.net_quantity().map(|q| q.0.base), Some(1_250_000));
        assert_eq!(
            net_weight_element(1_250_000),
            Some(Element::new("3105", "125000"))
        );
        assert_eq!(
            net_weight_element(12_500_000),
            Some(Element::new("3104", "125000"))
        );
        assert_eq!(
            net_weight_element(999_999_000_000),
            Some(Element::new("3100", "999999"))
        );
        assert_eq!(net_weight_element(1_000_000_000_000), None);
        assert_eq!(net_weight_element(1), None);
    }
}
