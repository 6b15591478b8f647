//! Layout by flow: a template that is a stack of rows (a text, a barcode, or texts beside a
//! 2-D code) placed top to bottom on whichever stock it is printed on. A text that wraps
//! pushes what follows down; what does not fit shrinks (to 70 % at the least), then drops
//! the rows the template marks `optional` (the lowest number first), then is refused naming
//! the template, the stock and what does not fit. Every mark's box is placed below the last
//! one and inside the label's margins, so nothing overlaps and nothing leaves the label, in
//! any script: the boxes are the font's own (ascent to descent), as `pdftotext -bbox` reads
//! them.

use crate::gs1::Message;
use crate::pdf::{self, Font};

use super::marks::{Mark, code128_mark, matrix_mark};
use super::template::{Symbology, Template};
use super::{LabelData, LabelError, template};

/// A text line's box, top to bottom, in ems: DejaVu Sans's ascent and descent.
pub const ASCENT: f32 = 0.928;
pub const DESCENT: f32 = 0.236;
/// From one line's top to the next's.
pub const LINE_PITCH: f32 = 1.2;

/// The scales tried before rows are dropped.
const SCALES: [f32; 4] = [1.0, 0.9, 0.8, 0.7];

/// One row of a flow template, as written.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Row {
    /// a text row: the text, with placeholders
    pub text: Option<String>,
    /// character size (em) in millimetres at full scale
    #[serde(default = "default_size")]
    pub size_mm: f32,
    /// at most this many lines (a line break in the data starts a line; with one line it
    /// becomes ", ")
    #[serde(default = "one")]
    pub lines: u32,
    /// the last line may end in "…" when the text is longer than its lines
    #[serde(default)]
    pub ellipsis: bool,
    /// a barcode row: its symbology and data
    pub barcode: Option<Symbology>,
    pub data: Option<String>,
    /// bar height of a 1-D symbol at full scale
    #[serde(default = "default_bar")]
    pub height_mm: f32,
    /// the narrowest bar (or 2-D module) in printer dots, at most: a 1-D symbol wider than
    /// the label is drawn with narrower bars, down to 2 dots
    #[serde(default = "default_module")]
    pub module_dots: u32,
    /// the text under a 1-D symbol
    #[serde(default)]
    pub human_readable: bool,
    /// the open-jar symbol with this text in it (`{pao}`: `12M`, a cosmetic's period after
    /// opening), drawn at `size_mm`; left off when the text is empty
    pub jar: Option<String>,
    /// a row of both: these texts, one under another, with `code` (a 2-D code, or a `jar`)
    /// at the right
    #[serde(default, rename = "column")]
    pub texts: Vec<Row>,
    pub code: Option<Box<Row>>,
    /// dropped when the label is short of room: the lowest number first
    pub optional: Option<u32>,
}

fn default_size() -> f32 {
    3.5
}
fn one() -> u32 {
    1
}
fn default_bar() -> f32 {
    10.0
}
fn default_module() -> u32 {
    2
}

/// Why a template cannot be laid out on its label.
#[derive(Debug, Clone, PartialEq)]
pub struct NoFit(pub String);

/// The area rows are laid out in, and the printer's resolution.
struct Area {
    left: f32,
    width: f32,
    top: f32,
    /// the bottom edge of the printable area (`f32::INFINITY` on endless tape)
    bottom: f32,
    dpi: u32,
}

