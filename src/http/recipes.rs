//! The recipes in the console: `GET /recipes` lists every product's recipe with its lines
//! and, for an owner, edits one as a table (a row per material); `POST /recipes` saves it
//! with boms.csv's column names as the fields (`product_sku`, `per`, then `material_sku`,
//! `quantity`, `unit` once per row), checked and imported as `lotstation import boms` does;
//! `POST /recipes/retire` and `POST /recipes/delete` (`product_sku`); `GET /recipes.csv`.

use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::html;

use super::console::{FormRefused, gate, layout, owner_of_form};
use super::session::Session;
use super::{App, read};
use crate::core::codes::{Quantity, Unit};
use crate::masterdata::MasterKind;
use crate::store::RecipeRow;

/// Empty rows the edit table offers below a recipe's lines.
const BLANK_ROWS: usize = 4;

#[derive(Debug, Default, serde::Deserialize)]
pub struct RecipesQuery {
    q: Option<String>,
    saved: Option<String>,
    /// the product whose recipe the form is filled with
    edit: Option<String>,
}

/// The table as the owner filled it in: the product, how much the lines make, and each
/// row's material, quantity and unit.
#[derive(Debug, Default, Clone)]
struct Filled {
    product_sku: String,
    per: String,
    rows: Vec<[String; 3]>,
}

fn unit_of(text: &str) -> Unit {
    Unit::parse_item_unit(text).unwrap_or(Unit::Each)
}

impl Filled {
    fn of(recipe: &RecipeRow) -> Filled {
        Filled {
            product_sku: recipe.product_sku.clone(),
            per: recipe
                .per
                .map(|p| Quantity::from_base(p).number_in(unit_of(&recipe.product_unit)))
                .unwrap_or_default(),
            rows: recipe
                .lines
                .iter()
                .map(|l| {
                    let unit = unit_of(&l.unit);
                    [
                        l.material_sku.clone(),
                        Quantity::from_base(l.quantity).number_in(unit),
                        unit.symbol().to_string(),
                    ]
                })
                .collect(),
        }
    }

    /// The form's fields in their order: the repeated columns zip into rows.
    fn from_fields(fields: &[(String, String)]) -> Filled {
        let one = |name: &str| {
            fields
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.trim().to_string())
                .unwrap_or_default()
        };
        let all = |name: &str| -> Vec<String> {
            fields
                .iter()
                .filter(|(k, _)| k == name)
                .map(|(_, v)| v.trim().to_string())
                .collect()
        };
        let (materials, quantities, units) = (all("material_sku"), all("quantity"), all("unit"));
        let rows = (0..materials.len().max(quantities.len()))
            .map(|i| {
                let at = |v: &Vec<String>| v.get(i).cloned().unwrap_or_default();
                [at(&materials), at(&quantities), at(&units)]
            })
            .collect();
        Filled {
            product_sku: one("product_sku"),
            per: one("per"),
            rows,
        }
    }

    /// The rows with anything in them, numbered as the table shows them (from 1).
    fn used_rows(&self) -> Vec<(usize, &[String; 3])> {
        self.rows
            .iter()
            .enumerate()
            .filter(|(_, r)| r.iter().any(|v| !v.is_empty()))
            .map(|(i, r)| (i + 1, r))
            .collect()
    }
}

/// `GET /recipes` and `GET /recipes.csv`.
pub async fn recipes_page(
    State(app): State<App>,
    headers: HeaderMap,
    Query(query): Query<RecipesQuery>,
) -> Response {
    let session = match gate(&app, &headers, "/recipes").await {
        Ok(s) => s,
        Err(to_login) => return to_login,
    };
    recipes_response(&app, session.as_ref(), query, None, StatusCode::OK).await
}

pub async fn recipes_csv(State(app): State<App>, headers: HeaderMap) -> Response {
    if let Err(to_login) = gate(&app, &headers, "/recipes").await {
        return to_login;
    }
    let recipes = match read(&app, |store| Ok(store.recipes_list()?)).await {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(MasterKind::Boms.columns());
    for recipe in &recipes {
        let filled = Filled::of(recipe);
        for row in &filled.rows {
            let _ = w.write_record([
                filled.product_sku.as_str(),
                &row[0],
                &row[1],
                &row[2],
                &filled.per,
            ]);
        }
    }
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"boms.csv\"",
            ),
        ],
        w.into_inner().unwrap_or_default(),
    )
        .into_response()
}

