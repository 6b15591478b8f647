//! PDF documents as the station writes them (labels, the command sheet, the recall report):
//! pages of filled rectangles and text, the text in an embedded open-licence font (DejaVu
//! Sans, Sans Bold and Sans Mono, cut down once to Latin with its extensions, Greek and
//! Cyrillic: `assets/fonts/`), each font subset to the glyphs a document uses, with a
//! `ToUnicode` map so that copying or `pdftotext` gives the exact text back. Pure: bytes in,
//! bytes out. A new page element is one more `Mark`.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str};

/// The station's fonts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Font {
    Regular,
    Bold,
    /// fixed width: tables whose columns line up by characters
    Mono,
}

impl Font {
    const ALL: [Font; 3] = [Font::Regular, Font::Bold, Font::Mono];

    fn index(self) -> usize {
        match self {
            Font::Regular => 0,
            Font::Bold => 1,
            Font::Mono => 2,
        }
    }

    fn postscript_name(self) -> &'static str {
        match self {
            Font::Regular => "DejaVuSans",
            Font::Bold => "DejaVuSans-Bold",
            Font::Mono => "DejaVuSansMono",
        }
    }
}

const DATA: [&[u8]; 3] = [
    include_bytes!("../assets/fonts/DejaVuSans.ttf"),
    include_bytes!("../assets/fonts/DejaVuSans-Bold.ttf"),
    include_bytes!("../assets/fonts/DejaVuSansMono.ttf"),
];

/// A face parsed once per process, with what a PDF's font descriptor needs.
struct Face {
    face: ttf_parser::Face<'static>,
    units_per_em: f32,
}

static FACES: LazyLock<[Face; 3]> = LazyLock::new(|| {
    DATA.map(|data| {
        let face = ttf_parser::Face::parse(data, 0).expect("the embedded fonts parse");
        Face {
            units_per_em: f32::from(face.units_per_em()),
            face,
        }
    })
});

impl Face {
    /// The glyph of `c`, else of `?` (a character the font lacks is shown, not dropped).
    fn glyph(&self, c: char) -> u16 {
        self.face
            .glyph_index(c)
            .or_else(|| self.face.glyph_index('?'))
            .map_or(0, |g| g.0)
    }

    /// A glyph's advance in thousandths of the font size.
    fn advance(&self, glyph: u16) -> f32 {
        let units = self
            .face
            .glyph_hor_advance(ttf_parser::GlyphId(glyph))
            .unwrap_or(0);
        f32::from(units) * 1000.0 / self.units_per_em
    }
}

/// How wide `text` is in `font` at `size` points, in points.
pub fn text_width(font: Font, size: f32, text: &str) -> f32 {
    let face = &FACES[font.index()];
    text.chars()
        .map(|c| face.advance(face.glyph(c)))
        .sum::<f32>()
        * size
        / 1000.0
}

/// Where marks go: a PDF page, or a printer's bitmap (`label::raster`). Coordinates in
/// points from the lower-left corner, as in PDF.
pub trait Surface {
    /// A black rectangle with its lower-left corner at `x`, `y`.
    fn rect(&mut self, x: f32, y: f32, w: f32, h: f32);
    /// `text` on one line, its baseline starting at `x`, `y`.
    fn text(&mut self, x: f32, y: f32, font: Font, size: f32, text: &str);
}

/// A line of text as closed polygons (curves flattened), in points relative to the start
/// of its baseline, y upwards: what a rasteriser fills with the non-zero rule.
pub fn text_outline(font: Font, size: f32, text: &str) -> Vec<Vec<(f32, f32)>> {
    struct Flatten {
        scale: f32,
        dx: f32,
        contours: Vec<Vec<(f32, f32)>>,
        at: (f32, f32),
    }
    impl Flatten {
        fn point(&self, x: f32, y: f32) -> (f32, f32) {
            (self.dx + x * self.scale, y * self.scale)
        }
        fn push(&mut self, p: (f32, f32)) {
            if let Some(c) = self.contours.last_mut() {
                c.push(p);
            }
        }
    }
    impl ttf_parser::OutlineBuilder for Flatten {
        fn move_to(&mut self, x: f32, y: f32) {
            let p = self.point(x, y);
            self.contours.push(vec![p]);
            self.at = (x, y);
        }
        fn line_to(&mut self, x: f32, y: f32) {
            let p = self.point(x, y);
            self.push(p);
            self.at = (x, y);
        }
        fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
            let (x0, y0) = self.at;
            for i in 1..=8 {
                let t = i as f32 / 8.0;
                let u = 1.0 - t;
                let p = self.point(
                    u * u * x0 + 2.0 * u * t * x1 + t * t * x,
                    u * u * y0 + 2.0 * u * t * y1 + t * t * y,
                );
                self.push(p);
            }
            self.at = (x, y);
        }
        fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
            let (x0, y0) = self.at;
            for i in 1..=12 {
                let t = i as f32 / 12.0;
                let u = 1.0 - t;
                let p = self.point(
                    u * u * u * x0 + 3.0 * u * u * t * x1 + 3.0 * u * t * t * x2 + t * t * t * x,
                    u * u * u * y0 + 3.0 * u * u * t * y1 + 3.0 * u * t * t * y2 + t * t * t * y,
                );
                self.push(p);
            }
            self.at = (x, y);
        }
        fn close(&mut self) {}
    }
    let face = &FACES[font.index()];
    let mut flatten = Flatten {
        scale: size / face.units_per_em,
        dx: 0.0,
        contours: Vec::new(),
        at: (0.0, 0.0),
    };
    for c in text.chars() {
        let glyph = face.glyph(c);
        face.face
            .outline_glyph(ttf_parser::GlyphId(glyph), &mut flatten);
        flatten.dx += face.advance(glyph) * size / 1000.0;
    }
    flatten.contours
}

