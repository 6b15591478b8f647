//! Keyboard-wedge scanners through evdev: Linux key codes (positions, not characters) to
//! text with the layout the scanner types in (US, German, French), shift and caps lock
//! kept right, GS arriving as Ctrl+] or as Alt+keypad 0 2 9, and a scan ended by Enter,
//! Tab, or a pause when the scanner sends no suffix. Time is an input (milliseconds).

/// Which keyboard layout the scanner is set to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Layout {
    Us,
    De,
    Fr,
}

/// What ends a scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Suffix {
    Enter,
    Tab,
    /// no suffix: a pause longer than the timeout ends the scan
    None,
}

/// What the decoder hands on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyOutput {
    Scan(String),
    /// a scan that could not be read whole (events were lost, or it ran too long)
    Broken(String),
}

// Linux input-event-codes.h
const KEY_ENTER: u16 = 28;
const KEY_KPENTER: u16 = 96;
const KEY_TAB: u16 = 15;
const KEY_LEFTSHIFT: u16 = 42;
const KEY_RIGHTSHIFT: u16 = 54;
const KEY_LEFTCTRL: u16 = 29;
const KEY_RIGHTCTRL: u16 = 97;
const KEY_LEFTALT: u16 = 56;
const KEY_RIGHTALT: u16 = 100;
const KEY_CAPSLOCK: u16 = 58;

/// (code, US unshifted, US shifted)
const US: &[(u16, char, char)] = &[
    (2, '1', '!'),
    (3, '2', '@'),
    (4, '3', '#'),
    (5, '4', '$'),
    (6, '5', '%'),
    (7, '6', '^'),
    (8, '7', '&'),
    (9, '8', '*'),
    (10, '9', '('),
    (11, '0', ')'),
    (12, '-', '_'),
    (13, '=', '+'),
    (16, 'q', 'Q'),
    (17, 'w', 'W'),
    (18, 'e', 'E'),
    (19, 'r', 'R'),
    (20, 't', 'T'),
    (21, 'y', 'Y'),
    (22, 'u', 'U'),
    (23, 'i', 'I'),
    (24, 'o', 'O'),
    (25, 'p', 'P'),
    (26, '[', '{'),
    (27, ']', '}'),
    (30, 'a', 'A'),
    (31, 's', 'S'),
    (32, 'd', 'D'),
    (33, 'f', 'F'),
    (34, 'g', 'G'),
    (35, 'h', 'H'),
    (36, 'j', 'J'),
    (37, 'k', 'K'),
    (38, 'l', 'L'),
    (39, ';', ':'),
    (40, '\'', '"'),
    (41, '`', '~'),
    (43, '\\', '|'),
    (44, 'z', 'Z'),
    (45, 'x', 'X'),
    (46, 'c', 'C'),
    (47, 'v', 'V'),
    (48, 'b', 'B'),
    (49, 'n', 'N'),
    (50, 'm', 'M'),
    (51, ',', '<'),
    (52, '.', '>'),
    (53, '/', '?'),
    (57, ' ', ' '),
    (55, '*', '*'),
    (74, '-', '-'),
    (78, '+', '+'),
    (98, '/', '/'),
    (83, '.', '.'),
];

/// German (QWERTZ) where it differs from US: (code, unshifted, shifted, AltGr)
const DE: &[(u16, char, char, Option<char>)] = &[
    (2, '1', '!', None),
    (3, '2', '"', Some('²')),
    (4, '3', '§', Some('³')),
    (5, '4', '$', None),
    (6, '5', '%', None),
    (7, '6', '&', None),
    (8, '7', '/', Some('{')),
    (9, '8', '(', Some('[')),
    (10, '9', ')', Some(']')),
    (11, '0', '=', Some('}')),
    (12, 'ß', '?', Some('\\')),
    (13, '´', '`', None),
    (16, 'q', 'Q', Some('@')),
    (18, 'e', 'E', Some('€')),
    (21, 'z', 'Z', None),
    (26, 'ü', 'Ü', None),
    (27, '+', '*', Some('~')),
    (39, 'ö', 'Ö', None),
    (40, 'ä', 'Ä', None),
    (41, '^', '°', None),
    (43, '#', '\'', None),
    (44, 'y', 'Y', None),
    (50, 'm', 'M', Some('µ')),
    (51, ',', ';', None),
    (52, '.', ':', None),
    (53, '-', '_', None),
    (86, '<', '>', Some('|')),
];

