//! HTML pages: the station screen (a static page fed by server-sent events) and the owner's
//! trace, recall and complaints pages, written with maud (every value escaped), on the
//! console's layout. No build step, no external assets; every change is a plain form.

use std::collections::BTreeMap;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::{Markup, html};

use super::console::{form_sender, gate, layout, said_back};
use super::session::Session;
use super::{ApiError, App, read};
use crate::core::trace::{BackwardTrace, ForwardTrace};

/// Text escaped for HTML (the bench screen's placeholders, inside double quotes or text).
fn esc(text: &str) -> String {
    html! { (text) }.into_string()
}

fn respond(status: StatusCode, title: &str, session: Option<&Session>, body: Markup) -> Response {
    (status, Html(layout(title, session, body).into_string())).into_response()
}

pub async fn index(State(app): State<App>, headers: HeaderMap) -> Response {
    let view = app.subscription.view.borrow().clone();
    if view.benches.len() == 1 {
        return Redirect::to(&format!("/bench/{}", urlencode(&view.benches[0].name)))
            .into_response();
    }
    let session = super::session_of(&app, &headers);
    let body = html! {
        ul { @for bench in &view.benches {
            li {
                a href={ "/bench/" (urlencode(&bench.name)) } { (bench.name) } ": " (bench.prompt)
                @if app.settings.station.camera_of(&bench.name).is_some() { " · scans with a phone's camera" }
            }
        } }
    };
    respond(StatusCode::OK, "Benches", session.as_ref(), body)
}

pub(super) fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

const SCREEN: &str = include_str!("screen.html");

