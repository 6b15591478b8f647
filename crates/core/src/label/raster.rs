//! Labels for printers that take a picture: the same marks as the PDF (`pdf::Surface`),
//! rasterised to one bit per printer dot (a dot is black when its centre is inside a mark;
//! barcode modules are whole dots already), then written as a PNG preview or as TSPL
//! `BITMAP` commands for generic thermal printers. Pure: data in, bytes out.

use crate::pdf::{self, Font, Surface};

/// One bit per printer dot, rows from the top; `true` is black.
#[derive(Debug, Clone, PartialEq)]
pub struct Bitmap {
    pub width: u32,
    pub height: u32,
    dots: Vec<bool>,
    /// dots per point
    scale: f32,
    /// the page's height in points (PDF's y runs up, a bitmap's rows run down)
    height_pt: f32,
}

impl Bitmap {
    /// A white bitmap for a label of `width_pt` × `height_pt` points at `dpi`.
    pub fn new(width_pt: f32, height_pt: f32, dpi: u32) -> Bitmap {
        let scale = dpi as f32 / 72.0;
        let width = (width_pt * scale).round().max(1.0) as u32;
        let height = (height_pt * scale).round().max(1.0) as u32;
        Bitmap {
            width,
            height,
            dots: vec![false; (width * height) as usize],
            scale,
            height_pt,
        }
    }

    /// One row of dots, left to right.
    pub fn row(&self, y: u32) -> &[bool] {
        let start = (y * self.width) as usize;
        &self.dots[start..start + self.width as usize]
    }

    pub fn get(&self, x: u32, y: u32) -> bool {
        x < self.width && y < self.height && self.dots[(y * self.width + x) as usize]
    }

    /// Fills every dot whose centre lies in [x0, x1) × [y0, y1) (dots, rows down).
    fn fill(&mut self, x0: f32, y0: f32, x1: f32, y1: f32) {
        let first = |v: f32| (v - 0.5).ceil().max(0.0) as u32;
        let (cx0, cy0) = (first(x0), first(y0));
        let cx1 = first(x1).min(self.width);
        let cy1 = first(y1).min(self.height);
        for y in cy0..cy1 {
            let row = (y * self.width) as usize;
            for x in cx0..cx1 {
                self.dots[row + x as usize] = true;
            }
        }
    }

    /// Fills polygons (dots, rows down) by the non-zero rule, sampling each dot's centre.
    fn fill_polygons(&mut self, polygons: &[Vec<(f32, f32)>]) {
        let mut edges: Vec<(f32, f32, f32, f32)> = Vec::new();
        for polygon in polygons {
            for i in 0..polygon.len() {
                let (a, b) = (polygon[i], polygon[(i + 1) % polygon.len()]);
                if a.1 != b.1 {
                    edges.push((a.0, a.1, b.0, b.1));
                }
            }
        }
        if edges.is_empty() {
            return;
        }
        let top = edges.iter().map(|e| e.1.min(e.3)).fold(f32::MAX, f32::min);
        let bottom = edges.iter().map(|e| e.1.max(e.3)).fold(f32::MIN, f32::max);
        let first = (top - 0.5).ceil().max(0.0) as u32;
        let last = ((bottom - 0.5).floor().max(-1.0) as i64).min(self.height as i64 - 1);
        let mut crossings: Vec<(f32, i32)> = Vec::new();
        for y in first as i64..=last {
            let yc = y as f32 + 0.5;
            crossings.clear();
            for &(x0, y0, x1, y1) in &edges {
                let (lo, hi) = if y0 < y1 { (y0, y1) } else { (y1, y0) };
                if yc >= lo && yc < hi {
                    let x = x0 + (yc - y0) * (x1 - x0) / (y1 - y0);
                    crossings.push((x, if y1 > y0 { 1 } else { -1 }));
                }
            }
            crossings.sort_by(|a, b| a.0.total_cmp(&b.0));
            let mut winding = 0;
            for pair in crossings.windows(2) {
                winding += pair[0].1;
                if winding != 0 {
                    self.fill(pair[0].0, yc - 0.5, pair[1].0, yc + 0.5);
                }
            }
        }
    }

