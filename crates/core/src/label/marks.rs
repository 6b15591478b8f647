//! A label as data: a described template filled with its values once, into marks (fitted
//! text runs, Code 128 symbols, DataMatrix and QR modules, filled and outlined rectangles).
//! Every output language is a backend over these marks: ZPL (`mod.rs`, the printer draws
//! text and barcodes from the marks' data), and the painter (`mod.rs`) that draws them on a
//! PDF page or a printer's bitmap (PNG, TSPL, Brother QL). Positions are millimetres from
//! the label's top-left corner (each backend places them on its own grid); module sizes are
//! whole printer dots.

use crate::gs1::Message;
use crate::pdf::{self, Font};

use super::template::{Element, LabelKind, Symbology, Template};
use super::{LabelData, LabelError, code128, template};

/// One thing on a label.
#[derive(Debug, Clone, PartialEq)]
pub enum Mark {
    /// text fitted to the label's width: `lines` one under another at `size_mm`, the
    /// first line's top at `y_mm`
    Text {
        x_mm: f32,
        y_mm: f32,
        size_mm: f32,
        lines: Vec<String>,
    },
    /// a Code 128 or GS1-128 symbol of `data` (as the template's element filled it): its
    /// symbol values (code sets and FNC1 chosen) and the bars they make, one byte per module
    Code128 {
        x_mm: f32,
        y_mm: f32,
        height_mm: f32,
        module_dots: u32,
        data: String,
        symbols: Vec<code128::Symbol>,
        modules: Vec<u8>,
    },
    /// a GS1 DataMatrix (ECC 200, FNC1 first) of `element_string`, its dark modules as
    /// (column, row)
    DataMatrix {
        x_mm: f32,
        y_mm: f32,
        module_dots: u32,
        element_string: String,
        dark: Vec<(usize, usize)>,
    },
    /// a QR code (error correction M) of printable ASCII `data`, its dark modules
    Qr {
        x_mm: f32,
        y_mm: f32,
        module_dots: u32,
        data: String,
        dark: Vec<(usize, usize)>,
    },
    /// a filled rectangle (a template's line)
    Fill {
        x_mm: f32,
        y_mm: f32,
        width_mm: f32,
        height_mm: f32,
    },
    /// an outlined rectangle (a template's box)
    Frame {
        x_mm: f32,
        y_mm: f32,
        width_mm: f32,
        height_mm: f32,
        thickness_mm: f32,
    },
}

/// A resolved label: its size and its marks, in the template's order.
#[derive(Debug, Clone, PartialEq)]
pub struct Marks {
    pub kind: LabelKind,
    pub width_mm: f32,
    pub height_mm: f32,
    pub marks: Vec<Mark>,
}

/// The smallest a text may shrink to before it wraps, as a share of its size.
pub const SHRINK_TO: f32 = 0.7;

/// The gap between a text and the label's right edge, in millimetres.
const RIGHT_MARGIN_MM: f32 = 1.0;

/// How `text` is set in `width` at `size` (any one unit for both): the size it shrinks to
/// (down to `SHRINK_TO` of it) and its lines. Past that it wraps at spaces onto at most
/// two lines, and a last line still too long ends in `…` at a whole character: never cut
/// mid-glyph. Measured by DejaVu Sans's widths, the font the PDF and raster backends draw.
pub fn fit_text(text: &str, size: f32, width: f32) -> (f32, Vec<String>) {
    let fits = |t: &str, s: f32| pdf::text_width(Font::Regular, s, t) <= width;
    if fits(text, size) {
        return (size, vec![text.to_string()]);
    }
    let smallest = size * SHRINK_TO;
    let needed = size * width / pdf::text_width(Font::Regular, size, text);
    if needed >= smallest {
        return (needed, vec![text.to_string()]);
    }
    // wrap at word boundaries, at the smallest size
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if fits(&candidate, smallest) || line.is_empty() {
            line = candidate;
        } else {
            lines.push(std::mem::take(&mut line));
            line = word.to_string();
        }
    }
    lines.push(line);
    if lines.len() > 2 {
        let rest = lines.split_off(1).join(" ");
        lines.push(rest);
    }
    for line in &mut lines {
        if !fits(line, smallest) {
            let mut chars: Vec<char> = line.chars().collect();
            while !chars.is_empty()
                && !fits(&format!("{}…", chars.iter().collect::<String>()), smallest)
            {
                chars.pop();
            }
            *line = format!("{}…", chars.iter().collect::<String>().trim_end());
        }
    }
    (smallest, lines)
}