/// The template's rows on its stock (`t.width_mm` × `t.height_mm`, its margins): the
/// marks and the label's height (the stock's, or the content's on endless tape).
pub fn layout(t: &Template, values: &LabelData, dpi: u32) -> Result<(Vec<Mark>, f32), LabelError> {
    let fill = |text: &str| template::fill(text, |name| values.get(name).to_string());
    let area = Area {
        left: t.margin_x_mm,
        width: t.width_mm - 2.0 * t.margin_x_mm,
        top: t.margin_y_mm,
        bottom: if t.height_mm > 0.0 {
            t.height_mm - t.margin_y_mm
        } else {
            f32::INFINITY
        },
        dpi,
    };
    // the optional rows and codes, in the order they are dropped
    let mut optional: Vec<u32> = t
        .rows
        .iter()
        .flat_map(|r| {
            std::iter::once(r.optional)
                .chain(r.texts.iter().map(|c| c.optional))
                .chain(r.code.iter().map(|c| c.optional))
        })
        .flatten()
        .collect();
    optional.sort_unstable();
    optional.dedup();
    let mut last = NoFit(String::new());
    // shrink; then drop the optional rows one by one; last, texts that may end in "…" keep
    // to one line
    let attempts = (0..=optional.len())
        .flat_map(|dropped| SCALES.map(|scale| (dropped, scale, false)))
        .chain(SCALES.map(|scale| (optional.len(), scale, true)));
    for (dropped, scale, tight) in attempts {
        match place(&t.rows, &fill, &area, scale, &optional[..dropped], tight) {
            Ok((marks, end)) => {
                let height = if t.height_mm > 0.0 {
                    t.height_mm
                } else {
                    end + t.margin_y_mm
                };
                return Ok((marks, height));
            }
            Err(e) => last = e,
        }
    }
    let stock = t.stock.as_deref().unwrap_or("its label");
    Err(LabelError::Fit {
        kind: t.kind.name().to_string(),
        stock: stock.to_string(),
        size: if t.height_mm > 0.0 {
            format!("{} × {} mm", t.width_mm, t.height_mm)
        } else {
            format!("{} mm endless", t.width_mm)
        },
        what: last.0,
    })
}

/// One attempt: every row not dropped, at `scale`; the marks and where the last one ends.
fn place(
    rows: &[Row],
    fill: &dyn Fn(&str) -> String,
    area: &Area,
    scale: f32,
    gone: &[u32],
    tight: bool,
) -> Result<(Vec<Mark>, f32), NoFit> {
    let kept = |r: &Row| r.optional.is_none_or(|o| !gone.contains(&o));
    let gap = 1.0 * scale;
    let mut marks = Vec::new();
    let mut y = area.top;
    let mut first = true;
    for row in rows.iter().filter(|r| kept(r)) {
        let start = if first { y } else { y + gap };
        let at = At {
            x: area.left,
            width: area.width,
            y: start,
            scale,
            tight,
            dpi: area.dpi,
        };
        let placed = if !row.texts.is_empty() || row.code.is_some() {
            let before = marks.len();
            let end = pair(row, fill, at, gone, &mut marks)?;
            // a row whose texts and code are all empty takes no room
            if marks.len() == before {
                continue;
            }
            end
        } else if let Some(text) = &row.text {
            let words = fill(text);
            if words.trim().is_empty() {
                continue;
            }
            text_block(row, &words, at, &mut marks)?
        } else if let Some(symbology) = row.barcode {
            let data = fill(row.data.as_deref().unwrap_or_default());
            if data.is_empty() {
                continue;
            }
            barcode(row, symbology, &data, at, &mut marks)?
        } else if let Some(text) = &row.jar {
            let words = fill(text);
            if words.trim().is_empty() {
                continue;
            }
            let (jar, _, height) = jar(&words, at.x, at.y, row.size_mm * scale);
            marks.extend(jar);
            at.y + height
        } else {
            continue;
        };
        first = false;
        y = placed;
        if y > area.bottom + 0.01 {
            return Err(NoFit(format!(
                "its rows need {:.1} mm of height and the label has {:.1} mm",
                y - area.top,
                area.bottom - area.top
            )));
        }
    }
    Ok((marks, y))
}