impl Surface for Page {
    fn rect(&mut self, x: f32, y: f32, w: f32, h: f32) {
        Page::rect(self, x, y, w, h);
    }
    fn text(&mut self, x: f32, y: f32, font: Font, size: f32, text: &str) {
        Page::text(self, x, y, font, size, text);
    }
}

/// Whether the font draws `c` itself (else it shows as `?`).
#[cfg(test)]
fn has_glyph(font: Font, c: char) -> bool {
    FACES[font.index()].face.glyph_index(c).is_some()
}

#[derive(Debug, Clone, PartialEq)]
enum Mark {
    /// a filled rectangle, black; `x`, `y` its lower-left corner
    Rect { x: f32, y: f32, w: f32, h: f32 },
    /// text with its baseline's start at `x`, `y`
    Text {
        x: f32,
        y: f32,
        font: Font,
        size: f32,
        text: String,
    },
}

/// One page, in points from its lower-left corner.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    width: f32,
    height: f32,
    marks: Vec<Mark>,
}

impl Page {
    pub fn new(width: f32, height: f32) -> Page {
        Page {
            width,
            height,
            marks: Vec::new(),
        }
    }

    /// A black rectangle with its lower-left corner at `x`, `y`.
    pub fn rect(&mut self, x: f32, y: f32, w: f32, h: f32) {
        self.marks.push(Mark::Rect { x, y, w, h });
    }

    /// `text` on one line, its baseline starting at `x`, `y`.
    pub fn text(&mut self, x: f32, y: f32, font: Font, size: f32, text: &str) {
        if !text.is_empty() {
            self.marks.push(Mark::Text {
                x,
                y,
                font,
                size,
                text: text.to_string(),
            });
        }
    }
}

/// A font as one document uses it: the glyphs in the order they were first used (their
/// new ids), and the character each stands for.
#[derive(Default)]
struct Used {
    remapper: subsetter::GlyphRemapper,
    chars: BTreeMap<u16, char>,
}

fn compress(data: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec_zlib(data, 6)
}

/// The whole document: its pages in order, its fonts subset and embedded.
pub fn document(title: &str, pages: &[Page]) -> Vec<u8> {
    let mut pdf = Pdf::new();
    let mut next = 1;
    let mut new_ref = || {
        let r = Ref::new(next);
        next += 1;
        r
    };
    let catalog = new_ref();
    let tree = new_ref();
    let info = new_ref();
    let page_refs: Vec<(Ref, Ref)> = pages.iter().map(|_| (new_ref(), new_ref())).collect();
    let font_refs: Vec<Ref> = Font::ALL.iter().map(|_| new_ref()).collect();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids(page_refs.iter().map(|(page, _)| *page))
        .count(pages.len() as i32);
    pdf.document_info(info)
        .title(pdf_writer::TextStr(title))
        .producer(pdf_writer::TextStr("lotstation"));

    // the content of every page, the glyphs each font needs collected on the way
    let mut used: [Used; 3] = Default::default();
    for (page, (page_ref, content_ref)) in pages.iter().zip(&page_refs) {
        let mut content = Content::new();
        let mut fonts_on_page = [false; 3];
        for mark in &page.marks {
            match mark {
                Mark::Rect { x, y, w, h } => {
                    content.set_fill_gray(0.0);
                    content.rect(*x, *y, *w, *h);
                    content.fill_nonzero();
                }
                Mark::Text {
                    x,
                    y,
                    font,
                    size,
                    text,
                } => {
                    let face = &FACES[font.index()];
                    let set = &mut used[font.index()];
                    let mut codes = Vec::with_capacity(text.len() * 2);
                    for c in text.chars() {
                        let glyph = face.glyph(c);
                        let id = set.remapper.remap(glyph);
                        set.chars.entry(id).or_insert(c);
                        codes.extend_from_slice(&id.to_be_bytes());
                    }
                    fonts_on_page[font.index()] = true;
                    content.begin_text();
                    content.set_font(Name(font_name(*font)), *size);
                    content.set_text_matrix([1.0, 0.0, 0.0, 1.0, *x, *y]);
                    content.show(Str(&codes));
                    content.end_text();
                }
            }
        }
        let stream = compress(&content.finish());
        pdf.stream(*content_ref, &stream)
            .filter(Filter::FlateDecode);
        let mut p = pdf.page(*page_ref);
        p.parent(tree)
            .media_box(Rect::new(0.0, 0.0, page.width, page.height))
            .contents(*content_ref);
        let mut resources = p.resources();
        let mut fonts = resources.fonts();
        for font in Font::ALL {
            if fonts_on_page[font.index()] {
                fonts.pair(Name(font_name(font)), font_refs[font.index()]);
            }
        }
        fonts.finish();
        resources.finish();
        p.finish();
    }

    for font in Font::ALL {
        let set = &used[font.index()];
        if set.remapper.num_gids() <= 1 {
            continue;
        }
        embed(&mut pdf, &mut new_ref, font_refs[font.index()], font, set);
    }
    pdf.finish()
}

