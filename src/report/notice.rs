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
    /// the notice's language (`[recall] language`: en, de, fr, es, it, nl)
    pub language: String,
}

/// The notice's set words in one language: the title, a drill's title, the six headings,
/// the default instructions, and the line about customers to contact.
struct Phrases {
    title: &'static str,
    drill: &'static str,
    headings: [&'static str; 6],
    instructions: &'static str,
    recalled: &'static str,
    batches: &'static str,
    customers: &'static str,
}

fn phrases(language: &str) -> Phrases {
    match language {
        "de" => Phrases {
            title: "PRODUKTRÜCKRUF",
            drill: "PRODUKTRÜCKRUF (ÜBUNG: NICHT VERSANDT)",
            headings: [
                "Produkt",
                "Abbildung des Produkts",
                "Die Gefahr",
                "Was Sie tun sollten",
                "Was wir anbieten",
                "Kontakt",
            ],
            instructions: "Verwenden Sie das Produkt nicht mehr und bewahren Sie es außerhalb der Reichweite von Kindern auf. Werfen Sie es nicht weg, bevor Sie uns kontaktiert haben.",
            recalled: "Zurückgerufen",
            batches: "Betroffene Chargen",
            customers: "direkt zu benachrichtigende Kunden stehen in customers.csv",
        },
        "fr" => Phrases {
            title: "RAPPEL DE PRODUIT",
            drill: "RAPPEL DE PRODUIT (EXERCICE : NON ENVOYÉ)",
            headings: [
                "Produit",
                "Photo du produit",
                "Le danger",
                "Ce que vous devez faire",
                "Ce que nous proposons",
                "Contact",
            ],
            instructions: "Cessez immédiatement d'utiliser le produit et tenez-le hors de portée des enfants. Ne le jetez pas avant de nous avoir contactés.",
            recalled: "Rappelé",
            batches: "Lots concernés",
            customers: "clients à contacter directement figurent dans customers.csv",
        },
        "es" => Phrases {
            title: "RETIRADA DE PRODUCTO",
            drill: "RETIRADA DE PRODUCTO (SIMULACRO: NO ENVIADO)",
            headings: [
                "Producto",
                "Imagen del producto",
                "El peligro",
                "Qué debe hacer",
                "Qué le ofrecemos",
                "Contacto",
            ],
            instructions: "Deje de usar el producto de inmediato y manténgalo fuera del alcance de los niños. No lo tire antes de ponerse en contacto con nosotros.",
            recalled: "Retirado",
            batches: "Lotes afectados",
            customers: "clientes a contactar directamente figuran en customers.csv",
        },
        "it" => Phrases {
            title: "RICHIAMO DEL PRODOTTO",
            drill: "RICHIAMO DEL PRODOTTO (ESERCITAZIONE: NON INVIATO)",
            headings: [
                "Prodotto",
                "Immagine del prodotto",
                "Il pericolo",
                "Cosa deve fare",
                "Cosa offriamo",
                "Contatti",
            ],
            instructions: "Smetta subito di usare il prodotto e lo tenga fuori dalla portata dei bambini. Non lo getti prima di averci contattato.",
            recalled: "Richiamato",
            batches: "Lotti interessati",
            customers: "clienti da contattare direttamente sono in customers.csv",
        },
        "nl" => Phrases {
            title: "PRODUCTTERUGROEPING",
            drill: "PRODUCTTERUGROEPING (OEFENING: NIET VERSTUURD)",
            headings: [
                "Product",
                "Afbeelding van het product",
                "Het gevaar",
                "Wat u moet doen",
                "Wat wij aanbieden",
                "Contact",
            ],
            instructions: "Stop direct met het gebruik van het product en houd het buiten bereik van kinderen. Gooi het niet weg voordat u contact met ons hebt opgenomen.",
            recalled: "Teruggeroepen",
            batches: "Betrokken partijen",
            customers: "klanten om direct te benaderen staan in customers.csv",
        },
        _ => Phrases {
            title: "PRODUCT SAFETY RECALL",
            drill: "PRODUCT SAFETY RECALL (DRILL: NOT SENT)",
            headings: [
                "Product",
                "Picture of the product",
                "The hazard",
                "What you should do",
                "What we offer",
                "Contact",
            ],
            instructions: INSTRUCTIONS,
            recalled: "Recalled",
            batches: "Batches affected",
            customers: "customers to contact directly are in customers.csv",
        },
    }
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
            language: recall.language.clone().unwrap_or_else(|| "en".into()),
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
fn sections(
    package: &RecallPackage,
    lot: &LotFacts,
    words: &NoticeWords,
    said: &Phrases,
) -> Vec<(String, String)> {
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
    let [product, picture, hazard, what, offer, contact] = said.headings;
    vec![
        (
            product.into(),
            format!(
                "{}\n{}: {}\n{}: {}",
                lot.item,
                said.recalled,
                lot.title,
                said.batches,
                if batches.is_empty() {
                    "none made from it yet".to_string()
                } else {
                    batches.join(", ")
                }
            ),
        ),
        (
            picture.into(),
            "[a picture of the product and of its label showing the batch number]".into(),
        ),
        (hazard.into(), stated(&words.hazard, "the hazard")),
        (
            what.into(),
            words
                .instructions
                .clone()
                .unwrap_or_else(|| said.instructions.into()),
        ),
        (
            offer.into(),
            stated(&words.remedy, "the remedy, a refund or a replacement"),
        ),
        (
            contact.into(),
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
    let said = phrases(&words.language);
    let title = if package.mock { said.drill } else { said.title };
    let parts = sections(package, lot, words, &said);
    let mut txt = format!("{title}\n{dated}\n");
    for (heading, text) in &parts {
        txt.push_str(&format!("\n{}\n{text}\n", heading.to_uppercase()));
    }
    txt.push_str(&format!(
        "\n{} {}.\n",
        package.trace.customers.len(),
        said.customers
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
