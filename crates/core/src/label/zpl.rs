//! The ZPL backend: a described label's marks as ZPL (the printer draws the text in its
//! own font, and the barcodes from their data: `^BC` with explicit code sets and FNC1,
//! `^BX` ECC 200, `^BQ`), and a designer's raw ZPL with its placeholders filled. Every value
//! is escaped here, and only here: none can start a ZPL command.

use std::fmt::Write as _;

use super::marks::{self, Mark};
use super::template::{self, LoadedTemplate, Template};
use super::{LabelData, LabelError, code128};

pub(super) fn dots(mm: f32, dpi: u32) -> u32 {
    (mm * dpi as f32 / 25.4).round().max(0.0) as u32
}

/// Field data for `^FH_`: everything but plain ASCII letters, digits, space and harmless
/// punctuation becomes `_XX` (UTF-8 bytes in hex), so no value can start a ZPL command
/// (`^`, `~`), swallow the field (`\`) or break the escape (`_`).
pub fn zpl_escape(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b" .,:;-+/()#*&%!?=@'\"[]{}<>|$".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "_{b:02X}");
        }
    }
    out
}

/// Whether a Zebra's resident font 0 draws every character of `text`: printable ASCII and
/// Latin-1 (with `^CI28`); Greek, Cyrillic and the rest are sent as pictures.
pub fn font_zero_draws(text: &str) -> bool {
    text.chars()
        .all(|c| (' '..='~').contains(&c) || ('\u{a0}'..='\u{ff}').contains(&c))
}

/// A bitmap as a ZPL graphic field at dot (`x`, `y`): `^GFA` with its rows in hex (a set
/// bit prints).
fn graphic_field(z: &mut String, x: u32, y: u32, bitmap: &super::raster::Bitmap) {
    let rows = bitmap.packed_rows(true);
    let per_row = rows.first().map_or(0, Vec::len);
    let total = per_row * rows.len();
    let _ = write!(z, "^FO{x},{y}^GFA,{total},{total},{per_row},");
    for row in rows {
        for byte in row {
            let _ = write!(z, "{byte:02X}");
        }
    }
    z.push_str("^FS");
}

/// `^FD` for barcode data: only `^`, `~`, `\` and `_` are hex-escaped (under `^FH_`), so
/// invocation codes and the symbol's own characters reach the printer unchanged.
fn zpl_field(data: &str) -> String {
    if !data.contains(['^', '~', '\\', '_']) {
        return format!("^FD{data}");
    }
    let mut out = String::from("^FH_^FD");
    for c in data.chars() {
        match c {
            '^' | '~' | '\\' | '_' => {
                let _ = write!(out, "_{:02X}", c as u32);
            }
            other => out.push(other),
        }
    }
    out
}

/// ZPL for `copies` labels (`^PQ` when more than one). `dpi` is the printer's (203, 300, 600).
pub fn render_zpl(
    template: &LoadedTemplate,
    values: &LabelData,
    dpi: u32,
    copies: u32,
) -> Result<String, LabelError> {
    match template {
        LoadedTemplate::RawZpl { zpl, .. } => Ok(render_raw_zpl(zpl, values, copies)),
        LoadedTemplate::Described(t) => render_described_zpl(t, values, dpi, copies),
    }
}

/// A designer's ZPL with placeholders: every `^FD` that holds a placeholder gets `^FH_`
/// and escaped values; `^PQ` is set to `copies` (added before `^XZ` if absent).
pub(super) fn render_raw_zpl(zpl: &str, values: &LabelData, copies: u32) -> String {
    let mut out = String::new();
    let mut rest = zpl;
    // a field's data comes after ^FD, or ^FV (a variable field, as label designers write)
    let next_field = |text: &str| match (text.find("^FD"), text.find("^FV")) {
        (Some(d), Some(v)) => Some(d.min(v)),
        (d, v) => d.or(v),
    };
    while let Some(start) = next_field(rest) {
        let (before, field) = rest.split_at(start);
        out.push_str(before);
        let end = field.find("^FS").unwrap_or(field.len());
        let (data, after) = field.split_at(end);
        if data.contains('{') && template::placeholders_in(data).is_ok_and(|p| !p.is_empty()) {
            if !out.trim_end().ends_with("^FH_") && !out.trim_end().ends_with("^FH") {
                out.push_str("^FH_");
            }
            out.push_str(&template::fill(data, |name| zpl_escape(values.get(name))));
        } else {
            out.push_str(data);
        }
        rest = after;
        if let Some(tail) = rest.strip_prefix("^FS") {
            out.push_str("^FS");
            rest = tail;
        }
    }
    out.push_str(rest);
    if let Some(pq) = out.find("^PQ") {
        let end = out[pq + 3..]
            .find(['^', '~'])
            .map(|i| pq + 3 + i)
            .unwrap_or(out.len());
        out.replace_range(pq..end, &format!("^PQ{copies}"));
    } else if copies > 1
        && let Some(xz) = out.rfind("^XZ")
    {
        out.insert_str(xz, &format!("^PQ{copies}"));
    }
    out
}

