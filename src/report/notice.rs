//! The recall notice to consumers (EU General Product Safety Regulation, Article 36, in the
//! sections of the template in Implementing Regulation (EU) 2024/1435): `notice.txt` and
//! `notice.pdf` with the product and its batches, a place for its picture, the hazard, what
//! consumers should do, the remedy and whom to contact; and `gateway.json`, the fields a
//! business gives the Safety Business Gateway (product, batches, hazard, measures, where it
//! went). Made from the recall package and the words the owner gives (`[recall]` in the
//! config, `recall --hazard … --remedy …`).

use super::{LotFacts, Pages};
use crate::core::trace::RecallPackage;
use crate::pdf::Font;

/// What the notice says besides the records: the hazard and the remedy of this recall,
/// what consumers should do, whom they contact, who placed the product on the market.
#[derive(Debug, Clone, Default)]
pub struct NoticeWords {
    pub hazard: Option<String>,
    pub remedy: Option<String>,
    pub instructions: Option<String>,
    pub contact: Option<String>,
    /// the business (`[station] location`, else its name)
    pub business: String,
}

impl NoticeWords {
    /// The words from the config's `[recall]` and the station's location, with a recall's
    /// own hazard and remedy (which win over the config's).
    pub fn from_config(
        station: &crate::config::Station,
        hazard: Option<String>,
        remedy: Option<String>,
    ) -> NoticeWords {
        let recall = &station.config.recall;
        let business = station.business();
        NoticeWords {
            hazard: hazard.filter(|h| !h.trim().is_empty()),
            remedy: remedy
                .filter(|r| !r.trim().is_empty())
                .or_else(|| recall.remedy.clone()),
            instructions: recall.instructions.clone(),
            contact: recall.contact.clone(),
            business,
        }
    }

    /// Why a real recall's notice cannot be written yet: the words it lacks.
    pub fn missing(&self) -> Option<String> {
        let mut missing = Vec::new();
        if self.hazard.is_none() {
            missing.push("the hazard (--hazard \"what the danger is\")");
        }
        if self.remedy.is_none() {
            missing.push("the remedy (--remedy \"a full refund or a replacement\", or [recall] remedy in the config)");
        }
        (!missing.is_empty()).then(|| {
            format!(
                "a real recall's notice to consumers needs {}; nothing changed",
                missing.join(" and ")
            )
        })
    }
}

/// The three files.
pub struct Notice {
    pub txt: Vec<u8>,
    pub pdf: Vec<u8>,
    pub gateway: Vec<u8>,
}

/// What consumers should do when the owner has not said otherwise.
const INSTRUCTIONS: &str = "Stop using the product at once and keep it out of the reach of children. Do not throw it away before you have contacted us.";

/// The notice's sections, each a heading and its text, in the template's order.
fn sections(package: &RecallPackage, lot: &LotFacts, words: &NoticeWords) -> Vec<(String, String)> {
    let stated = |word: &Option<String>, what: &str| {
        word.clone()
            .unwrap_or_else(|| format!("[to be stated by the business: {what}]"))
    };
    let mut batches: Vec<&str> = package
        .trace
        .batches
        .iter()
        .map(|b| b.code.as_str())
        .collect();
    batches.sort_unstable();
    vec![
        (
            "Product".into(),
            format!(
                "{}\nRecalled: {}\nBatches affected: {}",
                lot.item,
                lot.title,
                if batches.is_empty() {
                    "none made from it yet".to_string()
                } else {
                    batches.join(", ")
                }
            ),
        ),
        (
            "Picture of the product".into(),
            "[a picture of the product and of its label showing the batch number]".into(),
        ),
        ("The hazard".into(), stated(&words.hazard, "the hazard")),
        (
            "What you should do".into(),
            words
                .instructions
                .clone()
                .unwrap_or_else(|| INSTRUCTIONS.into()),
        ),
        (
            "What we offer".into(),
            stated(&words.remedy, "the remedy, a refund or a replacement"),
        ),
        (
            "Contact".into(),
            format!(
                "{}\n{}",
                words.business,
                stated(&words.contact, "a phone number, an email or a web page")
            ),
        ),
    ]
}

/// The notice as text, as PDF, and the gateway's fields.
pub fn notice(
    package: &RecallPackage,
    lot: &LotFacts,
    words: &NoticeWords,
    tz: &jiff::tz::TimeZone,
) -> Notice {
    let dated = crate::clock::local_text(&package.generated_at, tz);
    let title = if package.mock {
        "PRODUCT SAFETY RECALL (DRILL: NOT SENT)"
    } else {
        "PRODUCT SAFETY RECALL"
    };
    let parts = sections(package, lot, words);
    let mut txt = format!("{title}\n{dated}\n");
    for (heading, text) in &parts {
        txt.push_str(&format!("\n{}\n{text}\n", heading.to_uppercase()));
    }
    txt.push_str(&format!(
        "\n{} to contact directly are in customers.csv.\n",
        crate::core::counted(package.trace.customers.len(), "customer")
    ));
    let mut pages = Pages::new(
        format!("{title}  ·  {}  ·  {dated}", lot.title),
        package.journal_head.clone(),
    );
    pages.line(Font::Bold, 20.0, title);
    pages.line(Font::Regular, 10.0, &dated);
    for (heading, text) in &parts {
        pages.heading(heading);
        for line in text.lines() {
            for piece in super::wrap_chars(line, 90) {
                pages.line(Font::Regular, 11.0, &piece);
            }
        }
    }
    let pdf = pages.finish(title);
    let countries: std::collections::BTreeSet<String> = package
        .trace
        .customers
        .iter()
        .filter_map(|c| {
            c.address
                .rsplit(',')
                .next()
                .map(|country| country.trim().to_string())
        })
        .filter(|c| !c.is_empty())
        .collect();
    let gateway = serde_json::json!({
        "notification": "product safety recall (EU General Product Safety Regulation, Article 20: Safety Business Gateway)",
        "business": words.business,
        "product": {
            "description": lot.item,
            "recalled": lot.title,
            "batches": package.trace.batches.iter().map(|b| &b.code).collect::<Vec<_>>(),
        },
        "hazard": words.hazard,
        "measures": {
            "recall_from_consumers": true,
            "what_consumers_should_do": words.instructions.clone().unwrap_or_else(|| INSTRUCTIONS.into()),
            "remedy": words.remedy,
        },
        "distribution": {
            "customers": package.trace.customers.len(),
            "shipment_lines": package.trace.shipments.len(),
            "countries_as_addressed": countries,
        },
        "contact": words.contact,
        "generated_at": package.generated_at,
        "journal_head": package.journal_head,
        "drill": package.mock,
    });
    Notice {
        txt: txt.into_bytes(),
        pdf,
        gateway: serde_json::to_vec_pretty(&gateway).unwrap_or_default(),
    }
}