async fn recipes_response(
    app: &App,
    session: Option<&Session>,
    query: RecipesQuery,
    error: Option<(String, Filled)>,
    status: StatusCode,
) -> Response {
    let found = read(app, |store| {
        Ok((store.recipes_list()?, store.items_list()?))
    })
    .await;
    let (recipes, items) = match found {
        Ok(found) => found,
        Err(e) => return e.into_response(),
    };
    let q = query.q.clone().unwrap_or_default();
    let wanted = q.trim().to_lowercase();
    let shown: Vec<&RecipeRow> = recipes
        .iter()
        .filter(|r| {
            wanted.is_empty()
                || [&r.product_sku, &r.product_name]
                    .into_iter()
                    .chain(
                        r.lines
                            .iter()
                            .flat_map(|l| [&l.material_sku, &l.material_name]),
                    )
                    .any(|v| v.to_lowercase().contains(&wanted))
        })
        .collect();
    let owner = session.is_some_and(|s| s.role == crate::core::account::Role::Owner);
    let (error, mut filled) = match error {
        Some((said, filled)) => (Some(said), filled),
        None => (
            None,
            query
                .edit
                .as_deref()
                .and_then(|sku| recipes.iter().find(|r| r.product_sku == sku))
                .map(Filled::of)
                .unwrap_or_default(),
        ),
    };
    let blanks = BLANK_ROWS.max(1);
    filled.rows.extend((0..blanks).map(|_| Default::default()));
    let body = html! {
        @if let Some(sku) = &query.saved { p { "Saved the recipe of " strong { (sku) } "." } }
        form method="get" action="/recipes" {
            input name="q" value=(q) placeholder="product or material";
            " " button { "Search" }
            " " a href="/recipes.csv" { "boms.csv" }
        }
        @for recipe in &shown {
            @let product_unit = unit_of(&recipe.product_unit);
            section.recipe {
                h2 {
                    (recipe.product_name) " (" (recipe.product_sku) ")"
                    @if recipe.retired_at.is_some() { " " span.hold { "retired" } }
                }
                p {
                    @if let Some(per) = recipe.per {
                        "Makes " (Quantity::from_base(per).for_people(product_unit)) ". "
                    } @else {
                        "No batch size: the bench lists the materials but cannot scale them. "
                    }
                    (crate::core::counted_as(recipe.batches, "batch", "batches")) " made so far."
                }
                div.scroll { table {
                    tr { th { "material" } th { "quantity" } }
                    @for line in &recipe.lines {
                        tr {
                            td { (line.material_name) " (" (line.material_sku) ")" }
                            td { (Quantity::from_base(line.quantity).for_people(unit_of(&line.unit))) }
                        }
                    }
                } }
                @if let (true, Some(s)) = (owner, session) {
                    p {
                        a href={ "/recipes?edit=" (super::pages::urlencode(&recipe.product_sku)) "#recipe-form" } { "edit" }
                        form.inline method="post" action="/recipes/retire" {
                            input type="hidden" name="csrf" value=(s.csrf);
                            input type="hidden" name="product_sku" value=(recipe.product_sku);
                            @if recipe.retired_at.is_some() {
                                input type="hidden" name="retire" value="no";
                                button { "bring back" }
                            } @else {
                                input type="hidden" name="retire" value="yes";
                                button { "retire" }
                            }
                        }
                        @if recipe.batches == 0 {
                            form.inline method="post" action="/recipes/delete" {
                                input type="hidden" name="csrf" value=(s.csrf);
                                input type="hidden" name="product_sku" value=(recipe.product_sku);
                                button { "delete" }
                            }
                        }
                    }
                }
            }
        }
        p { (shown.len()) " of " (crate::core::counted(recipes.len(), "recipe")) }
        @if let (true, Some(s)) = (owner, session) {
            h2 #recipe-form { "Add or change a recipe" }
            p { "A row per material, in the material's unit or with one of its own ("
                "g, kg, oz, lb, ml, l, each). Saving replaces the product's recipe with these rows, "
                "checked as boms.csv's are; empty rows are left out." }
            @if let Some(e) = &error { p.error { (e) } }
            form #recipe-table method="post" action="/recipes" {
                input type="hidden" name="csrf" value=(s.csrf);
                label { "Product SKU "
                    input name="product_sku" value=(filled.product_sku) list="skus" required; }
                label { "Makes (in the product's unit; empty: not scaled) "
                    input name="per" value=(filled.per) inputmode="decimal"; }
                datalist #skus { @for item in &items { option value=(item.sku) { (item.name) } } }
                div.scroll { table {
                    tr { th { "row" } th { "material_sku" } th { "quantity" } th { "unit" } }
                    @for (i, row) in filled.rows.iter().enumerate() {
                        tr {
                            td { (i + 1) }
                            td { input name="material_sku" value=(row[0]) list="skus" aria-label={ "material of row " (i + 1) }; }
                            td { input name="quantity" value=(row[1]) inputmode="decimal" size="8" aria-label={ "quantity of row " (i + 1) }; }
                            td { input name="unit" value=(row[2]) size="5" aria-label={ "unit of row " (i + 1) }; }
                        }
                    }
                } }
                button { "Save the recipe" }
            }
        } @else if let Some(e) = &error {
            p.error { (e) }
        }
    };
    (status, Html(layout("Recipes", session, body).into_string())).into_response()
}

