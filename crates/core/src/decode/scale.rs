//! Bench scale protocols as byte decoders: MT-SICS, Toledo 8217 (ECR), Toledo continuous
//! (18-byte frames), A&D and CAS streams. Stable, moving, overload, underload and negative
//! are states, never numbers; a weight is an exact integer in milligrams.

use crate::codes::{Decimal, Quantity, Unit};

/// What the scale says now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScaleStatus {
    /// a settled weight (zero included)
    Stable,
    /// the weight is changing
    Moving,
    Overload,
    Underload,
    /// a settled weight below zero (pan removed, or tare larger than the load)
    Negative,
    /// the scale refused or could not answer (busy taring, not executable)
    NotReady,
}

impl ScaleStatus {
    pub fn word(self) -> &'static str {
        match self {
            ScaleStatus::Stable => "stable",
            ScaleStatus::Moving => "unstable",
            ScaleStatus::Overload => "overload",
            ScaleStatus::Underload => "underload",
            ScaleStatus::Negative => "negative",
            ScaleStatus::NotReady => "not ready",
        }
    }
}

/// One reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reading {
    pub status: ScaleStatus,
    /// milligrams, when the frame carried a number (never for overload/underload)
    pub milligrams: Option<i64>,
    /// net weight (a tare is active)
    pub net: bool,
    /// the unit the scale displayed
    pub unit: Unit,
}

impl Reading {
    pub fn stable_weight(&self) -> Option<Quantity> {
        match (self.status, self.milligrams) {
            (ScaleStatus::Stable, Some(mg)) => Some(Quantity::from_base(mg)),
            _ => None,
        }
    }

    /// The weight as the scale showed it (`1.234 kg`).
    pub fn display(&self) -> Option<String> {
        self.milligrams
            .map(|mg| Quantity::from_base(mg).display_in(self.unit))
    }

    fn state(status: ScaleStatus, unit: Unit) -> Reading {
        Reading {
            status,
            milligrams: None,
            net: false,
            unit,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Protocol {
    MtSics,
    #[serde(rename = "toledo-8217")]
    Toledo8217,
    ToledoContinuous,
    #[serde(rename = "a-and-d")]
    AndD,
    Cas,
}

impl Protocol {
    /// The command that asks for a reading (none for streaming protocols).
    pub fn poll(self) -> Option<&'static [u8]> {
        match self {
            Protocol::MtSics => Some(b"SI\r\n"),
            Protocol::Toledo8217 => Some(b"W"),
            _ => None,
        }
    }

    pub fn tare(self) -> Option<&'static [u8]> {
        match self {
            Protocol::MtSics => Some(b"T\r\n"),
            Protocol::Toledo8217 => Some(b"T"),
            Protocol::AndD => Some(b"T\r\n"),
            _ => None,
        }
    }

    pub fn zero(self) -> Option<&'static [u8]> {
        match self {
            Protocol::MtSics => Some(b"Z\r\n"),
            Protocol::Toledo8217 => Some(b"Z"),
            Protocol::AndD => Some(b"Z\r\n"),
            _ => None,
        }
    }
}

/// Longest frame kept while waiting for its end; longer input is garbage and dropped.
const MAX_FRAME: usize = 64;

/// Bytes in, readings out, for one protocol. Garbage and broken frames are dropped and
/// counted, never fatal.
#[derive(Debug, Clone)]
pub struct ScaleDecoder {
    protocol: Protocol,
    /// for Toledo 8217, whose frames do not say the unit: kg or lb
    unit: Unit,
    buffer: Vec<u8>,
    pub dropped: usize,
}

fn weight_mg(number: &str, unit: Unit) -> Option<i64> {
    let value = Decimal::parse(number)?;
    Quantity::convert(value, unit, unit).ok().map(|q| q.base)
}

impl ScaleDecoder {
    pub fn new(protocol: Protocol, unit: Unit) -> ScaleDecoder {
        ScaleDecoder {
            protocol,
            unit,
            buffer: Vec::new(),
            dropped: 0,
        }
    }