/// French (AZERTY) where it differs from US: (code, unshifted, shifted, AltGr)
const FR: &[(u16, char, char, Option<char>)] = &[
    (2, '&', '1', None),
    (3, 'é', '2', Some('~')),
    (4, '"', '3', Some('#')),
    (5, '\'', '4', Some('{')),
    (6, '(', '5', Some('[')),
    (7, '-', '6', Some('|')),
    (8, 'è', '7', Some('`')),
    (9, '_', '8', Some('\\')),
    (10, 'ç', '9', Some('^')),
    (11, 'à', '0', Some('@')),
    (12, ')', '°', Some(']')),
    (13, '=', '+', Some('}')),
    (16, 'a', 'A', None),
    (17, 'z', 'Z', None),
    (26, '^', '¨', None),
    (27, '$', '£', Some('¤')),
    (30, 'q', 'Q', None),
    (39, 'm', 'M', None),
    (40, 'ù', '%', None),
    (41, '²', '²', None),
    (43, '*', 'µ', None),
    (44, 'w', 'W', None),
    (50, ',', '?', None),
    (51, ';', '.', None),
    (52, ':', '/', None),
    (53, '!', '§', None),
    (86, '<', '>', None),
];

/// Keypad digits (for Alt+keypad character codes): (code, digit)
const KEYPAD: &[(u16, u32)] = &[
    (82, 0),
    (79, 1),
    (80, 2),
    (81, 3),
    (75, 4),
    (76, 5),
    (77, 6),
    (71, 7),
    (72, 8),
    (73, 9),
];

/// The longest scan kept before it is reported broken.
const MAX_SCAN: usize = 4096;

#[derive(Debug, Clone)]
pub struct KeyDecoder {
    layout: Layout,
    suffix: Suffix,
    timeout_ms: u64,
    left_shift: bool,
    right_shift: bool,
    caps_lock: bool,
    ctrl: bool,
    alt: bool,
    altgr: bool,
    /// digits typed on the keypad while Alt is held
    alt_code: Option<u32>,
    buffer: String,
    broken: Option<String>,
    last_ms: u64,
}

impl KeyDecoder {
    pub fn new(layout: Layout, suffix: Suffix, timeout_ms: u64) -> KeyDecoder {
        KeyDecoder {
            layout,
            suffix,
            timeout_ms,
            left_shift: false,
            right_shift: false,
            caps_lock: false,
            ctrl: false,
            alt: false,
            altgr: false,
            alt_code: None,
            buffer: String::new(),
            broken: None,
            last_ms: 0,
        }
    }

    fn character(&self, code: u16) -> Option<char> {
        let shift = self.left_shift || self.right_shift;
        let layout_entry = match self.layout {
            Layout::Us => None,
            Layout::De => DE.iter().find(|(c, ..)| *c == code),
            Layout::Fr => FR.iter().find(|(c, ..)| *c == code),
        };
        let (normal, shifted, altgr) = match layout_entry {
            Some((_, n, s, a)) => (*n, *s, *a),
            None => {
                let (_, n, s) = US.iter().find(|(c, ..)| *c == code)?;
                // the French layout moves letters around; keys not listed type as in US
                (*n, *s, None)
            }
        };
        if self.altgr {
            return altgr;
        }
        let letter = normal.is_alphabetic() && normal.to_uppercase().next() == Some(shifted);
        // caps lock turns letters only; shift with caps lock gives lower case
        let upper = if letter {
            shift != self.caps_lock
        } else {
            shift
        };
        Some(if upper { shifted } else { normal })
    }