    /// The bitmap as rows of bytes, eight dots to a byte, the first dot in the highest bit;
    /// `black` is the bit a black dot gets.
    pub fn packed_rows(&self, black: bool) -> Vec<Vec<u8>> {
        let bytes = self.width.div_ceil(8) as usize;
        (0..self.height)
            .map(|y| {
                // a set bit is `black`'s dot; the padding past the width is white
                let mut row = vec![if black { 0u8 } else { 0xFF }; bytes];
                for (x, dot) in self.row(y).iter().enumerate() {
                    if *dot == black {
                        row[x / 8] |= 0x80 >> (x % 8);
                    } else {
                        row[x / 8] &= !(0x80 >> (x % 8));
                    }
                }
                row
            })
            .collect()
    }
}

/// One line of a label's text, drawn on its own as the whole label's bitmap draws it: the
/// patch's top-left dot on the label, and the patch. Every dot of the patch is the label's
/// dot at the same place (the same glyph outlines sampled at the same dot centres), so a
/// printer given the patch prints what the PNG and TSPL pictures show. `y_mm` is the top of
/// the mark's first line's box, `line` which line this is.
pub fn text_patch(
    x_mm: f32,
    y_mm: f32,
    size_mm: f32,
    line: usize,
    text: &str,
    dpi: u32,
) -> (u32, u32, Bitmap) {
    use super::flow::{ASCENT, DESCENT, LINE_PITCH};
    const PT_PER_MM: f32 = 72.0 / 25.4;
    let scale = dpi as f32 / 72.0;
    let size = size_mm * PT_PER_MM;
    let x_pt = x_mm * PT_PER_MM;
    // the baseline, in points down from the label's top
    let baseline = y_mm * PT_PER_MM + size * ASCENT + line as f32 * size * LINE_PITCH;
    let ox = ((x_pt * scale).floor() as i64 - 2).max(0) as u32;
    let oy = (((baseline - size * ASCENT) * scale).floor() as i64 - 2).max(0) as u32;
    let w = (pdf::text_width(Font::Regular, size, text) * scale).ceil() as u32 + 6;
    let h = ((ASCENT + DESCENT) * size * scale).ceil() as u32 + 6;
    let mut patch = Bitmap {
        width: w,
        height: h,
        dots: vec![false; (w * h) as usize],
        scale,
        height_pt: h as f32 / scale,
    };
    let (left, top) = (ox as f32 / scale, oy as f32 / scale);
    patch.text(
        x_pt - left,
        patch.height_pt - (baseline - top),
        Font::Regular,
        size,
        text,
    );
    (ox, oy, patch)
}

impl Surface for Bitmap {
    fn rect(&mut self, x: f32, y: f32, w: f32, h: f32) {
        let s = self.scale;
        let top = (self.height_pt - y - h) * s;
        self.fill(x * s, top, (x + w) * s, top + h * s);
    }

    fn text(&mut self, x: f32, y: f32, font: Font, size: f32, text: &str) {
        let s = self.scale;
        let baseline = (self.height_pt - y) * s;
        let polygons: Vec<Vec<(f32, f32)>> = pdf::text_outline(font, size, text)
            .into_iter()
            .map(|c| {
                c.into_iter()
                    .map(|(px, py)| ((x + px) * s, baseline - py * s))
                    .collect()
            })
            .collect();
        self.fill_polygons(&polygons);
    }
}