    pub fn push(&mut self, bytes: &[u8]) -> Vec<Reading> {
        self.buffer.extend_from_slice(bytes);
        let mut readings = Vec::new();
        match self.protocol {
            Protocol::ToledoContinuous => self.continuous(&mut readings),
            Protocol::Toledo8217 => self.frames(b'\x02', b'\r', Self::toledo_8217, &mut readings),
            _ => self.lines(&mut readings),
        }
        readings
    }

    /// CR/LF-terminated lines (MT-SICS, A&D, CAS).
    fn lines(&mut self, readings: &mut Vec<Reading>) {
        while let Some(end) = self.buffer.iter().position(|b| *b == b'\n' || *b == b'\r') {
            let line: Vec<u8> = self.buffer.drain(..=end).collect();
            let text = String::from_utf8_lossy(&line[..line.len() - 1])
                .trim()
                .to_string();
            if text.is_empty() {
                continue;
            }
            let parsed = match self.protocol {
                Protocol::MtSics => mt_sics(&text),
                Protocol::AndD => and_d(&text),
                Protocol::Cas => cas(&line[..line.len() - 1]),
                _ => None,
            };
            match parsed {
                Some(Some(reading)) => readings.push(reading),
                Some(None) => {} // an acknowledgement (tare, zero): no reading
                None => self.dropped += 1,
            }
        }
        if self.buffer.len() > MAX_FRAME {
            self.dropped += 1;
            self.buffer.clear();
        }
    }

    /// `start … end` frames, resynchronising on `start`.
    fn frames(
        &mut self,
        start: u8,
        end: u8,
        parse: fn(&Self, &[u8]) -> Option<Reading>,
        readings: &mut Vec<Reading>,
    ) {
        loop {
            let Some(s) = self.buffer.iter().position(|b| *b == start) else {
                if !self.buffer.is_empty() {
                    self.dropped += 1;
                }
                self.buffer.clear();
                return;
            };
            if s > 0 {
                self.dropped += 1;
                self.buffer.drain(..s);
            }
            let Some(e) = self.buffer.iter().position(|b| *b == end) else {
                if self.buffer.len() > MAX_FRAME {
                    self.dropped += 1;
                    self.buffer.drain(..1);
                    continue;
                }
                return;
            };
            let frame: Vec<u8> = self.buffer.drain(..=e).collect();
            match parse(self, &frame[1..frame.len() - 1]) {
                Some(reading) => readings.push(reading),
                None => self.dropped += 1,
            }
        }
    }

    /// `<STX>01.234<CR>`, `<STX>01.234N<CR>` (net), `<STX>?<status><CR>`.
    fn toledo_8217(&self, body: &[u8]) -> Option<Reading> {
        if let Some(&status) = body.strip_prefix(b"?").and_then(|rest| rest.first()) {
            let bits = status & 0x3F;
            let state = if bits & 0b10 != 0 {
                ScaleStatus::Overload
            } else if bits & 0b100 != 0 {
                ScaleStatus::Underload
            } else if bits & 0b1 != 0 {
                ScaleStatus::Moving
            } else if bits & 0b1000 != 0 {
                ScaleStatus::NotReady
            } else {
                // no error bit: at the centre of zero
                return Some(Reading {
                    status: ScaleStatus::Stable,
                    milligrams: Some(0),
                    net: bits & 0b10_0000 != 0,
                    unit: self.unit,
                });
            };
            return Some(Reading::state(state, self.unit));
        }
        let text = std::str::from_utf8(body).ok()?;
        let (number, net) = match text.strip_suffix('N') {
            Some(number) => (number, true),
            None => (text, false),
        };
        if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
            return None;
        }
        Some(Reading {
            status: ScaleStatus::Stable,
            milligrams: Some(weight_mg(number, self.unit)?),
            net,
            unit: self.unit,
        })
    }

    /// 18-byte frames: STX SWA SWB SWC weight(6) tare(6) CR CHK.
    fn continuous(&mut self, readings: &mut Vec<Reading>) {
        loop {
            let Some(s) = self.buffer.iter().position(|b| *b == 0x02) else {
                if !self.buffer.is_empty() {
                    self.dropped += 1;
                }
                self.buffer.clear();
                return;
            };
            if s > 0 {
                self.dropped += 1;
                self.buffer.drain(..s);
            }
            if self.buffer.len() < 18 {
                return;
            }
            let frame: [u8; 18] = match self.buffer[..18].try_into() {
                Ok(frame) => frame,
                Err(_) => return,
            };
            let sum: u32 = frame.iter().map(|b| u32::from(*b)).sum();
            if frame[16] != b'\r' || !sum.is_multiple_of(128) {
                // not a frame start after all: skip this STX and look for the next
                self.dropped += 1;
                self.buffer.drain(..1);
                continue;
            }
            self.buffer.drain(..18);
            match continuous_frame(&frame) {
                Some(reading) => readings.push(reading),
                None => self.dropped += 1,
            }
        }
    }
}