/// A text's lines in `width` at `size`: a line break in the data starts a new line where
/// the row has room for several (", " where it has one), words wrap, a word longer than
/// the line is broken; more lines than allowed end in "…" where the row allows it, else
/// do not fit.
pub fn wrap(
    text: &str,
    size: f32,
    width: f32,
    max_lines: u32,
    ellipsis: bool,
) -> Option<Vec<String>> {
    let fits = |t: &str| pdf::text_width(Font::Regular, size, t) <= width;
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let paragraphs: Vec<String> = if max_lines > 1 {
        text.split('\n')
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
            .collect()
    } else {
        vec![one_line(&text)]
    };
    let mut lines: Vec<String> = Vec::new();
    for paragraph in paragraphs {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            let candidate = if line.is_empty() {
                word.to_string()
            } else {
                format!("{line} {word}")
            };
            if fits(&candidate) {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            // a word longer than the line: broken where it must be
            let mut rest = word.to_string();
            while !fits(&rest) {
                let chars: Vec<char> = rest.chars().collect();
                let mut take = chars.len() - 1;
                while take > 1 && !fits(&chars[..take].iter().collect::<String>()) {
                    take -= 1;
                }
                lines.push(chars[..take].iter().collect());
                rest = chars[take..].iter().collect();
            }
            line = rest;
        }
        if !line.is_empty() {
            lines.push(line);
        }
    }
    if lines.len() as u32 > max_lines {
        if !ellipsis {
            return None;
        }
        lines.truncate(max_lines as usize);
        let last = lines.last_mut()?;
        let mut chars: Vec<char> = last.chars().collect();
        while !chars.is_empty()
            && !fits(&format!("{}…", chars.iter().collect::<String>().trim_end()))
        {
            chars.pop();
        }
        *last = format!("{}…", chars.iter().collect::<String>().trim_end());
    }
    Some(lines)
}