fn render_described_zpl(
    t: &Template,
    values: &LabelData,
    dpi: u32,
    copies: u32,
) -> Result<String, LabelError> {
    let label = marks::resolve(t, values, dpi)?;
    let d = |mm: f32| dots(mm, dpi);
    let mut z = String::new();
    let _ = write!(
        z,
        "^XA^CI28^PW{}^LL{}^LH0,0",
        d(label.width_mm),
        d(label.height_mm)
    );
    for mark in &label.marks {
        match mark {
            // the printer's own font 0 (a condensed face) is narrower than the DejaVu Sans
            // the text was fitted by, so what fits there fits here; a line per field
            Mark::Text {
                x_mm,
                y_mm,
                size_mm,
                lines,
            } => {
                let size = d(*size_mm).max(8);
                let (x, y) = (d(*x_mm), d(*y_mm));
                for (i, line) in lines.iter().enumerate() {
                    // text the printer's font 0 has no glyphs for (Greek, Cyrillic, "…")
                    // travels as a picture drawn by our font renderer, dot for dot the PNG's
                    if !font_zero_draws(line) {
                        let (ox, oy, patch) =
                            super::raster::text_patch(*x_mm, *y_mm, *size_mm, i, line, dpi);
                        graphic_field(&mut z, ox, oy, &patch);
                        continue;
                    }
                    let _ = write!(
                        z,
                        "^FO{x},{}^A0N,{size},{size}^FH_^FD{}^FS",
                        y + (i as f32 * size as f32 * super::flow::LINE_PITCH).round() as u32,
                        zpl_escape(line)
                    );
                }
            }
            Mark::Code128 {
                x_mm,
                y_mm,
                height_mm,
                module_dots,
                data,
                symbols,
                ..
            } => {
                let field = code128::zpl_input(symbols).map_err(|e| LabelError::Barcode {
                    kind: t.kind.name().to_string(),
                    data: data.clone(),
                    message: e.to_string(),
                })?;
                let _ = write!(
                    z,
                    "^FO{},{}^BY{module_dots}^BCN,{},N,N,N,N{}^FS",
                    d(*x_mm),
                    d(*y_mm),
                    d(*height_mm),
                    zpl_field(&field)
                );
            }
            Mark::DataMatrix {
                x_mm,
                y_mm,
                module_dots,
                element_string,
                ..
            } => {
                // escape character '_': _1 is FNC1, __ a literal underscore
                let field: String = element_string
                    .chars()
                    .map(|c| match c {
                        '\u{1d}' => "_1".to_string(),
                        '_' => "__".to_string(),
                        other => other.to_string(),
                    })
                    .collect();
                let _ = write!(
                    z,
                    "^FO{},{}^BXN,{module_dots},200,,,,_^FD_1{field}^FS",
                    d(*x_mm),
                    d(*y_mm)
                );
            }
            // escaped like any barcode's data: `^` or `~` in a URI cannot start a command
            Mark::Qr {
                x_mm,
                y_mm,
                module_dots,
                data,
                ..
            } => {
                let _ = write!(
                    z,
                    "^FO{},{}^BQN,2,{module_dots}{}^FS",
                    d(*x_mm),
                    d(*y_mm),
                    zpl_field(&format!("MA,{data}"))
                );
            }
            Mark::Fill {
                x_mm,
                y_mm,
                width_mm,
                height_mm,
            } => {
                let (w, h) = (d(*width_mm).max(1), d(*height_mm).max(1));
                let _ = write!(z, "^FO{},{}^GB{w},{h},{}^FS", d(*x_mm), d(*y_mm), w.min(h));
            }
            Mark::Frame {
                x_mm,
                y_mm,
                width_mm,
                height_mm,
                thickness_mm,
            } => {
                let _ = write!(
                    z,
                    "^FO{},{}^GB{},{},{}^FS",
                    d(*x_mm),
                    d(*y_mm),
                    d(*width_mm).max(1),
                    d(*height_mm).max(1),
                    d(*thickness_mm).max(1)
                );
            }
        }
    }
    if copies > 1 {
        let _ = write!(z, "^PQ{copies}");
    }
    z.push_str("^XZ\n");
    Ok(z)
}