/// A PNG of the bitmap: one bit per dot, black and white (a preview, or a test's input).
pub fn png(bitmap: &Bitmap) -> Vec<u8> {
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let start = out.len();
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        let crc = crc32(&out[start..]);
        out.extend_from_slice(&crc.to_be_bytes());
    }
    let mut raw = Vec::new();
    // grayscale, 1 bit: 1 is white
    for row in bitmap.packed_rows(false) {
        raw.push(0); // no filter
        raw.extend_from_slice(&row);
    }
    let mut header = Vec::new();
    header.extend_from_slice(&bitmap.width.to_be_bytes());
    header.extend_from_slice(&bitmap.height.to_be_bytes());
    header.extend_from_slice(&[1, 0, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    chunk(&mut out, b"IHDR", &header);
    chunk(
        &mut out,
        b"IDAT",
        &miniz_oxide::deflate::compress_to_vec_zlib(&raw, 6),
    );
    chunk(&mut out, b"IEND", &[]);
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// TSPL/TSPL2 for a generic thermal printer: the label's size and gap, the bitmap in one
/// `BITMAP` command (TSPL's bits: 0 prints, 1 leaves the paper white), then `PRINT`. No
/// value reaches the printer as text: everything on the label is in the picture.
pub fn tspl(bitmap: &Bitmap, width_mm: f32, height_mm: f32, copies: u32) -> Vec<u8> {
    let rows = bitmap.packed_rows(false);
    let bytes = bitmap.width.div_ceil(8);
    let mut out = format!(
        "SIZE {width_mm} mm,{height_mm} mm\r\nGAP 2 mm,0 mm\r\nDIRECTION 1,0\r\nREFERENCE 0,0\r\nCLS\r\nBITMAP 0,0,{bytes},{},0,",
        bitmap.height
    )
    .into_bytes();
    for row in rows {
        out.extend_from_slice(&row);
    }
    out.extend_from_slice(format!("\r\nPRINT 1,{}\r\n", copies.max(1)).as_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rectangles_take_whole_dots_and_text_leaves_ink() {
        // 72 dpi: a point is a dot
        let mut b = Bitmap::new(20.0, 10.0, 72);
        b.rect(2.0, 5.0, 3.0, 2.0);
        let dark: Vec<(u32, u32)> = (0..10)
            .flat_map(|y| (0..20).map(move |x| (x, y)))
            .filter(|(x, y)| b.get(*x, *y))
            .collect();
        assert_eq!(dark, [(2, 3), (3, 3), (4, 3), (2, 4), (3, 4), (4, 4)]);
        let mut t = Bitmap::new(100.0, 30.0, 203);
        t.text(2.0, 8.0, Font::Regular, 18.0, "Łódź");
        let ink = (0..t.height)
            .flat_map(|y| (0..t.width).map(move |x| (x, y)))
            .filter(|(x, y)| t.get(*x, *y))
            .count();
        assert!(ink > 500, "{ink} dots of ink");
    }

    #[test]
    fn packbits_round_trips() {
        let unpack = |data: &[u8]| {
            let mut out = Vec::new();
            let mut i = 0;
            while i < data.len() {
                let n = data[i] as i8;
                if n < 0 {
                    out.extend(std::iter::repeat_n(data[i + 1], (1 - n as i16) as usize));
                    i += 2;
                } else {
                    out.extend_from_slice(&data[i + 1..i + 2 + n as usize]);
                    i += 2 + n as usize;
                }
            }
            out
        };
        for line in [
            vec![0u8; 90],
            (0..90).map(|i| i as u8).collect::<Vec<_>>(),
            [vec![1, 2, 3], vec![7; 40], vec![4, 5], vec![0; 45]].concat(),
        ] {
            let packed = packbits(&line);
            assert_eq!(unpack(&packed), line);
            assert!(packed.len() <= line.len() + line.len() / 128 + 1);
        }
    }

    #[test]
    fn png_and_tspl_have_their_headers() {
        let b = Bitmap::new(16.0, 8.0, 72);
        let p = png(&b);
        assert!(p.starts_with(b"\x89PNG\r\n\x1a\n"));
        assert_eq!(crc32(b"IEND"), 0xAE42_6082);
        let t = tspl(&b, 50.0, 30.0, 2);
        let text = String::from_utf8_lossy(&t);
        assert!(text.starts_with("SIZE 50 mm,30 mm\r\n"), "{text}");
        assert!(text.contains("BITMAP 0,0,2,8,0,"), "{text}");
        assert!(text.ends_with("\r\nPRINT 1,2\r\n"), "{text}");
    }
}

/// Brother QL media (the QL-500 to QL-820 families: a 720-dot head at 300 dpi), named
/// the same in the config (`media = "62"`) and on the command line (`--media 62`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, clap::ValueEnum)]
pub enum BrotherMedia {
    /// DK-22205, 62 mm endless
    #[serde(rename = "62")]
    #[value(name = "62")]
    Endless62,
    /// DK-11209, 62 × 29 mm die-cut
    #[serde(rename = "62x29")]
    #[value(name = "62x29")]
    DieCut62x29,
    /// DK-11201, 29 × 90 mm die-cut
    #[serde(rename = "29x90")]
    #[value(name = "29x90")]
    DieCut29x90,
}

struct MediaSpec {
    /// 0x0A endless, 0x0B die-cut
    kind: u8,
    width_mm: u8,
    length_mm: u8,
    /// dots across the head that print
    across: u32,
    /// dots along the feed that print (die-cut only)
    along: Option<u32>,
    /// blank dots at the head's right end before the printable area
    offset_right: u32,
    /// feed margin, dots
    margin: u16,
}

impl BrotherMedia {
    /// As written in a config and on the command line: `62`, `62x29`, `29x90`.
    pub fn name(self) -> &'static str {
        match self {
            BrotherMedia::Endless62 => "62",
            BrotherMedia::DieCut62x29 => "62x29",
            BrotherMedia::DieCut29x90 => "29x90",
        }
    }

    /// In words: `62 mm endless tape`, `the 62 × 29 mm label`.
    pub fn the_label(self) -> &'static str {
        match self {
            BrotherMedia::Endless62 => "62 mm endless tape",
            BrotherMedia::DieCut62x29 => "the 62 × 29 mm label",
            BrotherMedia::DieCut29x90 => "the 29 × 90 mm label",
        }
    }

    /// Whether the printer's loaded media (as its status says: width, 0x0A endless or
    /// 0x0B die-cut, length) is this one.
    pub fn is_loaded(self, width_mm: u8, kind: u8, length_mm: u8) -> bool {
        let spec = self.spec();
        spec.width_mm == width_mm
            && spec.kind == kind
            && (spec.kind == 0x0A || spec.length_mm == length_mm)
    }

    fn spec(self) -> MediaSpec {
        match self {
            BrotherMedia::Endless62 => MediaSpec {
                kind: 0x0A,
                width_mm: 62,
                length_mm: 0,
                across: 696,
                along: None,
                offset_right: 12,
                margin: 35,
            },
            BrotherMedia::DieCut62x29 => MediaSpec {
                kind: 0x0B,
                width_mm: 62,
                length_mm: 29,
                across: 696,
                along: Some(271),
                offset_right: 12,
                margin: 0,
            },
            BrotherMedia::DieCut29x90 => MediaSpec {
                kind: 0x0B,
                width_mm: 29,
                length_mm: 90,
                across: 306,
                along: Some(991),
                offset_right: 6,
                margin: 0,
            },
        }
    }
}

/// The head's width in dots (90 bytes a raster line).
const HEAD_DOTS: u32 = 720;

/// A label as Brother QL raster commands (the documented `ESC i` command set): invalidate,
/// initialise, raster mode, media and quality, auto-cut, margins, PackBits compression,
/// one `g` line per dot row, print. The label's ink is trimmed of its white border and
/// turned a quarter if that is what fits the media across the head; a label that fits
/// neither way is refused with the sizes. `bitmap` must be at 300 dpi.
pub fn brother_ql(bitmap: &Bitmap, media: BrotherMedia, copies: u32) -> Result<Vec<u8>, String> {
    let spec = media.spec();
    // the ink's bounding box
    let (mut x0, mut y0, mut x1, mut y1) = (u32::MAX, u32::MAX, 0, 0);
    for y in 0..bitmap.height {
        let row = bitmap.row(y);
        if let (Some(first), Some(last)) =
            (row.iter().position(|d| *d), row.iter().rposition(|d| *d))
        {
            (x0, y0, x1, y1) = (
                x0.min(first as u32),
                y0.min(y),
                x1.max(last as u32 + 1),
                y1.max(y + 1),
            );
        }
    }
    if x0 == u32::MAX {
        (x0, y0, x1, y1) = (0, 0, 1, 1);
    }
    // a quiet zone around the ink (a 2-D code at its edge needs one to be read), where the
    // media has room for it
    let quiet = 12;
    let roomy = (
        x0.saturating_sub(quiet),
        y0.saturating_sub(quiet),
        (x1 + quiet).min(bitmap.width),
        (y1 + quiet).min(bitmap.height),
    );
    let fits_either = |w: u32, h: u32| {
        let fit = |a: u32, b: u32| a <= spec.across && spec.along.is_none_or(|l| b <= l);
        fit(w, h) || fit(h, w)
    };
    if fits_either(roomy.2 - roomy.0, roomy.3 - roomy.1) {
        (x0, y0, x1, y1) = roomy;
    }
    let (w, h) = (x1 - x0, y1 - y0);
    let fits =
        |across: u32, along: u32| across <= spec.across && spec.along.is_none_or(|a| along <= a);
    // a dot of the picture at (across, along) on the media
    let (across, along, turned) = if fits(w, h) {
        (w, h, false)
    } else if fits(h, w) {
        (h, w, true)
    } else {
        return Err(format!(
            "the label's print is {:.1} × {:.1} mm; {} takes {:.1} mm across{}: use a smaller template",
            w as f32 * 25.4 / 300.0,
            h as f32 * 25.4 / 300.0,
            media.the_label(),
            spec.across as f32 * 25.4 / 300.0,
            spec.along
                .map(|a| format!(" and {:.1} mm along", a as f32 * 25.4 / 300.0))
                .unwrap_or_default()
        ));
    };
    let rows = spec.along.unwrap_or(along);
    // centred in the printable area, which ends `offset_right` dots from the head's end
    let left = HEAD_DOTS - spec.offset_right - spec.across + (spec.across - across) / 2;
    let top = (rows - along) / 2;
    // every line of the head at once, filled from the picture's black dots in reading
    // order (the head's dots run from its far end: the picture mirrored, as the printer
    // wants)
    let mut lines = vec![[0u8; (HEAD_DOTS / 8) as usize]; rows as usize];
    for y in y0..y1 {
        let row = &bitmap.row(y)[x0 as usize..x1 as usize];
        for (dx, _) in row.iter().enumerate().filter(|(_, d)| **d) {
            let (dx, dy) = (dx as u32, y - y0);
            // a quarter turn: the picture's rows run across the head
            let (a, r) = if turned {
                (across - 1 - dy, dx)
            } else {
                (dx, dy)
            };
            let i = HEAD_DOTS - 1 - (left + a);
            lines[(top + r) as usize][(i / 8) as usize] |= 0x80 >> (i % 8);
        }
    }
    let mut out = vec![0u8; 200];
    out.extend_from_slice(b"\x1b@");
    out.extend_from_slice(b"\x1bia\x01");
    let copies = copies.max(1);
    for page in 0..copies {
        out.extend_from_slice(b"\x1biz");
        out.push(0x80 | 0x02 | 0x04 | 0x08 | 0x40);
        out.extend_from_slice(&[spec.kind, spec.width_mm, spec.length_mm]);
        out.extend_from_slice(&rows.to_le_bytes());
        out.extend_from_slice(&[u8::from(page > 0), 0]);
        out.extend_from_slice(b"\x1biM\x40");
        out.extend_from_slice(b"\x1biA\x01");
        out.extend_from_slice(b"\x1biK\x08");
        out.extend_from_slice(b"\x1bid");
        out.extend_from_slice(&spec.margin.to_le_bytes());
        out.extend_from_slice(b"M\x02");
        for line in &lines {
            let packed = packbits(line);
            out.push(b'g');
            out.push(0);
            out.push(packed.len() as u8);
            out.extend_from_slice(&packed);
        }
        out.push(if page + 1 == copies { 0x1A } else { 0x0C });
    }
    Ok(out)
}

/// PackBits (TIFF) compression of one raster line.
fn packbits(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < data.len() {
        let mut run = 1;
        while i + run < data.len() && data[i + run] == data[i] && run < 128 {
            run += 1;
        }
        if run >= 2 {
            out.push((1i16 - run as i16) as u8);
            out.push(data[i]);
            i += run;
            continue;
        }
        let start = i;
        while i < data.len() && i - start < 128 && !(i + 1 < data.len() && data[i + 1] == data[i]) {
            i += 1;
        }
        if i == start {
            i += 1;
        }
        out.push((i - start - 1) as u8);
        out.extend_from_slice(&data[start..i]);
    }
    out
}
