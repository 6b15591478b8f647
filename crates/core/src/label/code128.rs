//! Code 128 code-set planning (B for text, C for runs of digits, FNC1 for GS1), written
//! out for barcoders (module patterns for PDF) and as ZPL `^BC` invocation codes.

/// One symbol of Code 128 data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Symbol {
    Char(char),
    Fnc1,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Set {
    B,
    C,
}

/// A planned symbol sequence: set switches, characters (digit pairs in C), FNC1.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Start(Set),
    Switch(Set),
    Text(char),
    Pair(char, char),
    Fnc1,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Code128Error {
    #[error("Code 128 cannot carry {0:?} (printable ASCII only)")]
    Unsupported(char),
    #[error("nothing to encode")]
    Empty,
}

/// The data of a plain Code 128 symbol.
pub fn plain(text: &str) -> Vec<Symbol> {
    text.chars().map(Symbol::Char).collect()
}

/// The data of a GS1-128 symbol for an element string (GS = FNC1 separator).
pub fn gs1(element_string: &str) -> Vec<Symbol> {
    std::iter::once(Symbol::Fnc1)
        .chain(element_string.chars().map(|c| {
            if c == '\u{1d}' {
                Symbol::Fnc1
            } else {
                Symbol::Char(c)
            }
        }))
        .collect()
}

fn digit_run(data: &[Symbol], from: usize) -> usize {
    data[from..]
        .iter()
        .take_while(|s| matches!(s, Symbol::Char(c) if c.is_ascii_digit()))
        .count()
}

/// Chooses code sets: C for digit runs where it saves symbols (four or more at the start
/// or the end, six or more in the middle, any pairs while already in C), B otherwise.
fn plan(data: &[Symbol]) -> Result<Vec<Step>, Code128Error> {
    if data.is_empty() {
        return Err(Code128Error::Empty);
    }
    for s in data {
        if let Symbol::Char(c) = s
            && !(' '..='~').contains(c)
        {
            return Err(Code128Error::Unsupported(*c));
        }
    }
    let mut steps = Vec::new();
    let mut set: Option<Set> = None;
    let mut i = 0;
    while i < data.len() {
        let run = digit_run(data, i);
        let at_end = i + run == data.len();
        let wants_c = match set {
            None => run >= 4 || (run >= 2 && at_end),
            Some(Set::C) => run >= 2,
            // a switch into C and back costs two symbols: worth it for six digits, or four at the end
            Some(Set::B) => run >= 6 || (run >= 4 && at_end),
        };
        if wants_c {
            let pairs = run / 2;
            match set {
                None => steps.push(Step::Start(Set::C)),
                Some(Set::B) => steps.push(Step::Switch(Set::C)),
                Some(Set::C) => {}
            }
            set = Some(Set::C);
            for p in 0..pairs {
                let (Symbol::Char(a), Symbol::Char(b)) = (data[i + 2 * p], data[i + 2 * p + 1])
                else {
                    unreachable!("digit run holds characters")
                };
                steps.push(Step::Pair(a, b));
            }
            i += pairs * 2;
            continue;
        }
        match data[i] {
            Symbol::Fnc1 => {
                if set.is_none() {
                    // a leading FNC1: start in C when digits follow (GS1 AIs are digits)
                    let next = digit_run(data, i + 1);
                    let start = if next >= 2 { Set::C } else { Set::B };
                    steps.push(Step::Start(start));
                    set = Some(start);
                }
                steps.push(Step::Fnc1);
            }
            Symbol::Char(c) => {
                match set {
                    None => steps.push(Step::Start(Set::B)),
                    Some(Set::C) => steps.push(Step::Switch(Set::B)),
                    Some(Set::B) => {}
                }
                set = Some(Set::B);
                steps.push(Step::Text(c));
            }
        }
        i += 1;
    }
    Ok(steps)
}

/// The string barcoders' `Code128::new` takes: `Ɓ`/`Ć` select sets B/C, `Ź` is FNC1.
pub fn barcoders_input(data: &[Symbol]) -> Result<String, Code128Error> {
    let mut out = String::new();
    for step in plan(data)? {
        match step {
            Step::Start(Set::B) | Step::Switch(Set::B) => out.push('\u{0181}'),
            Step::Start(Set::C) | Step::Switch(Set::C) => out.push('\u{0106}'),
            Step::Text(c) => out.push(c),
            Step::Pair(a, b) => {
                out.push(a);
                out.push(b);
            }
            Step::Fnc1 => out.push('\u{0179}'),
        }
    }
    Ok(out)
}

/// ZPL `^BC` field data with invocation codes: `>:` start B, `>;` start C, `>6`/`>5`
/// switch to B/C, `>8` FNC1, `><` a literal `>`.
pub fn zpl_input(data: &[Symbol]) -> Result<String, Code128Error> {
    let mut out = String::new();
    for step in plan(data)? {
        match step {
            Step::Start(Set::B) => out.push_str(">:"),
            Step::Start(Set::C) => out.push_str(">;"),
            Step::Switch(Set::B) => out.push_str(">6"),
            Step::Switch(Set::C) => out.push_str(">5"),
            Step::Text('>') => out.push_str("><"),
            Step::Text(c) => out.push(c),
            Step::Pair(a, b) => {
                out.push(a);
                out.push(b);
            }
            Step::Fnc1 => out.push_str(">8"),
        }
    }
    Ok(out)
}

/// The bar pattern (1 = bar module, 0 = space), without quiet zones.
pub fn modules(data: &[Symbol]) -> Result<Vec<u8>, Code128Error> {
    let input = barcoders_input(data)?;
    barcoders::sym::code128::Code128::new(&input)
        .map(|c| c.encode())
        .map_err(|_| Code128Error::Empty)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(data: Vec<Symbol>, barcoders: &str, zpl: &str) {
        assert_eq!(barcoders_input(&data).unwrap(), barcoders);
        assert_eq!(zpl_input(&data).unwrap(), zpl);
        assert!(!modules(&data).unwrap().is_empty());
    }

    #[test]
    fn plans() {
        check(
            plain("LAV-2611-001"),
            "\u{181}LAV-2611-001",
            ">:LAV-2611-001",
        );
        check(plain("MFG-0057"), "\u{181}MFG-\u{106}0057", ">:MFG->50057");
        check(plain("12345"), "\u{106}1234\u{181}5", ">;1234>65");
        check(plain("AB1234CD"), "\u{181}AB1234CD", ">:AB1234CD");
        check(
            plain("AB123456CD"),
            "\u{181}AB\u{106}123456\u{181}CD",
            ">:AB>5123456>6CD",
        );
        check(plain("1234"), "\u{106}1234", ">;1234");
        check(plain("a>b"), "\u{181}a>b", ">:a><b");
        check(
            gs1("010950110153000310LAV-0923-001\u{1d}17261231"),
            "\u{106}\u{179}010950110153000310\u{181}LAV-0923-001\u{179}\u{106}17261231",
            ">;>8010950110153000310>6LAV-0923-001>8>517261231",
        );
        check(gs1("10A"), "\u{106}\u{179}10\u{181}A", ">;>810>6A");
        assert_eq!(plan(&plain("Öl")), Err(Code128Error::Unsupported('Ö')));
        assert_eq!(plan(&[]), Err(Code128Error::Empty));
    }
}