    fn finish(&mut self) -> Option<KeyOutput> {
        if let Some(reason) = self.broken.take() {
            self.buffer.clear();
            return Some(KeyOutput::Broken(reason));
        }
        if self.buffer.is_empty() {
            return None;
        }
        Some(KeyOutput::Scan(std::mem::take(&mut self.buffer)))
    }

    fn push(&mut self, c: char) {
        if self.buffer.len() >= MAX_SCAN {
            self.broken.get_or_insert_with(|| {
                format!("a scan longer than {MAX_SCAN} characters without its end")
            });
            return;
        }
        self.buffer.push(c);
    }

    /// One key event: `value` 1 press, 0 release, 2 autorepeat (ignored).
    pub fn key(&mut self, code: u16, value: i32, at_ms: u64) -> Option<KeyOutput> {
        let pressed = match value {
            1 => true,
            0 => false,
            _ => return None,
        };
        let mut out = None;
        if pressed
            && self.suffix == Suffix::None
            && !self.buffer.is_empty()
            && at_ms.saturating_sub(self.last_ms) > self.timeout_ms
        {
            out = self.finish();
        }
        if pressed {
            self.last_ms = at_ms;
        }
        match code {
            KEY_LEFTSHIFT => self.left_shift = pressed,
            KEY_RIGHTSHIFT => self.right_shift = pressed,
            KEY_LEFTCTRL | KEY_RIGHTCTRL => self.ctrl = pressed,
            KEY_RIGHTALT => self.altgr = pressed && self.layout != Layout::Us,
            KEY_LEFTALT => {
                self.alt = pressed;
                if pressed {
                    self.alt_code = None;
                } else if let Some(value) = self.alt_code.take()
                    && let Some(c) = char::from_u32(value)
                {
                    self.push(c);
                }
            }
            KEY_CAPSLOCK if pressed => self.caps_lock = !self.caps_lock,
            KEY_ENTER | KEY_KPENTER if pressed && self.suffix == Suffix::Enter => {
                return out.or_else(|| self.finish());
            }
            KEY_ENTER | KEY_KPENTER => {}
            KEY_TAB if pressed => {
                if self.suffix == Suffix::Tab {
                    return out.or_else(|| self.finish());
                }
                self.push('\t');
            }
            _ if pressed => {
                if self.alt {
                    if let Some((_, digit)) = KEYPAD.iter().find(|(c, _)| *c == code) {
                        self.alt_code = Some(
                            self.alt_code
                                .unwrap_or(0)
                                .saturating_mul(10)
                                .saturating_add(*digit),
                        );
                    }
                    return out;
                }
                if self.ctrl && code == 27 {
                    // the key right of P with Ctrl is GS whatever the layout calls it
                    self.push('\u{1d}');
                    return out;
                }
                if let Some(c) = self.character(code) {
                    if self.ctrl {
                        // Ctrl+letter and Ctrl+[ \ ] ^ _ are the ASCII control characters
                        let upper = c.to_ascii_uppercase();
                        if ('@'..='_').contains(&upper) {
                            self.push(char::from(upper as u8 & 0x1F));
                        }
                    } else {
                        self.push(c);
                    }
                }
            }
            _ => {}
        }
        out
    }

    /// The kernel dropped events (SYN_DROPPED): the scan in progress cannot be trusted.
    pub fn dropped(&mut self) {
        if !self.buffer.is_empty() || self.broken.is_none() {
            self.broken = Some("key events were lost while scanning (SYN_DROPPED)".into());
        }
        self.left_shift = false;
        self.right_shift = false;
        self.ctrl = false;
        self.alt = false;
        self.altgr = false;
    }

    /// For scanners without a suffix: ends the scan after a pause.
    pub fn tick(&mut self, now_ms: u64) -> Option<KeyOutput> {
        if self.suffix == Suffix::None
            && (!self.buffer.is_empty() || self.broken.is_some())
            && now_ms.saturating_sub(self.last_ms) > self.timeout_ms
        {
            return self.finish();
        }
        None
    }
}

