//! The pages of one record: `GET /lot/CODE`, `/batch/CODE`, `/shipment/CODE` show what it
//! is, what is on hand and why it is held, its label with a print button, and the trace
//! both ways; hold, release, void and adjust (a count, a yield, an expiry) go through a
//! confirmation page, `GET /KIND/CODE/ACTION?reason=…&value=…`, that says what will change
//! (a correction is previewed by the same rules that will record it, in a snapshot that
//! writes nothing) before `POST /KIND/CODE/ACTION` does it. `POST /record/print` prints
//! the label.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::{Markup, html};

use super::console::{form_sender, gate, layout, said_back};
use super::pages::{backward_markup, credentials, forward_markup, label_and_print, urlencode};
use super::session::Session;
use super::{ApiError, App, read};
use crate::core::codes::Quantity;
use crate::core::print::LabelFacts;
use crate::core::trace::{BackwardTrace, ForwardTrace, StockRow};
use crate::core::workflow::{Asked, LabelKind};
use crate::events::ApiCommand;
use crate::store::Target;

/// What a record page shows, read in one go.
struct Record {
    facts: LabelFacts,
    stock: Option<StockRow>,
    reason: Option<String>,
    forward: ForwardTrace,
    backward: BackwardTrace,
}

fn label_kind(kind: &str) -> Option<LabelKind> {
    match kind {
        "lot" => Some(LabelKind::Lot),
        "batch" => Some(LabelKind::Batch),
        "shipment" => Some(LabelKind::Shipment),
        _ => None,
    }
}