fn continuous_frame(frame: &[u8; 18]) -> Option<Reading> {
    let (swa, swb) = (frame[1], frame[2]);
    let unit = if swb & 0b1_0000 != 0 {
        Unit::Kg
    } else {
        Unit::Lb
    };
    let digits = std::str::from_utf8(&frame[4..10]).ok()?;
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let raw: i128 = digits.parse().ok()?;
    let position = i32::from(swa & 0b111);
    // 0 -> XXXXX00, 1 -> XXXXXX0, 2 -> XXXXXX, 3 -> XXXXX.X ... 7 -> X.XXXXX
    let (mantissa, scale) = if position >= 2 {
        (raw, (position - 2) as u32)
    } else {
        (raw * 10_i128.pow((2 - position) as u32), 0)
    };
    let mut milligrams = Quantity::convert(Decimal { mantissa, scale }, unit, unit)
        .ok()?
        .base;
    let negative = swb & 0b10 != 0;
    if negative {
        milligrams = -milligrams;
    }
    let status = if swb & 0b100 != 0 {
        if negative {
            ScaleStatus::Underload
        } else {
            ScaleStatus::Overload
        }
    } else if swb & 0b1000 != 0 {
        ScaleStatus::Moving
    } else if negative {
        ScaleStatus::Negative
    } else {
        ScaleStatus::Stable
    };
    let out_of_range = matches!(status, ScaleStatus::Overload | ScaleStatus::Underload);
    Some(Reading {
        status,
        milligrams: (!out_of_range).then_some(milligrams),
        net: swb & 0b1 != 0,
        unit,
    })
}

/// A number and its unit: `12.34 g`, `-2.35 kg`, `+00012.34  g`.
fn number_and_unit(text: &str) -> Option<(i64, Unit)> {
    let text = text.trim();
    let split = text.find(|c: char| c.is_ascii_alphabetic())?;
    let (number, unit) = text.split_at(split);
    let unit = Unit::parse(unit.trim())?;
    let number: String = number.chars().filter(|c| !c.is_whitespace()).collect();
    Some((weight_mg(&number, unit)?, unit))
}

fn signed(milligrams: i64, unit: Unit, net: bool, moving: bool) -> Reading {
    let status = if moving {
        ScaleStatus::Moving
    } else if milligrams < 0 {
        ScaleStatus::Negative
    } else {
        ScaleStatus::Stable
    };
    Reading {
        status,
        milligrams: Some(milligrams),
        net,
        unit,
    }
}