/// A value's line breaks as ", " (an address on one line).
pub fn one_line(text: &str) -> String {
    text.replace("\r\n", "\n")
        .replace('\r', "\n")
        .split('\n')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

fn box_height(lines: usize, size: f32) -> f32 {
    if lines == 0 {
        return 0.0;
    }
    size * (LINE_PITCH * (lines - 1) as f32 + ASCENT + DESCENT)
}

/// Where a row goes and how: its left edge and width, its top, the scale of this attempt,
/// whether texts that may end in "…" keep to one line, the printer's resolution.
#[derive(Debug, Clone, Copy)]
struct At {
    x: f32,
    width: f32,
    y: f32,
    scale: f32,
    tight: bool,
    dpi: u32,
}

/// A text row: its mark; where it ends.
fn text_block(row: &Row, words: &str, at: At, marks: &mut Vec<Mark>) -> Result<f32, NoFit> {
    let At {
        x,
        width,
        y,
        scale,
        tight,
        ..
    } = at;
    let size = row.size_mm * scale;
    let max_lines = if tight && row.ellipsis {
        1
    } else {
        row.lines.max(1)
    };
    let lines = wrap(words, size, width, max_lines, row.ellipsis).ok_or_else(|| {
        NoFit(format!(
            "the text {:?} needs more than {} at {:.1} mm wide",
            one_line(words),
            crate::counted(row.lines.max(1), "line"),
            width
        ))
    })?;
    let height = box_height(lines.len(), size);
    marks.push(Mark::Text {
        x_mm: x,
        y_mm: y,
        size_mm: size,
        lines,
    });
    Ok(y + height)
}

/// A barcode row (a 1-D symbol with its text under it, or a 2-D code): its marks; where
/// it ends.
fn barcode(
    row: &Row,
    symbology: Symbology,
    data: &str,
    at: At,
    marks: &mut Vec<Mark>,
) -> Result<f32, NoFit> {
    let At {
        x,
        width,
        y,
        scale,
        dpi,
        ..
    } = at;
    let mm_per_dot = 25.4 / dpi as f32;
    match symbology {
        Symbology::Code128 | Symbology::Gs1_128 => {
            let (mut mark, hri) = code128_mark(symbology, data, x, y).map_err(NoFit)?;
            let Mark::Code128 {
                modules,
                module_dots,
                height_mm,
                ..
            } = &mut mark
            else {
                unreachable!("a Code 128 mark");
            };
            // narrower bars where the symbol is wider than the label, down to 2 dots
            let mut dots_each = row.module_dots.max(1);
            while dots_each > 2 && modules.len() as f32 * dots_each as f32 * mm_per_dot > width {
                dots_each -= 1;
            }
            let wide = modules.len() as f32 * dots_each as f32 * mm_per_dot;
            if wide > width + 0.01 {
                return Err(NoFit(format!(
                    "the barcode of {data} is {wide:.1} mm wide and the label has {width:.1} mm"
                )));
            }
            *module_dots = dots_each;
            // bars shrink with the rest; at the last stage to half their height (5 mm at
            // the least: still a comfortable scan)
            let bars = if at.tight {
                (row.height_mm * 0.5).max(5.0).min(row.height_mm)
            } else {
                (row.height_mm * scale).max(row.height_mm * 0.5).max(4.0)
            };
            *height_mm = bars;
            marks.push(mark);
            let mut end = y + bars;
            if row.human_readable {
                let size = (2.8 * scale).max(2.2);
                let lines = wrap(&hri, size, width, 1, false).ok_or_else(|| {
                    NoFit(format!(
                        "the text under the barcode, {hri}, is wider than the label"
                    ))
                })?;
                let top = end + 0.5;
                marks.push(Mark::Text {
                    x_mm: x,
                    y_mm: top,
                    size_mm: size,
                    lines,
                });
                end = top + box_height(1, size);
            }
            Ok(end)
        }
        Symbology::Gs1Datamatrix | Symbology::Qr => {
            let mut dots_each = row.module_dots.max(1);
            let mut mark = matrix_mark(symbology, data, x, y, dots_each).map_err(NoFit)?;
            let side = |m: &Mark, d: u32| match m {
                Mark::DataMatrix { dark, .. } | Mark::Qr { dark, .. } => {
                    let n = dark.iter().map(|(c, r)| (*c).max(*r)).max().unwrap_or(0) + 1;
                    n as f32 * d as f32 * mm_per_dot
                }
                _ => 0.0,
            };
            while dots_each > 2 && side(&mark, dots_each) > width {
                dots_each -= 1;
            }
            if side(&mark, dots_each) > width + 0.01 {
                return Err(NoFit(format!(
                    "the 2-D code of {data} is wider than the label"
                )));
            }
            set_module(&mut mark, dots_each);
            let end = y + side(&mark, dots_each);
            marks.push(mark);
            Ok(end)
        }
    }
}

fn set_module(mark: &mut Mark, dots: u32) {
    if let Mark::DataMatrix { module_dots, .. } | Mark::Qr { module_dots, .. } = mark {
        *module_dots = dots;
    }
}

/// A row of both: its texts one under another at the left, its 2-D code at the right
/// (the texts take the whole width when the code is dropped or empty).
fn pair(
    row: &Row,
    fill: &dyn Fn(&str) -> String,
    at: At,
    gone: &[u32],
    marks: &mut Vec<Mark>,
) -> Result<f32, NoFit> {
    let At { y, scale, .. } = at;
    let mm_per_dot = 25.4 / at.dpi as f32;
    let code = row
        .code
        .as_deref()
        .filter(|c| c.optional.is_none_or(|o| !gone.contains(&o)))
        .and_then(|c| {
            let data = fill(c.data.as_deref().or(c.jar.as_deref()).unwrap_or_default());
            (!data.trim().is_empty()).then_some((c, data))
        });
    let mut code_side = 0.0;
    let mut code_mark = None;
    let mut jar_marks = Vec::new();
    let mut jar_height = 0.0;
    if let Some((c, text)) = code.as_ref().filter(|(c, _)| c.jar.is_some()) {
        let size = c.size_mm * scale;
        let (_, width, _) = jar(text, 0.0, y, size);
        let (drawn, _, height) = jar(text, at.x + at.width - width, y, size);
        (code_side, jar_height, jar_marks) = (width, height, drawn);
    } else if let Some((c, data)) = code {
        let symbology = c.barcode.unwrap_or(Symbology::Qr);
        // the code shrinks with the row: fewer dots a module, down to 2
        let want = ((c.module_dots as f32 * scale).round() as u32).max(2);
        let mark = matrix_mark(symbology, &data, 0.0, y, want).map_err(NoFit)?;
        let n = match &mark {
            Mark::DataMatrix { dark, .. } | Mark::Qr { dark, .. } => {
                dark.iter().map(|(c, r)| (*c).max(*r)).max().unwrap_or(0) + 1
            }
            _ => 0,
        };
        code_side = n as f32 * want as f32 * mm_per_dot;
        let x = at.x + at.width - code_side;
        let mark = match mark {
            Mark::DataMatrix {
                y_mm,
                module_dots,
                element_string,
                dark,
                ..
            } => Mark::DataMatrix {
                x_mm: x,
                y_mm,
                module_dots,
                element_string,
                dark,
            },
            Mark::Qr {
                y_mm,
                module_dots,
                data,
                dark,
                ..
            } => Mark::Qr {
                x_mm: x,
                y_mm,
                module_dots,
                data,
                dark,
            },
            other => other,
        };
        code_mark = Some(mark);
    }
    let text_width = if code_mark.is_some() || !jar_marks.is_empty() {
        at.width - code_side - 1.5
    } else {
        at.width
    };
    if text_width < 8.0 {
        return Err(NoFit(format!(
            "the 2-D code is {code_side:.1} mm wide and leaves no room for its texts"
        )));
    }
    let mut end = y;
    let mut first = true;
    for text in row
        .texts
        .iter()
        .filter(|t| t.optional.is_none_or(|o| !gone.contains(&o)))
    {
        let Some(words) = text.text.as_deref().map(fill) else {
            continue;
        };
        if words.trim().is_empty() {
            continue;
        }
        let start = if first { end } else { end + 0.6 * scale };
        let column = At {
            width: text_width,
            y: start,
            ..at
        };
        end = text_block(text, &words, column, marks)?;
        first = false;
    }
    if let Some(mark) = code_mark {
        marks.push(mark);
    }
    marks.extend(jar_marks);
    Ok(end.max(y + code_side).max(y + jar_height))
}

/// The open-jar symbol (EU Cosmetics Regulation, Annex VII: a jar with its lid lifted) with
/// `text` in it, its top-left at (`x`, `y`), its text `size` high: the marks, its width and
/// its height. Every part lies inside that box.
fn jar(text: &str, x: f32, y: f32, size: f32) -> (Vec<Mark>, f32, f32) {
    let pad = 0.3 * size;
    let line = (0.08 * size).max(0.25);
    let text_width = pdf::text_width(Font::Regular, size, text);
    let body_width = text_width + 2.0 * pad + 2.0 * line;
    let body_height = box_height(1, size) + 2.0 * pad;
    let lid_height = line;
    let lift = 0.25 * size;
    let body_top = y + lid_height + lift;
    let marks = vec![
        // the lid, lifted and pushed aside
        Mark::Fill {
            x_mm: x,
            y_mm: y,
            width_mm: body_width * 0.8,
            height_mm: lid_height,
        },
        Mark::Frame {
            x_mm: x,
            y_mm: body_top,
            width_mm: body_width,
            height_mm: body_height,
            thickness_mm: line,
        },
        Mark::Text {
            x_mm: x + line + pad,
            y_mm: body_top + pad,
            size_mm: size,
            lines: vec![text.to_string()],
        },
    ];
    (marks, body_width, body_top + body_height - y)
}

/// The 2-D code data of a GS1 element string in brackets, for a DataMatrix.
pub fn gs1_element_string(data: &str) -> Result<String, String> {
    Message::parse_hri(data)
        .and_then(|m| m.to_element_string())
        .map_err(|e| e.to_string())
}