fn barcode_error(kind: LabelKind, data: &str, message: impl ToString) -> LabelError {
    LabelError::Barcode {
        kind: kind.name().to_string(),
        data: data.to_string(),
        message: message.to_string(),
    }
}

/// Code 128 symbols and the human-readable line for a 1-D element.
fn code128_symbols(
    symbology: Symbology,
    data: &str,
) -> Result<(Vec<code128::Symbol>, String), String> {
    match symbology {
        Symbology::Gs1_128 => {
            let message = Message::parse_hri(data).map_err(|e| e.to_string())?;
            let element_string = message.to_element_string().map_err(|e| e.to_string())?;
            Ok((code128::gs1(&element_string), message.to_hri()))
        }
        _ => Ok((code128::plain(data), data.to_string())),
    }
}

/// A Code 128 or GS1-128 mark of `data` at (`x`, `y`) (height and module size to be set by
/// the caller) and its human-readable line; why `data` cannot be one.
pub(super) fn code128_mark(
    symbology: Symbology,
    data: &str,
    x_mm: f32,
    y_mm: f32,
) -> Result<(Mark, String), String> {
    let (symbols, hri) = code128_symbols(symbology, data)?;
    let modules = code128::modules(&symbols).map_err(|e| e.to_string())?;
    Ok((
        Mark::Code128 {
            x_mm,
            y_mm,
            height_mm: 0.0,
            module_dots: 1,
            data: data.to_string(),
            symbols,
            modules,
        },
        hri,
    ))
}

/// A GS1 DataMatrix or QR mark of `data` at (`x`, `y`); why `data` cannot be one.
pub(super) fn matrix_mark(
    symbology: Symbology,
    data: &str,
    x_mm: f32,
    y_mm: f32,
    module_dots: u32,
) -> Result<Mark, String> {
    match symbology {
        Symbology::Gs1Datamatrix => {
            let element_string = Message::parse_hri(data)
                .and_then(|m| m.to_element_string())
                .map_err(|e| e.to_string())?;
            let symbol = datamatrix::DataMatrix::encode_gs1(
                element_string.as_bytes(),
                datamatrix::SymbolList::default(),
            )
            .map_err(|e| format!("{e:?}"))?;
            Ok(Mark::DataMatrix {
                x_mm,
                y_mm,
                module_dots,
                element_string,
                dark: symbol.bitmap().pixels().collect(),
            })
        }
        _ => {
            if !data.bytes().all(|b| b.is_ascii_graphic()) {
                return Err("QR data must be printable ASCII (percent-encode URIs)".into());
            }
            let code =
                qrcode::QrCode::with_error_correction_level(data.as_bytes(), qrcode::EcLevel::M)
                    .map_err(|e| e.to_string())?;
            let width = code.width();
            let dark = code
                .to_colors()
                .into_iter()
                .enumerate()
                .filter(|(_, c)| *c == qrcode::Color::Dark)
                .map(|(i, _)| (i % width, i / width))
                .collect();
            Ok(Mark::Qr {
                x_mm,
                y_mm,
                module_dots,
                data: data.to_string(),
                dark,
            })
        }
    }
}