fn font_name(font: Font) -> &'static [u8] {
    match font {
        Font::Regular => b"F1",
        Font::Bold => b"F2",
        Font::Mono => b"F3",
    }
}

/// The font as a Type 0 font over a CID-keyed TrueType subset (glyph ids as CIDs).
fn embed(pdf: &mut Pdf, new_ref: &mut impl FnMut() -> Ref, type0: Ref, font: Font, used: &Used) {
    let face = &FACES[font.index()];
    let cid = new_ref();
    let descriptor = new_ref();
    let file = new_ref();
    let cmap = new_ref();
    // a subset's name starts with a tag of six capitals, the same for the same glyphs
    let mut tag = 0u32;
    for g in used.remapper.remapped_gids() {
        tag = tag.wrapping_mul(31).wrapping_add(u32::from(g));
    }
    let tag: String = (0..6)
        .map(|i| (b'A' + ((tag >> (i * 5)) % 26) as u8) as char)
        .collect();
    let base = format!("{tag}+{}", font.postscript_name());
    let widths: Vec<f32> = used
        .remapper
        .remapped_gids()
        .map(|old| face.advance(old))
        .collect();
    pdf.type0_font(type0)
        .base_font(Name(base.as_bytes()))
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(cid)
        .to_unicode(cmap);
    let system = SystemInfo {
        registry: Str(b"Adobe"),
        ordering: Str(b"Identity"),
        supplement: 0,
    };
    let mut c = pdf.cid_font(cid);
    c.subtype(CidFontType::Type2)
        .base_font(Name(base.as_bytes()))
        .system_info(system)
        .font_descriptor(descriptor)
        .default_width(0.0)
        .cid_to_gid_map_predefined(Name(b"Identity"));
    c.widths().consecutive(0, widths);
    c.finish();
    let scale = |v: i16| f32::from(v) * 1000.0 / face.units_per_em;
    let bbox = face.face.global_bounding_box();
    let mut flags = FontFlags::NON_SYMBOLIC;
    if font == Font::Mono {
        flags |= FontFlags::FIXED_PITCH;
    }
    pdf.font_descriptor(descriptor)
        .name(Name(base.as_bytes()))
        .flags(flags)
        .bbox(Rect::new(
            scale(bbox.x_min),
            scale(bbox.y_min),
            scale(bbox.x_max),
            scale(bbox.y_max),
        ))
        .italic_angle(0.0)
        .ascent(scale(face.face.ascender()))
        .descent(scale(face.face.descender()))
        .cap_height(scale(
            face.face.capital_height().unwrap_or(face.face.ascender()),
        ))
        .stem_v(if font == Font::Bold { 120.0 } else { 80.0 })
        .font_file2(file);
    let subset = subsetter::subset(DATA[font.index()], 0, &used.remapper)
        .expect("the embedded fonts subset");
    pdf.stream(file, &compress(&subset))
        .filter(Filter::FlateDecode);
    let mut unicode = UnicodeCmap::new(Name(b"Custom"), system);
    for (id, c) in &used.chars {
        unicode.pair(*id, *c);
    }
    pdf.cmap(cmap, &unicode.finish());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_measured_and_every_script_has_its_glyphs() {
        for c in "Łukasz Dvořák, ul. Żółta 5, Łódź Ελληνικά Кириллица".chars()
        {
            assert!(has_glyph(Font::Regular, c), "{c}");
        }
        let narrow = text_width(Font::Regular, 10.0, "iii");
        let wide = text_width(Font::Regular, 10.0, "WWW");
        assert!(narrow > 0.0 && wide > 2.0 * narrow, "{narrow} {wide}");
        assert_eq!(
            text_width(Font::Mono, 10.0, "iii"),
            text_width(Font::Mono, 10.0, "WWW")
        );
    }

    #[test]
    fn a_document_embeds_only_the_fonts_it_uses() {
        let mut page = Page::new(200.0, 100.0);
        page.text(10.0, 50.0, Font::Regular, 12.0, "Łódź");
        page.rect(10.0, 10.0, 50.0, 2.0);
        let bytes = document("test", &[page]);
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.starts_with("%PDF-"));
        assert!(text.contains("+DejaVuSans"), "the regular face embedded");
        assert!(!text.contains("DejaVuSansMono"), "the unused face left out");
    }
}