/// Where a code's page is: a lot's, batch's or shipment's own, an order's, else its trace.
fn page_of(target: &Target) -> String {
    match target {
        Target::Lot(c) => format!("/lot/{}", urlencode(c)),
        Target::Batch(c) => format!("/batch/{}", urlencode(c)),
        Target::Shipment(c) => format!("/shipment/{}", urlencode(c)),
        Target::Order(n) => format!("/orders/{}", urlencode(n)),
        Target::SupplierLot { number, .. } => format!("/trace?code={}", urlencode(number)),
    }
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct RecordQuery {
    done: Option<String>,
    error: Option<String>,
}

/// `GET /lot/CODE`, `/batch/CODE`, `/shipment/CODE`.
pub async fn record_page(
    State(app): State<App>,
    headers: HeaderMap,
    uri: Uri,
    Path(code): Path<String>,
    Query(query): Query<RecordQuery>,
) -> Response {
    let kind = uri
        .path()
        .trim_start_matches('/')
        .split('/')
        .next()
        .unwrap_or("");
    let Some(label) = label_kind(kind) else {
        return ApiError::not_found("no such page").into_response();
    };
    let session = match gate(&app, &headers, uri.path()).await {
        Ok(s) => s,
        Err(to_login) => return to_login,
    };
    let today = crate::clock::now()
        .to_zoned(app.settings.station.timezone.clone())
        .date();
    let (wanted, kind_text) = (code.clone(), kind.to_string());
    let found = read(&app, move |store| {
        let target = store.resolve(&wanted, None)?;
        if target.kind() != kind_text {
            return Ok(Err(page_of(&target)));
        }
        let facts = store.label_facts(label, &wanted)?;
        let item = match &facts {
            LabelFacts::Lot(f) => Some(f.item_sku.clone()),
            LabelFacts::Batch(f) => Some(f.product_sku.clone()),
            _ => None,
        };
        let stock = match item {
            Some(sku) => store
                .stock(Some(&sku), today, true)?
                .into_iter()
                .find(|r| r.code == wanted),
            None => None,
        };
        let reason = store.status_reasons()?.remove(&wanted);
        Ok(Ok(Record {
            facts,
            stock,
            reason,
            forward: store.trace_forward(&target)?,
            backward: store.trace_backward(&target)?,
        }))
    })
    .await;
    let record = match found {
        Ok(Ok(record)) => record,
        Ok(Err(elsewhere)) => return Redirect::to(&elsewhere).into_response(),
        Err(e) => {
            let body = html! { p.error { (e.message) } };
            return (
                e.status,
                Html(layout(&format!("{kind} {code}"), session.as_ref(), body).into_string()),
            )
                .into_response();
        }
    };
    let tz = &app.settings.station.timezone;
    let body = html! {
        @if let Some(done) = &query.done { p { (done) } }
        @if let Some(error) = &query.error { p.error { (error) } }
        (facts_markup(&record, tz))
        (label_and_print(session.as_ref(), kind, &code))
        (actions(kind, &code, record.stock.as_ref()))
        h2 { "Where it went" }
        (forward_markup(&record.forward))
        h2 { "Where it came from" }
        (backward_markup(&record.backward, tz))
    };
    let title = format!("{} {code}", capitalised(kind));
    Html(layout(&title, session.as_ref(), body).into_string()).into_response()
}

fn capitalised(kind: &str) -> String {
    let mut chars = kind.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn facts_markup(record: &Record, tz: &jiff::tz::TimeZone) -> Markup {
    let local = |at: &str| crate::clock::local_text(at, tz);
    let stock = record.stock.as_ref();
    html! {
        div.scroll { table.facts {
            @match &record.facts {
                LabelFacts::Lot(f) => {
                    tr { th { "item" } td { (f.item_name) " (" (f.item_sku) ")" } }
                    tr { th { "supplier" } td { (f.supplier_name) " (" (f.supplier_code) ")" } }
                    tr { th { "supplier lot" } td { (f.supplier_lot) } }
                    tr { th { "invoice" } td { (f.invoice) } }
                    tr { th { "received" } td { (local(&f.received_at)) ", " (Quantity::from_base(f.quantity).for_people(f.unit)) } }
                    tr { th { "expiry" } td { (f.expiry.as_deref().unwrap_or("-")) } }
                }
                LabelFacts::Batch(f) => {
                    tr { th { "product" } td { (f.product_name) " (" (f.product_sku) ")" } }
                    tr { th { "made" } td { (f.production_date) } }
                    tr { th { "yield" } td { @match f.yield_quantity {
                        Some(q) => (Quantity::from_base(q).for_people(f.unit)),
                        None => "open: not finished at the bench",
                    } } }
                    tr { th { "expiry" } td { (f.expiry.as_deref().unwrap_or("-")) } }
                }
                LabelFacts::Shipment(f) => {
                    tr { th { "order" } td { a href={ "/orders/" (urlencode(&f.order_number)) } { (f.order_number) } } }
                    tr { th { "customer" } td { (f.customer_name) " (" (f.customer_code) ")" } }
                    tr { th { "address" } td { (f.customer_address) } }
                    tr { th { "shipped" } td { (local(&f.shipped_at)) } }
                    tr { th { "units" } td { (f.units) } }
                    tr { th { "batches" } td { @for (i, b) in f.batches.iter().enumerate() {
                        @if i > 0 { ", " } a href={ "/batch/" (urlencode(b)) } { (b) }
                    } } }
                }
                LabelFacts::Pack(_) => {}
            }
            @if let Some(s) = stock {
                tr { th { "on hand" } td { (Quantity::from_base(s.quantity.base).for_people(s.unit)) } }
                tr { th { "status" } td class=(s.status) { (s.status)
                    @if let Some(reason) = &record.reason { " (" (reason) ")" } } }
                @if let Some(days) = s.days_of_cover { tr { th { "days of cover" } td { (days) } } }
            }
        } }
    }
}

/// The changes a record's page offers; each opens its confirmation page (a GET form:
/// nothing changes until that page's button).
fn actions(kind: &str, code: &str, stock: Option<&StockRow>) -> Markup {
    let base = format!("/{kind}/{}", urlencode(code));
    let held = stock.is_some_and(|s| matches!(s.status.as_str(), "hold" | "quarantine"));
    let is_stock = kind != "shipment";
    let form = |action: &str, button: &str, value: Option<(&str, &str)>| {
        html! {
            form.change method="get" action={ (base) "/" (action) } {
                @if let Some((label, placeholder)) = value {
                    label.inline { (label) " " input name="value" placeholder=(placeholder) required; }
                    " "
                }
                input name="reason" placeholder="reason" required aria-label={ "reason to " (action) };
                " " button { (button) "…" }
            }
        }
    };
    html! {
        h2 { "Change it" }
        p { "Each change asks first, on a page that says what it will do." }
        @if is_stock {
            @if held { (form("release", "Release", None)) } @else { (form("hold", "Hold", None)) }
            (form("count", "Set what is on hand", Some(("counted", "17 kg"))))
            @if kind == "batch" { (form("yield", "Correct the yield", Some(("made", "24")))) }
            (form("expiry", "Correct the expiry", Some(("expiry", "2027-06-30"))))
        }
        (form("void", "Void", None))
    }
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct ChangeQuery {
    #[serde(default)]
    reason: String,
    value: Option<String>,
}

/// A change a record's page asks for, as the station will be asked it.
fn command_of(action: &str, code: &str, reason: &str, value: Option<&str>) -> Option<ApiCommand> {
    let (code, reason) = (code.to_string(), reason.trim().to_string());
    let value = value.map(str::trim).unwrap_or("").to_string();
    let correct = |asked: Asked| ApiCommand::Correct {
        code: code.clone(),
        asked,
        reason: reason.clone(),
    };
    Some(match action {
        "hold" => ApiCommand::Hold {
            code: code.clone(),
            reason: reason.clone(),
            quarantine: false,
        },
        "release" => ApiCommand::Release {
            code: code.clone(),
            reason: reason.clone(),
        },
        "void" => correct(Asked::Void),
        "count" => correct(Asked::Count(value)),
        "yield" => correct(Asked::Yield(value)),
        "expiry" => correct(Asked::Expiry(value)),
        _ => return None,
    })
}

/// `GET /KIND/CODE/ACTION`: what the change will do, and the button that does it.
pub async fn confirm_page(
    State(app): State<App>,
    headers: HeaderMap,
    Path((kind, code, action)): Path<(String, String, String)>,
    Query(ask): Query<ChangeQuery>,
) -> Response {
    let Some(label) = label_kind(&kind) else {
        return ApiError::not_found("no such page").into_response();
    };
    let Some(command) = command_of(&action, &code, &ask.reason, ask.value.as_deref()) else {
        return ApiError::not_found("no such page").into_response();
    };
    let back = format!("/{kind}/{}", urlencode(&code));
    let session = match gate(&app, &headers, &back).await {
        Ok(s) => s,
        Err(to_login) => return to_login,
    };
    let title = format!("{} {code}: {action}", capitalised(&kind));
    if ask.reason.trim().is_empty() {
        let body = html! { p.error { "Say why: a change needs its reason." } p { a href=(back) { "Back" } } };
        return respond(
            StatusCode::UNPROCESSABLE_ENTITY,
            &title,
            session.as_ref(),
            body,
        );
    }
    let now = crate::clock::now();
    let today = now.to_zoned(app.settings.station.timezone.clone()).date();
    let previewed = {
        let code = code.clone();
        let command = command.clone();
        read(&app, move |store| {
            let facts = store.label_facts(label, &code)?;
            let status = match &facts {
                LabelFacts::Lot(f) => f.status.clone(),
                LabelFacts::Batch(f) => f.status.clone(),
                _ => String::new(),
            };
            let reason = store.status_reasons()?.remove(&code);
            Ok(match &command {
                ApiCommand::Correct {
                    asked, reason: why, ..
                } => store
                    .preview_correction(&code, asked, why, now, today)?
                    .map(|said| format!("It will record: {said}.")),
                ApiCommand::Hold { .. } if status == "hold" || status == "quarantine" => {
                    Err(format!("{code} is on hold already"))
                }
                ApiCommand::Hold { reason: why, .. } => Ok(format!(
                    "{code} is {status} now. On hold, no bench takes it into a batch or onto an order until it is released. Reason: {why}."
                )),
                ApiCommand::Release { reason: why, .. } => match status.as_str() {
                    "hold" | "quarantine" => Ok(format!(
                        "{code} is on hold now{}. Released, it can be used and shipped again. Reason: {why}.",
                        reason.map(|r| format!(" ({r})")).unwrap_or_default()
                    )),
                    other => Err(format!("{code} is {other}, not on hold: there is nothing to release")),
                },
                _ => Err("not a change of a record".to_string()),
            })
        })
        .await
    };
    let owner_only = matches!(command, ApiCommand::Correct { .. });
    let may = match &session {
        Some(s) => !owner_only || s.role == crate::core::account::Role::Owner,
        None => true,
    };
    let (status, body) = match previewed {
        Err(e) => (e.status, html! { p.error { (e.message) } }),
        Ok(Err(why)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            html! { p.error { "This would be refused: " (why) "." } },
        ),
        Ok(Ok(said)) => (
            StatusCode::OK,
            html! {
                p { (said) }
                p { "It is journaled with your name and cannot be taken back from the records; a later change can correct it." }
                @if may {
                    form method="post" action={ (back) "/" (action) } {
                        (credentials(session.as_ref()))
                        input type="hidden" name="reason" value=(ask.reason.trim());
                        @if let Some(v) = &ask.value { input type="hidden" name="value" value=(v.trim()); }
                        button.danger { (capitalised(&action)) " " (code) " now" }
                    }
                } @else {
                    p.error { "A correction (void or adjust) is made by an owner." }
                }
            },
        ),
    };
    let body = html! { (body) p { a href=(back) { "Back to " (kind) " " (code) } } };
    respond(status, &title, session.as_ref(), body)
}

fn respond(status: StatusCode, title: &str, session: Option<&Session>, body: Markup) -> Response {
    (status, Html(layout(title, session, body).into_string())).into_response()
}

#[derive(Debug, serde::Deserialize)]
pub struct ChangeForm {
    csrf: Option<String>,
    token: Option<String>,
    #[serde(default)]
    reason: String,
    value: Option<String>,
}

/// `POST /KIND/CODE/ACTION`: the change, through the station, as the account's.
pub async fn confirm(
    State(app): State<App>,
    headers: HeaderMap,
    Path((kind, code, action)): Path<(String, String, String)>,
    Form(form): Form<ChangeForm>,
) -> Response {
    if label_kind(&kind).is_none() {
        return ApiError::not_found("no such page").into_response();
    }
    let Some(command) = command_of(&action, &code, &form.reason, form.value.as_deref()) else {
        return ApiError::not_found("no such page").into_response();
    };
    let back = format!("/{kind}/{}", urlencode(&code));
    let actor = match form_sender(
        &app,
        &headers,
        &back,
        form.csrf.as_deref(),
        form.token.as_deref(),
    )
    .await
    {
        Ok(actor) => actor,
        Err(refused) => return refused,
    };
    if form.reason.trim().is_empty() {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            "a change needs its reason",
        )
            .into_response();
    }
    match super::api::command(&app, command, &actor).await {
        Err(e) if e.status == StatusCode::FORBIDDEN => (e.status, e.message).into_response(),
        said => said_back(&back, said),
    }
}

#[derive(Debug, serde::Deserialize)]
pub struct PrintForm {
    csrf: Option<String>,
    token: Option<String>,
    kind: String,
    code: String,
    copies: Option<u32>,
    printer: Option<String>,
}

/// `POST /record/print` (`kind`, `code`, `copies`, `printer`): the label through the
/// station's print queue; back to the record's page with what the queue said.
pub async fn print(
    State(app): State<App>,
    headers: HeaderMap,
    Form(form): Form<PrintForm>,
) -> Response {
    let Some(label) = label_kind(&form.kind) else {
        return ApiError::bad_request("kind must be lot, batch or shipment").into_response();
    };
    let back = format!("/{}/{}", form.kind, urlencode(&form.code));
    let actor = match form_sender(
        &app,
        &headers,
        &back,
        form.csrf.as_deref(),
        form.token.as_deref(),
    )
    .await
    {
        Ok(actor) => actor,
        Err(refused) => return refused,
    };
    let copies = form.copies.unwrap_or(1);
    if !(1..=500).contains(&copies) {
        return Redirect::to(&format!("{back}?error=copies%20are%201%20to%20500")).into_response();
    }
    let asked = ApiCommand::Print {
        label,
        code: form.code.trim().to_string(),
        printer: form.printer.filter(|p| !p.trim().is_empty()),
        copies,
    };
    said_back(&back, super::api::command(&app, asked, &actor).await)
}