/// The template filled with `values` for a printer at `dpi`: text fitted, barcodes encoded
/// (a value no symbol can carry is refused here, for every language alike). Empty texts and
/// barcodes are left out. A flow template is laid out on its stock (`flow`); a template of
/// coordinates is placed as written.
pub fn resolve(t: &Template, values: &LabelData, dpi: u32) -> Result<Marks, LabelError> {
    if !t.rows.is_empty() {
        let (marks, height_mm) = super::flow::layout(t, values, dpi)?;
        return Ok(Marks {
            kind: t.kind,
            width_mm: t.width_mm,
            height_mm,
            marks,
        });
    }
    let fill = |data: &str| template::fill(data, |name| values.get(name).to_string());
    let text = |x_mm: f32, y_mm: f32, size_mm: f32, text: String| {
        let room = (t.width_mm - RIGHT_MARGIN_MM - x_mm).max(size_mm);
        // a line break in the data (an address) reads ", " on a line of its own
        let (size_mm, lines) = fit_text(&super::flow::one_line(&text), size_mm, room);
        Mark::Text {
            x_mm,
            y_mm,
            size_mm,
            lines,
        }
    };
    let mut marks = Vec::with_capacity(t.elements.len() + 2);
    for element in &t.elements {
        match element {
            Element::Text {
                x_mm,
                y_mm,
                height_mm,
                text: words,
            } => {
                let words = fill(words);
                if !words.is_empty() {
                    marks.push(text(*x_mm, *y_mm, *height_mm, words));
                }
            }
            Element::Barcode {
                symbology,
                x_mm,
                y_mm,
                height_mm,
                module_dots,
                data,
                human_readable,
            } => {
                let data = fill(data);
                if data.is_empty() {
                    continue;
                }
                let (x_mm, y_mm) = (*x_mm, *y_mm);
                match symbology {
                    Symbology::Code128 | Symbology::Gs1_128 => {
                        let (mut mark, hri) = code128_mark(*symbology, &data, x_mm, y_mm)
                            .map_err(|m| barcode_error(t.kind, &data, m))?;
                        if let Mark::Code128 {
                            height_mm: h,
                            module_dots: m,
                            ..
                        } = &mut mark
                        {
                            (*h, *m) = (*height_mm, *module_dots);
                        }
                        marks.push(mark);
                        if *human_readable {
                            marks.push(text(x_mm, y_mm + height_mm + 1.0, 2.8, hri));
                        }
                    }
                    Symbology::Gs1Datamatrix | Symbology::Qr => marks.push(
                        matrix_mark(*symbology, &data, x_mm, y_mm, *module_dots)
                            .map_err(|m| barcode_error(t.kind, &data, m))?,
                    ),
                }
            }
            Element::Line {
                x_mm,
                y_mm,
                width_mm,
                height_mm,
            } => marks.push(Mark::Fill {
                x_mm: *x_mm,
                y_mm: *y_mm,
                width_mm: *width_mm,
                height_mm: *height_mm,
            }),
            Element::Box {
                x_mm,
                y_mm,
                width_mm,
                height_mm,
                thickness_mm,
            } => marks.push(Mark::Frame {
                x_mm: *x_mm,
                y_mm: *y_mm,
                width_mm: *width_mm,
                height_mm: *height_mm,
                thickness_mm: *thickness_mm,
            }),
        }
    }
    Ok(Marks {
        kind: t.kind,
        width_mm: t.width_mm,
        height_mm: t.height_mm,
        marks,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_shrinks_then_wraps_at_words_then_ends_in_an_ellipsis() {
        let width = pdf::text_width(Font::Regular, 10.0, "Lavender essential oil");
        assert_eq!(
            fit_text("Lavender essential oil", 10.0, width + 1.0),
            (10.0, vec!["Lavender essential oil".to_string()])
        );
        // a little too long: smaller, on one line
        let (size, lines) = fit_text("Lavender essential oils", 10.0, width);
        assert!(
            (7.0..10.0).contains(&size) && lines.len() == 1,
            "{size} {lines:?}"
        );
        // much too long: two lines at the smallest size, broken between words
        let long = "Lavender essential oil from the high plateau of Valensole, Provence, France";
        let (size, lines) = fit_text(long, 10.0, width);
        assert_eq!(size, 7.0);
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(
            lines[0].ends_with(|c: char| c.is_alphanumeric()),
            "{lines:?}"
        );
        assert!(lines[1].ends_with('…'), "{lines:?}");
        for line in &lines {
            assert!(
                pdf::text_width(Font::Regular, size, line) <= width,
                "{line}"
            );
        }
    }
}