/// The key codes a US-layout wedge scanner sends for `text` (press/release pairs), for
/// tests and device simulators: (code, value).
pub fn us_key_events(text: &str) -> Vec<(u16, i32)> {
    let mut events = Vec::new();
    for c in text.chars() {
        if c == '\u{1d}' {
            events.extend([(KEY_LEFTCTRL, 1), (27, 1), (27, 0), (KEY_LEFTCTRL, 0)]);
            continue;
        }
        if c == '\n' {
            events.extend([(KEY_ENTER, 1), (KEY_ENTER, 0)]);
            continue;
        }
        let Some((code, normal, _)) = US.iter().find(|(_, n, s)| *n == c || *s == c) else {
            continue;
        };
        let shift = *normal != c;
        if shift {
            events.push((KEY_LEFTSHIFT, 1));
        }
        events.extend([(*code, 1), (*code, 0)]);
        if shift {
            events.push((KEY_LEFTSHIFT, 0));
        }
    }
    events
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn feed(decoder: &mut KeyDecoder, events: &[(u16, i32)]) -> Vec<KeyOutput> {
        events
            .iter()
            .enumerate()
            .filter_map(|(i, (code, value))| decoder.key(*code, *value, i as u64 * 10))
            .collect()
    }

    fn check(layout: Layout, events: &[(u16, i32)], expected: &[&str]) {
        let mut decoder = KeyDecoder::new(layout, Suffix::Enter, 100);
        let got = feed(&mut decoder, events);
        let expected: Vec<KeyOutput> = expected
            .iter()
            .map(|s| KeyOutput::Scan(s.to_string()))
            .collect();
        assert_eq!(got, expected, "{layout:?}");
    }

    const SHIFT: (u16, i32) = (KEY_LEFTSHIFT, 1);
    const UNSHIFT: (u16, i32) = (KEY_LEFTSHIFT, 0);
    const ENTER: [(u16, i32); 2] = [(KEY_ENTER, 1), (KEY_ENTER, 0)];

    fn tap(code: u16) -> [(u16, i32); 2] {
        [(code, 1), (code, 0)]
    }

    #[test]
    fn us_scans_round_trip() {
        for text in [
            "LAV-2611-001",
            "@QTY:1.5kg",
            "SUP:BRAMBLE",
            "]C1010950110153000310LAV-1\u{1d}17261231",
        ] {
            let mut events = us_key_events(text);
            events.extend(ENTER);
            check(Layout::Us, &events, &[text]);
        }
    }

    #[test]
    fn layouts_shift_and_caps() {
        // "Yz" typed on the key positions Y and Z: QWERTZ swaps them
        let mut events = vec![SHIFT];
        events.extend(tap(21));
        events.push(UNSHIFT);
        events.extend(tap(44));
        events.extend(ENTER);
        check(Layout::Us, &events, &["Yz"]);
        check(Layout::De, &events, &["Zy"]);
        // the digit row: AZERTY types & é " without shift, digits with it
        let mut events: Vec<(u16, i32)> = [2, 3, 4].iter().flat_map(|c| tap(*c)).collect();
        events.push(SHIFT);
        events.extend([2, 3, 4].iter().flat_map(|c| tap(*c)));
        events.push(UNSHIFT);
        events.extend(ENTER);
        check(Layout::Fr, &events, &["&é\"123"]);
        check(Layout::De, &events, &["123!\"§"]);
        // AZERTY letters: the A position types q
        let events: Vec<(u16, i32)> = [30, 16, 17, 44]
            .iter()
            .flat_map(|c| tap(*c))
            .chain(ENTER)
            .collect();
        check(Layout::Fr, &events, &["qazw"]);
        // caps lock changes letters only, and shift undoes it
        let mut events: Vec<(u16, i32)> = tap(KEY_CAPSLOCK).to_vec();
        events.extend(tap(30));
        events.extend(tap(2));
        events.push(SHIFT);
        events.extend(tap(30));
        events.extend(tap(2));
        events.push(UNSHIFT);
        events.extend(tap(KEY_CAPSLOCK));
        events.extend(tap(30));
        events.extend(ENTER);
        check(Layout::Us, &events, &["A1a!a"]);
        // right shift is a shift too; autorepeat is ignored
        let events = [
            (KEY_RIGHTSHIFT, 1),
            (30, 1),
            (30, 2),
            (30, 2),
            (30, 0),
            (KEY_RIGHTSHIFT, 0),
            (28, 1),
            (28, 0),
        ];
        check(Layout::Us, &events, &["A"]);
        // AltGr on QWERTZ: @ and ~
        let events = [
            (KEY_RIGHTALT, 1),
            (16, 1),
            (16, 0),
            (27, 1),
            (27, 0),
            (KEY_RIGHTALT, 0),
            (28, 1),
            (28, 0),
        ];
        check(Layout::De, &events, &["@~"]);
    }

    #[test]
    fn group_separators() {
        // Ctrl+] and Alt + keypad 0 2 9 both give GS
        let mut events = us_key_events("10A");
        events.extend([(KEY_LEFTCTRL, 1), (27, 1), (27, 0), (KEY_LEFTCTRL, 0)]);
        events.extend(us_key_events("21B"));
        events.extend([
            (KEY_LEFTALT, 1),
            (82, 1),
            (82, 0),
            (80, 1),
            (80, 0),
            (73, 1),
            (73, 0),
            (KEY_LEFTALT, 0),
        ]);
        events.extend(us_key_events("30"));
        events.extend(ENTER);
        check(Layout::Us, &events, &["10A\u{1d}21B\u{1d}30"]);
    }

    #[test]
    fn suffixes_and_timeouts() {
        let mut decoder = KeyDecoder::new(Layout::Us, Suffix::Tab, 100);
        let mut events = us_key_events("AB");
        events.extend(tap(KEY_TAB));
        events.extend(us_key_events("C"));
        events.extend(tap(KEY_TAB));
        assert_eq!(
            feed(&mut decoder, &events),
            vec![KeyOutput::Scan("AB".into()), KeyOutput::Scan("C".into())]
        );
        // no suffix: a pause ends the scan
        let mut decoder = KeyDecoder::new(Layout::Us, Suffix::None, 100);
        for (i, (code, value)) in us_key_events("LOT-1").iter().enumerate() {
            assert_eq!(decoder.key(*code, *value, i as u64 * 5), None);
        }
        assert_eq!(decoder.tick(60), None);
        assert_eq!(decoder.tick(500), Some(KeyOutput::Scan("LOT-1".into())));
        assert_eq!(decoder.tick(900), None);
        // a next scan after a pause also closes the previous one
        for (code, value) in us_key_events("A") {
            decoder.key(code, value, 1000);
        }
        let out = decoder.key(30, 1, 2000);
        assert_eq!(out, Some(KeyOutput::Scan("A".into())));
    }

    #[test]
    fn lost_events_break_the_scan() {
        let mut decoder = KeyDecoder::new(Layout::Us, Suffix::Enter, 100);
        feed(&mut decoder, &us_key_events("LAV-26"));
        decoder.dropped();
        let out = feed(&mut decoder, &[(KEY_ENTER, 1)]);
        assert!(
            matches!(out.as_slice(), [KeyOutput::Broken(reason)] if reason.contains("SYN_DROPPED")),
            "{out:?}"
        );
        // the next scan is fine
        let mut events = us_key_events("OK");
        events.extend(ENTER);
        assert_eq!(
            feed(&mut decoder, &events),
            vec![KeyOutput::Scan("OK".into())]
        );
    }

    proptest! {
        #[test]
        fn random_events_never_panic(events in proptest::collection::vec((0u16..300, 0i32..3, 0u64..1000), 0..300)) {
            for layout in [Layout::Us, Layout::De, Layout::Fr] {
                let mut decoder = KeyDecoder::new(layout, Suffix::None, 50);
                let mut at = 0;
                for (code, value, gap) in &events {
                    at += gap;
                    let _ = decoder.key(*code, *value, at);
                    let _ = decoder.tick(at);
                }
                prop_assert!(decoder.buffer.len() <= MAX_SCAN);
            }
        }
    }
}