pub async fn bench_screen(
    State(app): State<App>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Result<Html<String>, ApiError> {
    if !app
        .subscription
        .view
        .borrow()
        .benches
        .iter()
        .any(|b| b.name == name)
    {
        return Err(ApiError::not_found(format!("no bench is named {name:?}")));
    }
    // a camera on a bench that lists one, for a person signed in (its reads carry the name)
    let camera = app
        .settings
        .station
        .camera_of(&name)
        .map(|c| c.name.clone());
    let csrf = super::session_of(&app, &headers).map(|s| s.csrf);
    // a station without accounts: the phone sends the station's token instead
    let by_token = camera.is_some()
        && csrf.is_none()
        && !read(&app, |store| Ok(store.has_accounts()?)).await?;
    Ok(Html(
        SCREEN
            .replace("__BENCH_TITLE__", &esc(&name))
            .replace("__BENCH_ATTR__", &esc(&name))
            .replace("__CAMERA__", &esc(camera.as_deref().unwrap_or_default()))
            .replace("__CSRF__", &esc(csrf.as_deref().unwrap_or_default()))
            .replace("__BY_TOKEN__", if by_token { "1" } else { "" })
            .replace(
                "__ASSETS__",
                &format!("/assets/{}", super::assets::ZXING_WASM),
            ),
    ))
}

#[derive(Debug, serde::Deserialize)]
pub struct TraceForm {
    code: Option<String>,
    direction: Option<String>,
    supplier: Option<String>,
}

pub async fn trace_page(
    State(app): State<App>,
    headers: HeaderMap,
    Query(form): Query<TraceForm>,
) -> Response {
    let session = match gate(&app, &headers, "/trace").await {
        Ok(session) => session,
        Err(to_login) => return to_login,
    };
    let code = form.code.unwrap_or_default().trim().to_string();
    let forward = form.direction.as_deref() != Some("backward");
    let supplier = form.supplier.filter(|s| !s.trim().is_empty());
    let search = html! {
        form method="get" action="/trace" {
            input name="code" placeholder="lot, batch, order or supplier lot" value=(code) autofocus;
            " " select name="direction" {
                option value="forward" selected[forward] { "forward: to customers" }
                option value="backward" selected[!forward] { "backward: to suppliers" }
            }
            " " input name="supplier" placeholder="supplier (optional)" value=(supplier.as_deref().unwrap_or(""));
            " " button { "Trace" }
        }
    };
    if code.is_empty() {
        return respond(StatusCode::OK, "Trace", session.as_ref(), search);
    }
    let lookup = code.clone();
    let result = read(&app, move |store| {
        let target = store.resolve(&lookup, supplier.as_deref())?;
        let record = matches!(target.kind(), "lot" | "batch" | "shipment")
            .then(|| (target.kind(), target.code().to_string()));
        Ok((
            record,
            if forward {
                Ok(store.trace_forward(&target)?)
            } else {
                Err(store.trace_backward(&target)?)
            },
        ))
    })
    .await;
    let tz = &app.settings.station.timezone;
    let body = html! {
        (search)
        @match &result {
            Err(e) => p.error { (e.message) },
            Ok((record, trace)) => {
                @if let Some((kind, code)) = record {
                    p { a href={ "/" (kind) "/" (urlencode(code)) } { "The " (kind) "'s page" }
                        ": its label, hold, release, void and adjust." }
                    (label_and_print(session.as_ref(), kind, code))
                }
                @match trace {
                    Ok(trace) => (forward_markup(trace)),
                    Err(trace) => (backward_markup(trace, tz)),
                }
            }
        }
    };
    let status = result.as_ref().err().map_or(StatusCode::OK, |e| e.status);
    respond(status, &format!("Trace {code}"), session.as_ref(), body)
}

/// The label of a lot, batch or shipment as it prints, and a form that prints it through
/// the station's queue (`POST /record/print`): a session's, or the station's token typed
/// in on a station without accounts.
pub(super) fn label_and_print(session: Option<&Session>, kind: &str, code: &str) -> Markup {
    html! {
        p { img src={ "/api/label/" (kind) "/" (urlencode(code)) ".png" }
                alt={ "the " (kind) " label of " (code) } style="max-width:100%;width:420px;border:1px solid #ccc"; }
        form method="post" action="/record/print" {
            (credentials(session))
            input type="hidden" name="kind" value=(kind);
            input type="hidden" name="code" value=(code);
            label.inline { "copies " input type="number" name="copies" value="1" min="1" max="500" style="width:4em"; }
            " " input name="printer" placeholder="printer (if several)";
            " " button { "Print the " (kind) " label of " (code) }
        }
    }
}

/// What a console form carries to say who sends it: the session's form token, or (signed
/// out, on a station without accounts) a field for the station's token.
pub(super) fn credentials(session: Option<&Session>) -> Markup {
    html! {
        @match session {
            Some(s) => input type="hidden" name="csrf" value=(s.csrf);,
            None => input type="password" name="token" placeholder="station token" autocomplete="off";,
        }
    }
}

/// A layered picture: the root, then each depth of batches, then the customers reached.
fn forward_graph(trace: &ForwardTrace) -> Markup {
    const SHOWN: usize = 14;
    let mut columns: BTreeMap<u32, Vec<&str>> = BTreeMap::new();
    for b in &trace.batches {
        columns.entry(b.depth).or_default().push(&b.code);
    }
    let depth_count = columns.len() + 2;
    let width = 180 * depth_count as u32 + 40;
    let tallest = columns
        .values()
        .map(|c| c.len().min(SHOWN + 1))
        .max()
        .unwrap_or(1)
        .max(2);
    let height = 34 * tallest as u32 + 60;
    // every box: where, what it says, its colour
    let mut nodes: Vec<(u32, u32, String, &str)> = Vec::new();
    let mut more: Vec<(u32, u32, usize)> = Vec::new();
    let mut positions: BTreeMap<&str, (u32, u32)> = BTreeMap::new();
    positions.insert(&trace.root.code, (20, 30));
    nodes.push((
        20,
        30,
        format!("{} {}", trace.root.kind, trace.root.code),
        "#ffd9a0",
    ));
    for (column, (_, codes)) in columns.iter().enumerate() {
        let x = 20 + 180 * (column as u32 + 1);
        for (row, code) in codes.iter().take(SHOWN).enumerate() {
            let y = 30 + 34 * row as u32;
            positions.insert(code, (x, y));
            nodes.push((x, y, code.to_string(), "#cfe3ff"));
        }
        if codes.len() > SHOWN {
            more.push((x, 30 + 34 * SHOWN as u32 + 16, codes.len() - SHOWN));
        }
    }
    let customers_x = 20 + 180 * (columns.len() as u32 + 1);
    nodes.push((
        customers_x,
        30,
        crate::core::counted(trace.customers.len(), "customer"),
        "#c8f0c8",
    ));
    nodes.push((
        customers_x,
        64,
        crate::core::counted(trace.shipments.len(), "shipment line"),
        "#c8f0c8",
    ));
    let lines: Vec<(u32, u32, u32, u32)> = trace
        .batches
        .iter()
        .filter_map(|b| {
            let parent = b
                .path
                .get(b.path.len().saturating_sub(2))
                .map(String::as_str)
                .unwrap_or("");
            let (x1, y1) = *positions.get(parent)?;
            let (x2, y2) = *positions.get(b.code.as_str())?;
            Some((x1 + 150, y1 + 12, x2, y2 + 12))
        })
        .collect();
    html! {
        div.scroll {
            svg xmlns="http://www.w3.org/2000/svg" width=(width) height=(height) role="img" aria-label="trace graph" {
                @for (x, y, label, colour) in &nodes {
                    rect x=(x) y=(y) width="150" height="24" rx="5" fill=(colour) stroke="#333" {}
                    text x=(x + 6) y=(y + 16) { (label) }
                }
                @for (x, y, n) in &more { text x=(x) y=(y) { "… and " (n) " more" } }
                @for (x1, y1, x2, y2) in &lines {
                    line x1=(x1) y1=(y1) x2=(x2) y2=(y2) stroke="#666" {}
                }
            }
        }
    }
}

/// Where something went: the graph, the customers reached, the batches and what is left.
pub(super) fn forward_markup(trace: &ForwardTrace) -> Markup {
    let code = urlencode(&trace.root.code);
    html! {
        p { strong { (trace.reach()) "." } " "
            a href={ "/api/trace/forward/" (code) "?format=csv" } { "CSV" } " · "
            a href={ "/api/trace/forward/" (code) } { "JSON" } }
        (forward_graph(trace))
        h2 { "Customers" }
        div.scroll { table {
            tr { th { "code" } th { "name" } th { "email" } th { "phone" } th { "address" } }
            @for c in &trace.customers {
                tr { td { (c.code) } td { (c.name) } td { (c.email) } td { (c.phone) } td { (c.address) } }
            }
        } }
        h2 { "Batches" }
        div.scroll { table {
            tr { th { "depth" } th { "batch" } th { "product" } th { "consumed" } th { "path" } }
            @for b in &trace.batches {
                tr {
                    td { (b.depth) }
                    td { a href={ "/batch/" (urlencode(&b.code)) } { (b.code) } }
                    td { (b.product_sku) }
                    td { (b.quantity_consumed.to_string()) }
                    td { (b.path.join(" › ")) }
                }
            }
        } }
        h2 { "On hand" }
        div.scroll { table {
            tr { th { "code" } th { "quantity" } }
            @for o in &trace.on_hand { tr { td { (o.code) } td { (o.quantity.to_string()) } } }
        } }
    }
}

/// Where something came from. For an order or shipment, how much of each lot and batch is
/// inside what it received: "which lots went into this customer's jar?"
pub(super) fn backward_markup(trace: &BackwardTrace, tz: &jiff::tz::TimeZone) -> Markup {
    let lots_reached = trace.lots.iter().any(|l| l.reached.is_some());
    let batches_reached = trace.batches.iter().any(|b| b.reached.is_some());
    html! {
        p { strong { (trace.reach()) "." } " "
            a href={ "/api/trace/backward/" (urlencode(&trace.root.code)) "?format=csv" } { "CSV" } }
        h2 { "Lots" }
        div.scroll { table {
            tr { th { "lot" } th { "item" } th { "supplier" } th { "supplier lot" } th { "invoice" }
                 th { "received" } th { "consumed" } @if lots_reached { th { "in what it received" } } }
            @for l in &trace.lots {
                tr {
                    td { (l.code) } td { (l.item_sku) } td { (l.supplier_code) } td { (l.supplier_lot) }
                    td { (l.invoice) } td { (crate::clock::local_text(&l.received_at, tz)) }
                    td { (l.quantity_consumed.to_string()) }
                    @if lots_reached { td { (l.reached.map(|r| r.estimate()).unwrap_or_default()) } }
                }
            }
        } }
        h2 { "Batches" }
        div.scroll { table {
            tr { th { "depth" } th { "batch" } th { "product" } @if batches_reached { th { "in what it received" } } }
            @for b in &trace.batches {
                tr {
                    td { (b.depth) } td { (b.code) } td { (b.product_sku) }
                    @if batches_reached { td { (b.reached_text().unwrap_or_default()) } }
                }
            }
        } }
        h2 { "Suppliers" }
        div.scroll { table {
            tr { th { "code" } th { "name" } th { "contact" } th { "email" } th { "phone" } }
            @for s in &trace.suppliers {
                tr { td { (s.code) } td { (s.name) } td { (s.contact) } td { (s.email) } td { (s.phone) } }
            }
        } }
    }
}

#[derive(Debug, serde::Deserialize)]
pub struct RecallForm {
    code: Option<String>,
}

pub async fn recall_page(
    State(app): State<App>,
    headers: HeaderMap,
    Query(form): Query<RecallForm>,
) -> Response {
    let session = match gate(&app, &headers, "/recall").await {
        Ok(session) => session,
        Err(to_login) => return to_login,
    };
    let code = form.code.unwrap_or_default().trim().to_string();
    let tz = app.settings.station.timezone.clone();
    let drills = read(&app, |store| Ok(store.drills()?)).await;
    let c = urlencode(&code);
    let body = html! {
        form method="get" action="/recall" {
            input name="code" placeholder="lot or supplier lot" value=(code);
            " " button { "Prepare" }
        }
        @if !code.is_empty() {
            h2 { "Drill (changes nothing)" }
            form method="post" action="/recall/drill" {
                (credentials(session.as_ref()))
                input type="hidden" name="code" value=(code);
                button { "Run a drill of " (code) }
                " (the package is made as for a real recall, timed and journaled for an auditor; no record changes)"
            }
            p {
                a href={ "/api/recall/" (c) "?format=pdf" } { "recall.pdf" } " · "
                a href={ "/api/recall/" (c) "?format=csv" } { "customers.csv" } " · "
                a href={ "/api/recall/" (c) "?format=json" } { "recall.json" } " · "
                a href={ "/trace?code=" (c) } { "see the trace" }
            }
            h2 { "Real recall" }
            p { "Marks the lot recalled and puts every downstream batch on hold. "
                a href={ "/recall/confirm?code=" (c) } { "Prepare it" }
                ": a page says what it will do and whom it reaches, and an owner confirms." }
        }
        // the drills journaled so far (`recall --mock`), for an auditor
        h2 { "Recall drills" }
        @match &drills {
            Err(e) => p.error { (e.message) },
            Ok(drills) if drills.is_empty() => p { "No drill journaled yet: "
                code { "lotstation recall CODE --mock" } " runs one and records it." },
            Ok(drills) => div.scroll { table {
                tr { th { "when" } th { "who" } th { "code" } th { "batches" } th { "shipment lines" }
                     th { "customers" } th { "seconds to answer" } }
                @for d in drills.iter().rev() {
                    @let field = |key: &str| match &d.body[key] {
                        serde_json::Value::String(s) => s.clone(),
                        serde_json::Value::Null => "-".to_string(),
                        other => other.to_string(),
                    };
                    tr {
                        td { (crate::clock::local_text(&d.at, &tz)) }
                        td { (d.operator.as_deref().unwrap_or("-")) }
                        td { (field("code")) } td { (field("batches")) } td { (field("shipment_lines")) }
                        td { (field("customers")) } td { (field("seconds")) }
                    }
                }
            } },
        }
    };
    respond(StatusCode::OK, "Recall", session.as_ref(), body)
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct ComplaintsQuery {
    code: Option<String>,
    done: Option<String>,
    error: Option<String>,
}

/// The owner's complaints page: every complaint (or those about one code), serious ones
/// with their FDA deadline, and a form that records one.
pub async fn complaints_page(
    State(app): State<App>,
    headers: HeaderMap,
    Query(query): Query<ComplaintsQuery>,
) -> Response {
    let session = match gate(&app, &headers, "/complaints").await {
        Ok(session) => session,
        Err(to_login) => return to_login,
    };
    let code = query.code.clone().unwrap_or_default().trim().to_string();
    let tz = app.settings.station.timezone.clone();
    let wanted = (!code.is_empty()).then(|| code.clone());
    let list = read(&app, move |store| {
        Ok(store.complaints_about(wanted.as_deref())?)
    })
    .await;
    let body = html! {
        @if let Some(done) = &query.done { p { (done) } }
        @if let Some(error) = &query.error { p.error { (error) } }
        form method="get" action="/complaints" {
            input name="code" placeholder="lot, batch or order" value=(code);
            " " button { "Show" }
        }
        h2 { "Record a complaint" }
        form method="post" action="/complaints" {
            (credentials(session.as_ref()))
            label { "Customer (code or email) " input name="customer" required; }
            label { "Batch on the jar, or order " input name="code" required; }
            label { "What they reported " input name="text" size="40" required; }
            label { input type="checkbox" name="serious" value="yes"; " serious adverse event" }
            button { "Record" }
        }
        @match &list {
            Err(e) => p.error { (e.message) },
            Ok(list) if list.is_empty() => p { "No complaints." },
            Ok(list) => div.scroll { table {
                tr { th { "received" } th { "customer" } th { "about" } th { "batches" } th { "lots" }
                     th { "serious" } th { "what they reported" } }
                @for c in list {
                    @let k = &c.complaint;
                    tr {
                        td { (crate::clock::local_text(&c.at, &tz)) }
                        td { (k.customer) }
                        td { (k.kind) " " (k.code) }
                        td { (k.batches.join(" ")) }
                        td { (k.lots.join(" ")) }
                        td class=[k.serious.then_some("recalled")] {
                            @match &k.report_by {
                                Some(by) => { "report to the FDA by " (by) },
                                None => "no",
                            }
                        }
                        td { (k.text) }
                    }
                }
            } },
        }
    };
    respond(StatusCode::OK, "Complaints", session.as_ref(), body)
}

#[derive(Debug, serde::Deserialize)]
pub struct ComplaintForm {
    csrf: Option<String>,
    token: Option<String>,
    customer: String,
    code: String,
    text: String,
    serious: Option<String>,
}

/// `POST /complaints` (`customer`, `code`, `text`, `serious`): recorded through the station
/// as the signed-in account's (a clerk may), then back to the list with what was said.
pub async fn add_complaint(
    State(app): State<App>,
    headers: HeaderMap,
    Form(form): Form<ComplaintForm>,
) -> Response {
    let actor = match form_sender(
        &app,
        &headers,
        "/complaints",
        form.csrf.as_deref(),
        form.token.as_deref(),
    )
    .await
    {
        Ok(actor) => actor,
        Err(refused) => return refused,
    };
    let asked = crate::events::ApiCommand::Complaint {
        customer: form.customer.trim().to_string(),
        code: form.code.trim().to_string(),
        text: form.text.trim().to_string(),
        serious: form.serious.is_some(),
    };
    said_back(
        "/complaints",
        super::api::command(&app, asked, &actor).await,
    )
}

#[derive(Debug, serde::Deserialize)]
pub struct DrillForm {
    csrf: Option<String>,
    token: Option<String>,
    code: String,
}

/// `POST /recall/drill` (`code`): a recall drill in one click, as `recall CODE --mock`: the
/// package made (by a reader, one heavy report at a time), timed, and journaled with the
/// account's name; a clerk's as much as an owner's (it changes no record).
pub async fn drill(
    State(app): State<App>,
    headers: HeaderMap,
    Form(form): Form<DrillForm>,
) -> Response {
    let session = match gate(&app, &headers, "/recall").await {
        Ok(session) => session,
        Err(to_login) => return to_login,
    };
    let actor = match super::console::form_actor(
        &app,
        session.as_ref(),
        form.csrf.as_deref(),
        form.token.as_deref(),
    ) {
        Ok(actor) => actor,
        Err(refused) => return refused.into_response(),
    };
    let code = form.code.trim().to_string();
    let tz = app.settings.station.timezone.clone();
    let operator = actor.name.clone();
    let words = crate::report::notice::NoticeWords::from_config(&app.settings.station, None, None);
    let made = super::read_heavy(&app, move |store| {
        let target = super::recall_target(store, &code, None)?;
        let started = std::time::Instant::now();
        let files = crate::report::recall_package(
            store,
            &target,
            true,
            crate::clock::now(),
            Some(&operator),
            &tz,
            &words,
        )
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
        let seconds = started.elapsed().as_secs_f64();
        Ok((
            target.code().to_string(),
            files.package.trace.reach(),
            seconds,
            crate::report::drill_body(&target, &files, seconds),
        ))
    })
    .await;
    let (code, reach, seconds, body) = match made {
        Ok(made) => made,
        Err(e) => {
            let page = html! { p.error { (e.message) } p { a href="/recall" { "Back" } } };
            return respond(e.status, "Recall drill", session.as_ref(), page);
        }
    };
    let journaled =
        super::api::command(&app, crate::events::ApiCommand::Drill { body }, &actor).await;
    let c = urlencode(&code);
    let page = html! {
        p { "Drill of " strong { (code) } ": " (reach) ", answered in " (format!("{seconds:.2}")) " s." }
        @match &journaled {
            Ok(crate::events::ApiReply::Done(said)) => p { "The drill is journaled (" (said) "); no record changed." },
            Ok(_) => p { "The drill is journaled." },
            Err(e) => p.error { "The drill was made but not journaled: " (e.message) },
        }
        p {
            a href={ "/api/recall/" (c) "?format=pdf" } { "recall.pdf" } " · "
            a href={ "/api/recall/" (c) "?format=csv" } { "customers.csv" } " · "
            a href={ "/api/recall/" (c) "?format=json" } { "recall.json" } " · "
            a href={ "/recall?code=" (c) } { "back to the recall page" }
        }
    };
    respond(StatusCode::OK, "Recall drill", session.as_ref(), page)
}

/// `GET /camera`: how a phone becomes a bench's scanner. Each bench that takes camera scans
/// as a QR code of its page's address (for the phone to open), and over the station's own
/// https the certificate's fingerprint to compare with what the phone shows.
pub async fn camera_page(State(app): State<App>, headers: HeaderMap) -> Response {
    let session = match gate(&app, &headers, "/camera").await {
        Ok(session) => session,
        Err(to_login) => return to_login,
    };
    let tls = app.settings.tls.as_ref().map(|t| &t.certificate);
    let proxied = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"));
    let scheme = if tls.is_some() || proxied {
        "https"
    } else {
        "http"
    };
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|h| super::guard::is_plain_host(h))
        .unwrap_or("127.0.0.1");
    let loopback =
        host.starts_with("127.") || host.starts_with("localhost") || host.starts_with("[::1]");
    let station = &app.settings.station;
    let benches: Vec<(String, String)> = station
        .config
        .bench
        .iter()
        .filter(|b| station.camera_of(&b.name).is_some())
        .map(|b| {
            (
                b.name.clone(),
                format!("{scheme}://{host}{}", super::bench_path(&b.name)),
            )
        })
        .collect();
    let body = html! {
        p { "A phone or tablet is a scanner: open a bench's page on it, sign in, and press "
            strong { "Scan with camera" } ". Each code it reads goes to the bench as a scanner's would, under the name signed in." }
        @if scheme == "http" {
            p.error {
                "A phone's browser lets a page use the camera only over https. Set "
                code { "tls = true" } " under " code { "[http]" } " (with " code { "listen" }
                " on the shop's network, e.g. " code { "\"0.0.0.0:8077\"" } ") and restart the station: it makes its own certificate."
                @if loopback { " A webcam on this computer works here as it is." }
            }
        }
        @if let Some(certificate) = tls {
            h2 { "The certificate" }
            p {
                @if certificate.made_here {
                    "The station made its own certificate. The first time a phone opens it, the browser warns that it does not know who signed it: compare the fingerprint it shows with this one, then go on (Chrome: Advanced → Proceed; Safari: Show Details → visit this website)."
                } @else {
                    "The station uses the shop's own certificate."
                }
            }
            p { "SHA-256 fingerprint: " code.fingerprint { (certificate.fingerprint) } }
            p { a href="/camera/certificate.crt" { "Download the certificate" }
                " to install it on a phone once (Android: Settings → Security → Install a certificate → CA certificate; iPhone: open it in Safari, then Settings → General → VPN & Device Management, and Certificate Trust Settings)." }
        }
        @if benches.is_empty() {
            p { "No bench takes camera scans yet: add a scanner of kind camera to a bench's scanners ("
                code { "[[scanner]] name = \"camera\" kind = \"camera\"" } ")." }
        }
        @for (name, url) in &benches {
            section.bench-qr {
                h2 { "Bench " (name) }
                (qr_svg(url))
                p { a href=(url) { (url) } }
            }
        }
    };
    respond(StatusCode::OK, "Phones as scanners", session.as_ref(), body)
}

/// `GET /camera/certificate.crt`: the station's https certificate, for a phone to install.
pub async fn certificate(State(app): State<App>) -> Response {
    match &app.settings.tls {
        Some(tls) => (
            [
                (
                    axum::http::header::CONTENT_TYPE,
                    "application/x-x509-ca-cert",
                ),
                (
                    axum::http::header::CONTENT_DISPOSITION,
                    "attachment; filename=\"lotstation.crt\"",
                ),
            ],
            tls.certificate.pem.clone(),
        )
            .into_response(),
        None => ApiError::not_found("this station serves plain http: it has no certificate")
            .into_response(),
    }
}

/// A QR code of `text` as an inline SVG (dark modules as one path, four modules of quiet
/// zone around).
fn qr_svg(text: &str) -> Markup {
    let Ok(code) = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)
    else {
        return html! { p { (text) } };
    };
    let width = code.width();
    let mut path = String::new();
    for (n, color) in code.to_colors().iter().enumerate() {
        if *color == qrcode::Color::Dark {
            path.push_str(&format!("M{},{}h1v1h-1z", n % width + 4, n / width + 4));
        }
    }
    let size = width + 8;
    html! {
        svg xmlns="http://www.w3.org/2000/svg" viewBox={ "0 0 " (size) " " (size) } width="220" height="220"
            role="img" aria-label={ "QR code of " (text) } shape-rendering="crispEdges" {
            rect width=(size) height=(size) fill="#fff" {}
            path d=(path) fill="#000" {}
        }
    }
}