/// MT-SICS answers: `S S 12.35 g`, `S D 12.34 g`, `S I`, `S +`, `S -`, `T S …`, `Z A`, `ES`.
/// `Some(None)` is an acknowledgement without a reading; `None` is not MT-SICS.
fn mt_sics(text: &str) -> Option<Option<Reading>> {
    let tokens: Vec<&str> = text.split_whitespace().collect();
    let unit_default = Unit::G;
    match tokens.as_slice() {
        ["S" | "SI", "S", value, unit] | ["S" | "SI", "D", value, unit] => {
            let moving = tokens[1] == "D";
            let unit = Unit::parse(unit)?;
            Some(Some(signed(weight_mg(value, unit)?, unit, false, moving)))
        }
        ["S" | "SI", "I"] => Some(Some(Reading::state(ScaleStatus::NotReady, unit_default))),
        ["S" | "SI", "+"] => Some(Some(Reading::state(ScaleStatus::Overload, unit_default))),
        ["S" | "SI", "-"] => Some(Some(Reading::state(ScaleStatus::Underload, unit_default))),
        ["T" | "TI" | "Z" | "ZI", ..] | ["ES"] | ["ET"] | ["EL"] | ["I4", ..] | ["I2", ..] => {
            Some(None)
        }
        _ => None,
    }
}

/// A&D: `ST,+00012.34  g`, `US,…`, `OL,…`, optionally `ST,NT,…` / `ST,GS,…`.
fn and_d(text: &str) -> Option<Option<Reading>> {
    let fields: Vec<&str> = text.split(',').collect();
    let (header, rest) = fields.split_first()?;
    let (net, value) = match rest {
        [kind @ ("NT" | "GS"), value] => (*kind == "NT", *value),
        [value] => (false, *value),
        _ => return None,
    };
    match *header {
        "OL" => Some(Some(Reading::state(ScaleStatus::Overload, Unit::G))),
        "ST" | "US" | "QT" => {
            let (mg, unit) = number_and_unit(value)?;
            let mut reading = signed(mg, unit, net, *header == "US");
            if unit == Unit::Each {
                return None;
            }
            reading.net = net;
            Some(Some(reading))
        }
        _ => None,
    }
}

/// CAS: `ST,GS,` + device id byte + lamp byte + 8-byte value + unit (`US` moving, `OL` over).
fn cas(line: &[u8]) -> Option<Option<Reading>> {
    let header = line.get(..6)?;
    let (stability, kind) = (&header[..2], &header[3..5]);
    if header[2] != b',' || header[5] != b',' {
        return None;
    }
    let net = kind == b"NT";
    if stability == b"OL" {
        return Some(Some(Reading::state(ScaleStatus::Overload, Unit::Kg)));
    }
    let value = std::str::from_utf8(line.get(8..)?).ok()?;
    let (mg, unit) = number_and_unit(value)?;
    match stability {
        b"ST" | b"US" => Some(Some(signed(mg, unit, net, stability == b"US"))),
        _ => None,
    }
}