/// `POST /recipes`: the table as boms.csv rows, parsed and imported through the station as
/// the signed-in owner's (all or nothing). A parse error names the table's row.
pub async fn save_recipe(
    State(app): State<App>,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let session = match gate(&app, &headers, "/recipes").await {
        Ok(s) => s,
        Err(to_login) => return to_login,
    };
    let csrf = fields
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    let actor = match owner_of_form(session.as_ref(), csrf) {
        Ok(actor) => actor,
        Err(refused) => return refused.into_response(),
    };
    let filled = Filled::from_fields(&fields);
    let said = |text: String| FormRefused::Said(text, Vec::new());
    let imported = async {
        if filled.product_sku.is_empty() {
            return Err(said("give the product's SKU".into()));
        }
        let rows = filled.used_rows();
        if rows.is_empty() {
            return Err(said(format!(
                "the recipe of {} has no rows: fill in a material and its quantity (to take a recipe away, retire or delete it)",
                filled.product_sku
            )));
        }
        let mut w = csv::Writer::from_writer(Vec::new());
        let _ = w.write_record(MasterKind::Boms.columns());
        for (_, row) in &rows {
            let _ = w.write_record([
                filled.product_sku.as_str(),
                &row[0],
                &row[1],
                &row[2],
                &filled.per,
            ]);
        }
        let csv_text = String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default();
        let file = std::path::Path::new("the table");
        let host = crate::core::host::InMemory::default().with_file(file, &csv_text);
        let data = crate::masterdata::parse(&host, MasterKind::Boms, file)
            .map_err(|e| said(row_of(&e.to_string(), &rows)))?;
        let asked = crate::events::ApiCommand::ImportMaster {
            file: "the console".into(),
            sha256: crate::store::sha256_hex(csv_text.as_bytes()),
            data: Box::new(data),
        };
        super::api::command(&app, asked, &actor)
            .await
            .map_err(|e| said(e.message.clone()))
    }
    .await;
    match imported {
        Ok(_) => Redirect::to(&format!(
            "/recipes?saved={}",
            super::pages::urlencode(&filled.product_sku)
        ))
        .into_response(),
        Err(FormRefused::Refused(refused)) => refused.into_response(),
        Err(FormRefused::Said(text, _)) => {
            recipes_response(
                &app,
                session.as_ref(),
                RecipesQuery::default(),
                Some((text, filled)),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

/// The importer's "the table line N, …" as the row of the table the owner sees.
fn row_of(message: &str, rows: &[(usize, &[String; 3])]) -> String {
    let Some(rest) = message.strip_prefix("the table line ") else {
        return message.to_string();
    };
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let line: usize = digits.parse().unwrap_or(0);
    // line 1 is the header; line 2 the first used row
    match rows.get(line.wrapping_sub(2)) {
        Some((row, _)) => format!("row {row}{}", &rest[digits.len()..]),
        None => message.to_string(),
    }
}

#[derive(Debug, serde::Deserialize)]
pub struct RecipeAction {
    csrf: String,
    product_sku: String,
    retire: Option<String>,
}

/// `POST /recipes/retire` (`product_sku`, `retire` = yes|no).
pub async fn retire_recipe(
    State(app): State<App>,
    headers: HeaderMap,
    Form(form): Form<RecipeAction>,
) -> Response {
    recipe_action(app, headers, form, false).await
}

/// `POST /recipes/delete` (`product_sku`): only while no batch of the product was made.
pub async fn delete_recipe(
    State(app): State<App>,
    headers: HeaderMap,
    Form(form): Form<RecipeAction>,
) -> Response {
    recipe_action(app, headers, form, true).await
}

async fn recipe_action(app: App, headers: HeaderMap, form: RecipeAction, delete: bool) -> Response {
    let session = match gate(&app, &headers, "/recipes").await {
        Ok(s) => s,
        Err(to_login) => return to_login,
    };
    let done = super::console::master_action(
        &app,
        session.as_ref(),
        MasterKind::Boms,
        &form.csrf,
        form.product_sku,
        form.retire.as_deref(),
        delete,
    )
    .await;
    match done {
        Ok(()) => Redirect::to("/recipes").into_response(),
        Err(FormRefused::Refused(refused)) => refused.into_response(),
        Err(FormRefused::Said(said, _)) => {
            recipes_response(
                &app,
                session.as_ref(),
                RecipesQuery::default(),
                Some((said, Filled::default())),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}