/// Builds a Toledo continuous frame (for tests and scale simulators).
pub fn continuous_frame_bytes(
    weight: u32,
    decimals: u8,
    kg: bool,
    net: bool,
    negative: bool,
    motion: bool,
    over: bool,
) -> Vec<u8> {
    // bit 5 always set, increment x1 (bits 3-4 = 01), decimal position in bits 0-2
    let swa = 0b10_0000 | 0b1000 | (decimals + 2);
    let swb = 0b10_0000
        | u8::from(net)
        | (u8::from(negative) << 1)
        | (u8::from(over) << 2)
        | (u8::from(motion) << 3)
        | (u8::from(kg) << 4);
    let mut frame = vec![0x02, swa, swb, 0b10_0000];
    frame.extend_from_slice(format!("{:06}", weight % 1_000_000).as_bytes());
    frame.extend_from_slice(b"000000\r");
    let sum: u32 = frame.iter().map(|b| u32::from(*b)).sum();
    frame.push(((128 - sum % 128) % 128) as u8);
    frame
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn reading(status: ScaleStatus, mg: Option<i64>, net: bool, unit: Unit) -> Reading {
        Reading {
            status,
            milligrams: mg,
            net,
            unit,
        }
    }

    /// Feeds `bytes` in every split into two chunks and byte by byte; all must agree.
    fn check(protocol: Protocol, unit: Unit, bytes: &[u8], expected: &[Reading]) {
        let mut splits: Vec<Vec<&[u8]>> = (0..=bytes.len())
            .map(|i| vec![&bytes[..i], &bytes[i..]])
            .collect();
        splits.push(bytes.chunks(1).collect());
        for chunks in splits {
            let mut decoder = ScaleDecoder::new(protocol, unit);
            let got: Vec<Reading> = chunks.iter().flat_map(|c| decoder.push(c)).collect();
            assert_eq!(got, expected, "{protocol:?} {chunks:?}");
        }
    }

    #[test]
    fn mt_sics_frames() {
        let g = Unit::G;
        check(
            Protocol::MtSics,
            g,
            b"S S      12.35 g\r\n",
            &[reading(ScaleStatus::Stable, Some(12_350), false, g)],
        );
        check(
            Protocol::MtSics,
            g,
            b"S D      12.34 g\r\n",
            &[reading(ScaleStatus::Moving, Some(12_340), false, g)],
        );
        check(
            Protocol::MtSics,
            g,
            b"S S      -2.35 g\r\n",
            &[reading(ScaleStatus::Negative, Some(-2_350), false, g)],
        );
        check(
            Protocol::MtSics,
            g,
            b"S S     1.2345 kg\r\n",
            &[reading(
                ScaleStatus::Stable,
                Some(1_234_500),
                false,
                Unit::Kg,
            )],
        );
        check(
            Protocol::MtSics,
            g,
            b"S +\r\nS -\r\nS I\r\n",
            &[
                reading(ScaleStatus::Overload, None, false, g),
                reading(ScaleStatus::Underload, None, false, g),
                reading(ScaleStatus::NotReady, None, false, g),
            ],
        );
        // acknowledgements and errors carry no reading; garbage is dropped
        check(
            Protocol::MtSics,
            g,
            b"T S      25.00 g\r\nZ A\r\nES\r\n\xff\xfegarbage\r\nS S 1.00 g\r\n",
            &[reading(ScaleStatus::Stable, Some(1_000), false, g)],
        );
    }

    #[test]
    fn toledo_8217_frames() {
        let kg = Unit::Kg;
        check(
            Protocol::Toledo8217,
            kg,
            b"\x0201.234\r",
            &[reading(ScaleStatus::Stable, Some(1_234_000), false, kg)],
        );
        check(
            Protocol::Toledo8217,
            kg,
            b"\x0201.234N\r",
            &[reading(ScaleStatus::Stable, Some(1_234_000), true, kg)],
        );
        check(
            Protocol::Toledo8217,
            kg,
            b"\x02?A\r",
            &[reading(ScaleStatus::Moving, None, false, kg)],
        );
        check(
            Protocol::Toledo8217,
            kg,
            b"\x02?B\r",
            &[reading(ScaleStatus::Overload, None, false, kg)],
        );
        check(
            Protocol::Toledo8217,
            kg,
            b"\x02?D\r",
            &[reading(ScaleStatus::Underload, None, false, kg)],
        );
        check(
            Protocol::Toledo8217,
            kg,
            b"\x02?P\r",
            &[reading(ScaleStatus::Stable, Some(0), false, kg)],
        );
        // bit 6 is always set: '@' alone is at rest, gross
        check(
            Protocol::Toledo8217,
            kg,
            b"\x02?@\r",
            &[reading(ScaleStatus::Stable, Some(0), false, kg)],
        );
        check(
            Protocol::Toledo8217,
            Unit::Lb,
            b"\x02002.72\r",
            &[reading(
                ScaleStatus::Stable,
                Some(1_233_771),
                false,
                Unit::Lb,
            )],
        );
        check(
            Protocol::Toledo8217,
            kg,
            b"noise\x0201.000\r\x02xx\r",
            &[reading(ScaleStatus::Stable, Some(1_000_000), false, kg)],
        );
    }

    #[test]
    fn toledo_continuous_frames() {
        let stable = continuous_frame_bytes(1234, 3, true, false, false, false, false);
        // the reference frame: 1.234 kg gross, stable, tare 0
        assert_eq!(stable, b"\x02\x2D\x30\x20001234000000\r\x2A".to_vec());
        check(
            Protocol::ToledoContinuous,
            Unit::Kg,
            &stable,
            &[reading(
                ScaleStatus::Stable,
                Some(1_234_000),
                false,
                Unit::Kg,
            )],
        );
        let moving = continuous_frame_bytes(1234, 3, true, false, false, true, false);
        check(
            Protocol::ToledoContinuous,
            Unit::Kg,
            &moving,
            &[reading(
                ScaleStatus::Moving,
                Some(1_234_000),
                false,
                Unit::Kg,
            )],
        );
        let net_negative = continuous_frame_bytes(500, 1, false, true, true, false, false);
        check(
            Protocol::ToledoContinuous,
            Unit::Kg,
            &net_negative,
            &[reading(
                ScaleStatus::Negative,
                Some(-22_679_619),
                true,
                Unit::Lb,
            )],
        );
        let over = continuous_frame_bytes(0, 3, true, false, false, false, true);
        check(
            Protocol::ToledoContinuous,
            Unit::Kg,
            &over,
            &[reading(ScaleStatus::Overload, None, false, Unit::Kg)],
        );
        // joined mid-frame after opening: the partial frame and a corrupted one are dropped
        let mut stream = stable[7..].to_vec();
        let mut corrupt = stable.clone();
        corrupt[8] = b'9';
        stream.extend_from_slice(&corrupt);
        stream.extend_from_slice(&moving);
        check(
            Protocol::ToledoContinuous,
            Unit::Kg,
            &stream,
            &[reading(
                ScaleStatus::Moving,
                Some(1_234_000),
                false,
                Unit::Kg,
            )],
        );
    }

    #[test]
    fn and_d_and_cas_frames() {
        check(
            Protocol::AndD,
            Unit::G,
            b"ST,+00012.34  g\r\n",
            &[reading(ScaleStatus::Stable, Some(12_340), false, Unit::G)],
        );
        check(
            Protocol::AndD,
            Unit::G,
            b"US,+00012.30  g\r\n",
            &[reading(ScaleStatus::Moving, Some(12_300), false, Unit::G)],
        );
        check(
            Protocol::AndD,
            Unit::G,
            b"ST,NT,-0000.250 kg\r\n",
            &[reading(
                ScaleStatus::Negative,
                Some(-250_000),
                true,
                Unit::Kg,
            )],
        );
        check(
            Protocol::AndD,
            Unit::G,
            b"OL,+999999.9 g\r\n",
            &[reading(ScaleStatus::Overload, None, false, Unit::G)],
        );
        check(
            Protocol::Cas,
            Unit::Kg,
            b"ST,GS,\x01\x40   0.250kg\r\n",
            &[reading(ScaleStatus::Stable, Some(250_000), false, Unit::Kg)],
        );
        check(
            Protocol::Cas,
            Unit::Kg,
            b"US,NT,\x01\x40  -0.250kg\r\n",
            &[reading(ScaleStatus::Moving, Some(-250_000), true, Unit::Kg)],
        );
        check(
            Protocol::Cas,
            Unit::Kg,
            b"OL,GS,\x01\x40 ^^^^^^kg\r\n",
            &[reading(ScaleStatus::Overload, None, false, Unit::Kg)],
        );
    }

    proptest! {
        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            for protocol in [Protocol::MtSics, Protocol::Toledo8217, Protocol::ToledoContinuous, Protocol::AndD, Protocol::Cas] {
                let mut decoder = ScaleDecoder::new(protocol, Unit::Kg);
                for chunk in bytes.chunks(7) {
                    let _ = decoder.push(chunk);
                }
                prop_assert!(decoder.buffer.len() <= MAX_FRAME + 18);
            }
        }
    }
}
