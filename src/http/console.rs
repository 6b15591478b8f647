//! Signing in to the console: `GET /login` (the form), `POST /login` (fields `name`,
//! `password`, `csrf`, `next`), `POST /logout`. With no account on the station the owner's
//! pages are open as before (a fresh install works at once); once `lotstation user add` has
//! made one, every page but `/login` and the bench screens asks for a session. Pages are
//! written with maud, which escapes every value it is given.

use std::time::Instant;

use axum::Form;
use axum::extract::{Extension, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{DOCTYPE, Markup, html};

use super::session::{self, COOKIE, LOGIN_COOKIE, Session};
use super::{App, Peer, read};

/// A page of the console: its title, who is signed in, its body.
pub fn layout(title: &str, session: Option<&Session>, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                @if let Some(s) = session {
                    meta name="csrf" content=(s.csrf);
                }
                title { "lotstation · " (title) }
                style { (maud::PreEscaped(STYLE)) }
            }
            body {
                nav {
                    a href="/" { "benches" } " · " a href="/trace" { "trace" } " · "
                    a href="/recall" { "recall" } " · " a href="/stock" { "stock" } " · "
                    a href="/items" { "items" } " · " a href="/recipes" { "recipes" } " · " a href="/suppliers" { "suppliers" } " · "
                    a href="/customers" { "customers" } " · " a href="/orders" { "orders" } " · "
                    a href="/import" { "import" } " · " a href="/exports" { "exports" } " · "
                    a href="/complaints" { "complaints" } " · " a href="/camera" { "camera" }
                    @if let Some(s) = session {
                        form.signout method="post" action="/logout" {
                            input type="hidden" name="csrf" value=(s.csrf);
                            span { (s.name) " (" (s.role.name()) ") " }
                            button { "sign out" }
                        }
                    }
                }
                h1 { (title) }
                (body)
            }
        }
    }
}

const STYLE: &str = "body { font-family: system-ui, sans-serif; margin: 16px; max-width: 1100px; }
nav { display: flex; gap: 6px; flex-wrap: wrap; align-items: baseline; } nav .signout { margin-left: auto; }
form { margin: 12px 0; } input, select, button { font-size: 16px; padding: 6px 8px; }
label { display: block; margin: 8px 0; } .error { color: #c40d1e; font-weight: 700; }
form.inline { display: inline; margin: 0 4px; } table { border-collapse: collapse; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #ddd; }
.scroll { overflow-x: auto; max-width: 100%; }
.hold, .quarantine, .recalled, .expired { color: #c40d1e; font-weight: 700; } .available { color: #0a7d28; }
tr.low td { background: #fff4d6; font-weight: 700; }
button.danger { background: #c40d1e; color: #fff; border: 0; padding: 10px 16px; font-weight: 700; }";

#[derive(Debug, serde::Deserialize)]
pub struct Next {
    next: Option<String>,
}

/// Where a sign-in may send the browser: a path of this station, nothing else.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/".to_string(),
    }
}

/// The sign-in form, with a token doubled in a cookie (there is no session yet to keep it).
pub async fn login_page(headers: HeaderMap, Query(query): Query<Next>) -> Response {
    login_form(
        &headers,
        &safe_next(query.next.as_deref()),
        None,
        StatusCode::OK,
    )
}

/// `; Secure` when the browser reached the station over TLS: through a proxy in front of it
/// that says so (`X-Forwarded-Proto: https`, or `Forwarded: …proto=https`). A client that
/// claims it falsely only makes its own cookie stricter.
fn secure(headers: &HeaderMap) -> &'static str {
    let said = |name: &str| {
        headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|v| {
                let v = v.to_ascii_lowercase();
                v.trim() == "https" || v.split([';', ',']).any(|p| p.trim() == "proto=https")
            })
    };
    if said("x-forwarded-proto") || said("forwarded") {
        "; Secure"
    } else {
        ""
    }
}

fn login_form(
    headers: &HeaderMap,
    next: &str,
    error: Option<&str>,
    status: StatusCode,
) -> Response {
    let token = session::random_token();
    let page = layout(
        "Sign in",
        None,
        html! {
            @if let Some(e) = error { p.error { (e) } }
            form method="post" action="/login" {
                input type="hidden" name="csrf" value=(token);
                input type="hidden" name="next" value=(next);
                label { "Name " input name="name" autocomplete="username" autofocus required; }
                label { "Password " input type="password" name="password" autocomplete="current-password" required; }
                button { "Sign in" }
            }
        },
    );
    let mut response = (status, axum::response::Html(page.into_string())).into_response();
    if let Ok(cookie) = HeaderValue::from_str(&format!(
        "{LOGIN_COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/login; Max-Age=3600{}",
        secure(headers)
    )) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

#[derive(Debug, serde::Deserialize)]
pub struct LoginForm {
    name: String,
    password: String,
    csrf: String,
    next: Option<String>,
}

/// Checks a sign-in: the form's token against its cookie, the limits on failures per name
/// and address, then the password (an unknown name takes as long as a wrong password).
pub async fn login(
    State(app): State<App>,
    Extension(Peer(peer)): Extension<Peer>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let next = safe_next(form.next.as_deref());
    let doubled = session::cookie(&headers, LOGIN_COOKIE).unwrap_or_default();
    if doubled.is_empty() || !super::constant_time_eq(doubled.as_bytes(), form.csrf.as_bytes()) {
        return login_form(
            &headers,
            &next,
            Some("the form was stale: sign in again"),
            StatusCode::FORBIDDEN,
        );
    }
    let name = form.name.trim().to_string();
    let address = peer.ip().to_string();
    if let Some(wait) = app.sessions.blocked(&name, &address, Instant::now()) {
        let minutes = wait.as_secs().div_ceil(60).max(1);
        return login_form(
            &headers,
            &next,
            Some(&format!(
                "too many failed sign-ins: try again in {minutes} minute{}",
                if minutes == 1 { "" } else { "s" }
            )),
            StatusCode::TOO_MANY_REQUESTS,
        );
    }
    let lookup = name.clone();
    let found = read(&app, move |store| Ok(store.account_login(&lookup)?)).await;
    let password = form.password;
    let checked = tokio::task::spawn_blocking(move || match found {
        Ok(Some((role, hash))) => crate::accounts::verify(&password, &hash).then_some(role),
        _ => {
            crate::accounts::verify(&password, crate::accounts::decoy());
            None
        }
    })
    .await
    .ok()
    .flatten();
    let Some(role) = checked else {
        app.sessions.failed(&name, &address, Instant::now());
        tracing::warn!(name = %name, address = %address, "a sign-in failed");
        return login_form(
            &headers,
            &next,
            Some("that name and password do not match an account"),
            StatusCode::UNAUTHORIZED,
        );
    };
    let (key, _) = app.sessions.start(&name, role, Instant::now());
    tracing::info!(name = %name, role = role.name(), "signed in");
    let mut response = Redirect::to(&next).into_response();
    let seconds = app.sessions.length.as_secs();
    for cookie in [
        format!(
            "{COOKIE}={key}; HttpOnly; SameSite=Strict; Path=/; Max-Age={seconds}{}",
            secure(&headers)
        ),
        format!(
            "{LOGIN_COOKIE}=; HttpOnly; SameSite=Strict; Path=/login; Max-Age=0{}",
            secure(&headers)
        ),
    ] {
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

#[derive(Debug, serde::Deserialize)]
pub struct LogoutForm {
    csrf: String,
}

/// Ends the session (its form's token checked), and the cookie with it.
pub async fn logout(
    State(app): State<App>,
    headers: HeaderMap,
    Form(form): Form<LogoutForm>,
) -> Response {
    if let Some(key) = session::cookie(&headers, COOKIE)
        && let Some(s) = app.sessions.get(key, Instant::now())
    {
        if !super::constant_time_eq(s.csrf.as_bytes(), form.csrf.as_bytes()) {
            return (
                StatusCode::FORBIDDEN,
                "the page's form token is stale: reload it",
            )
                .into_response();
        }
        app.sessions.end(key);
    }
    let mut response = Redirect::to("/login").into_response();
    if let Ok(value) = HeaderValue::from_str(&format!(
        "{COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0{}",
        secure(&headers)
    )) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// A console page's gate: the session it carries; with accounts on the station and no
/// session, a redirect to the sign-in (which comes back to `path`).
pub async fn gate(app: &App, headers: &HeaderMap, path: &str) -> Result<Option<Session>, Response> {
    if let Some(session) = super::session_of(app, headers) {
        // the account as it is now: removed, or of another role, it signs in again
        let name = session.name.clone();
        let now = read(app, move |store| Ok(store.account_login(&name)?)).await;
        if matches!(&now, Ok(Some((role, _))) if *role == session.role) {
            return Ok(Some(session));
        }
        app.sessions.end_all_of(&session.name);
    }
    let accounts = read(app, |store| Ok(store.has_accounts()?)).await;
    match accounts {
        Ok(false) => Ok(None),
        Ok(true) => Err(
            Redirect::to(&format!("/login?next={}", super::pages::urlencode(path))).into_response(),
        ),
        Err(e) => Err(e.into_response()),
    }
}

/// The columns of items.csv, as the form's fields and the download's header.
fn item_columns() -> &'static [&'static str] {
    crate::masterdata::MasterKind::Items.columns()
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct ItemsQuery {
    q: Option<String>,
    saved: Option<String>,
}

/// `GET /items`: every item with its columns and what is on hand, a search box, the list
/// as items.csv, and (for an owner) the form that adds or changes one.
pub async fn items_page(
    State(app): State<App>,
    headers: HeaderMap,
    Query(query): Query<ItemsQuery>,
) -> Response {
    let session = match gate(&app, &headers, "/items").await {
        Ok(s) => s,
        Err(to_login) => return to_login,
    };
    items_response(&app, session.as_ref(), query, None, StatusCode::OK).await
}

async fn items_response(
    app: &App,
    session: Option<&Session>,
    query: ItemsQuery,
    error: Option<(String, Vec<(String, String)>)>,
    status: StatusCode,
) -> Response {
    let today = crate::clock::now()
        .to_zoned(app.settings.station.timezone.clone())
        .date();
    let listed = read(app, move |store| {
        Ok((store.items_list()?, store.stock(None, today, false)?))
    })
    .await;
    let (items, stock) = match listed {
        Ok(found) => found,
        Err(e) => return e.into_response(),
    };
    let mut on_hand: std::collections::HashMap<&str, i64> = std::collections::HashMap::new();
    for row in &stock {
        *on_hand.entry(row.item_sku.as_str()).or_default() += row.quantity.base;
    }
    let q = query.q.clone().unwrap_or_default();
    let wanted = q.trim().to_lowercase();
    let shown: Vec<_> = items
        .iter()
        .filter(|i| {
            wanted.is_empty()
                || i.sku.to_lowercase().contains(&wanted)
                || i.name.to_lowercase().contains(&wanted)
        })
        .collect();
    let owner = session.is_none_or(|s| s.role == crate::core::account::Role::Owner);
    let (error, filled) = match error {
        Some((e, fields)) => (Some(e), fields),
        None => (None, Vec::new()),
    };
    let value = |name: &str| {
        filled
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let body = html! {
        @if let Some(sku) = &query.saved { p { "Saved " strong { (sku) } "." } }
        form method="get" action="/items" {
            input name="q" value=(q) placeholder="name or SKU";
            " " button { "Search" }
            " " a href="/items.csv" { "items.csv" }
        }
        div.scroll { table {
            tr { th { "SKU" } th { "name" } th { "kind" } th { "unit" } th { "GTIN" } th { "shelf life" } th { "net content" } th { "on hand" } th {} }
            @for item in &shown {
                tr {
                    td { (item.sku) } td { (item.name) } td { (item.kind) } td { (item.unit) }
                    td { (item.gtin) }
                    td { @if !item.shelf_life_days.is_empty() { (item.shelf_life_days) " days" } }
                    td { (item.net_content) }
                    td {
                        (on_hand_text(on_hand.get(item.sku.as_str()).copied(), &item.unit))
                        @if item.reorder_point.is_some() { " (reorder at " (reorder_text(item)) ")" }
                    }
                    td {
                        @if item.retired_at.is_some() { "retired " }
                        @if let (true, Some(s)) = (owner, session) {
                            form.inline method="post" action="/items/retire" {
                                input type="hidden" name="csrf" value=(s.csrf);
                                input type="hidden" name="sku" value=(item.sku);
                                @if item.retired_at.is_some() {
                                    input type="hidden" name="retire" value="no";
                                    button { "bring back" }
                                } @else {
                                    input type="hidden" name="retire" value="yes";
                                    button { "retire" }
                                }
                            }
                            form.inline method="post" action="/items/delete" {
                                input type="hidden" name="csrf" value=(s.csrf);
                                input type="hidden" name="sku" value=(item.sku);
                                button { "delete" }
                            }
                        }
                    }
                }
            }
        } }
        p { (crate::core::counted(shown.len(), "item")) " of " (items.len()) }
        @if owner {
            h2 { "Add or change an item" }
            p { "The same columns and checks as items.csv; an SKU that exists is changed." }
            @if let Some(e) = &error { p.error { (e) } }
            form #item-form method="post" action="/items" {
                @if let Some(s) = session { input type="hidden" name="csrf" value=(s.csrf); }
                @for column in item_columns() {
                    label { (column) " " input name=(column) value=(value(column)); }
                }
                button { "Save" }
            }
        }
    };
    (
        status,
        axum::response::Html(layout("Items", session, body).into_string()),
    )
        .into_response()
}

/// An item's reorder point as items.csv writes it (`1.5 kg`), or "".
fn reorder_text(item: &crate::store::ItemRow) -> String {
    let unit = crate::core::codes::Unit::parse_item_unit(&item.unit)
        .unwrap_or(crate::core::codes::Unit::Each);
    item.reorder_point
        .map(|b| crate::core::codes::Quantity::from_base(b).display_in(unit))
        .unwrap_or_default()
}

fn on_hand_text(base: Option<i64>, unit: &str) -> String {
    let unit =
        crate::core::codes::Unit::parse_item_unit(unit).unwrap_or(crate::core::codes::Unit::Each);
    match base {
        None | Some(0) => "–".to_string(),
        Some(b) => crate::core::codes::Quantity::from_base(b).for_people(unit),
    }
}

/// `GET /items.csv`: the items as items.csv has them (an import of it changes nothing).
pub async fn items_csv(State(app): State<App>, headers: HeaderMap) -> Response {
    if let Err(to_login) = gate(&app, &headers, "/items").await {
        return to_login;
    }
    let items = match read(&app, |store| Ok(store.items_list()?)).await {
        Ok(items) => items,
        Err(e) => return e.into_response(),
    };
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(item_columns());
    for i in items {
        let reorder = reorder_text(&i);
        let _ = w.write_record([
            &i.sku,
            &i.name,
            &i.kind,
            &i.unit,
            &i.lot_prefix,
            &i.gtin,
            &i.shelf_life_days,
            &i.net_content,
            &i.pao_months,
            &reorder,
        ]);
    }
    let bytes = w.into_inner().unwrap_or_default();
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"items.csv\"",
            ),
        ],
        bytes,
    )
        .into_response()
}

/// `POST /items`: one item from the form's fields, checked as items.csv's rows are, and
/// imported through the station (journaled with the account's name). An owner's change.
pub async fn save_item(
    State(app): State<App>,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let session = match gate(&app, &headers, "/items").await {
        Ok(s) => s,
        Err(to_login) => return to_login,
    };
    let kind = crate::masterdata::MasterKind::Items;
    match import_form_row(&app, session.as_ref(), kind, &fields).await {
        Ok(sku) => {
            Redirect::to(&format!("/items?saved={}", super::pages::urlencode(&sku))).into_response()
        }
        Err(FormRefused::Refused(refused)) => refused.into_response(),
        Err(FormRefused::Said(said, kept)) => {
            items_response(
                &app,
                session.as_ref(),
                ItemsQuery::default(),
                Some((said, kept)),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

/// Why a console form's row was not imported: refused outright (no owner, a stale form),
/// or the importer's words with the fields as they were filled in.
pub(super) enum FormRefused {
    Refused((StatusCode, String)),
    Said(String, Vec<(String, String)>),
}

/// One row of master data from a form's fields (`kind`'s CSV columns), checked by the
/// importer and imported through the station as the signed-in owner's: its key.
async fn import_form_row(
    app: &App,
    session: Option<&Session>,
    kind: crate::masterdata::MasterKind,
    fields: &[(String, String)],
) -> Result<String, FormRefused> {
    let get = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let actor = owner_of_form(session, &get("csrf")).map_err(FormRefused::Refused)?;
    let columns = kind.columns();
    let kept: Vec<(String, String)> = columns.iter().map(|c| (c.to_string(), get(c))).collect();
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(columns);
    let _ = w.write_record(columns.iter().map(|c| get(c)));
    let csv_text = String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default();
    let file = std::path::Path::new("the form");
    let host = crate::core::host::InMemory::default().with_file(file, &csv_text);
    let data = crate::masterdata::parse(&host, kind, file).map_err(|e| {
        FormRefused::Said(e.to_string().replace("the form line 2, ", ""), kept.clone())
    })?;
    let asked = crate::events::ApiCommand::ImportMaster {
        file: "the console".into(),
        sha256: crate::store::sha256_hex(csv_text.as_bytes()),
        data: Box::new(data),
    };
    super::api::command(app, asked, &actor)
        .await
        .map_err(|e| FormRefused::Said(e.message.clone(), kept))?;
    Ok(get(columns[0]))
}

#[derive(Debug, serde::Deserialize)]
pub struct ItemAction {
    csrf: String,
    sku: String,
    retire: Option<String>,
}

/// The signed-in owner behind a console form (its token checked), or the answer that
/// refuses it.
pub(super) fn owner_of_form(
    session: Option<&Session>,
    csrf: &str,
) -> Result<super::Actor, (StatusCode, String)> {
    let Some(s) = session else {
        return Err((
            StatusCode::FORBIDDEN,
            "add an owner account (lotstation user add NAME --role owner) to change master data here"
                .into(),
        ));
    };
    if !super::constant_time_eq(csrf.as_bytes(), s.csrf.as_bytes()) {
        return Err((
            StatusCode::FORBIDDEN,
            "the page's form token is stale: reload it".into(),
        ));
    }
    let actor = super::Actor {
        name: s.name.clone(),
        role: s.role,
    };
    actor
        .owner_only("a change of master data")
        .map_err(|e| (e.status, e.message))?;
    Ok(actor)
}

/// A console form's gate and sender at once: the page's sign-in redirect, or a refusal of
/// the sender (`form_actor`), as the response.
pub(super) async fn form_sender(
    app: &App,
    headers: &HeaderMap,
    path: &str,
    csrf: Option<&str>,
    token: Option<&str>,
) -> Result<super::Actor, Response> {
    let session = gate(app, headers, path).await?;
    form_actor(app, session.as_ref(), csrf, token).map_err(IntoResponse::into_response)
}

/// Back to `page` with what the station said of a change: `?done=…` or `?error=…`.
pub(super) fn said_back(
    page: &str,
    said: Result<crate::events::ApiReply, super::ApiError>,
) -> Response {
    let (key, text) = match said {
        Ok(crate::events::ApiReply::Done(message)) => ("done", message),
        Ok(_) => ("done", "done".to_string()),
        Err(e) => ("error", e.message),
    };
    Redirect::to(&format!("{page}?{key}={}", super::pages::urlencode(&text))).into_response()
}

/// Who sends a console form that a clerk may send too (a hold, a complaint, a print): the
/// signed-in account (its form token checked), or, on a station without accounts, whoever
/// typed the station's token into the form.
pub(super) fn form_actor(
    app: &App,
    session: Option<&Session>,
    csrf: Option<&str>,
    token: Option<&str>,
) -> Result<super::Actor, (StatusCode, String)> {
    if let Some(s) = session {
        if !super::constant_time_eq(csrf.unwrap_or("").as_bytes(), s.csrf.as_bytes()) {
            return Err((
                StatusCode::FORBIDDEN,
                "the page's form token is stale: reload it".into(),
            ));
        }
        return Ok(super::Actor {
            name: s.name.clone(),
            role: s.role,
        });
    }
    match (&app.settings.token, token.map(str::trim)) {
        (Some(expected), Some(given))
            if super::constant_time_eq(given.as_bytes(), expected.as_bytes()) =>
        {
            Ok(super::Actor {
                name: super::TOKEN_ACTOR.into(),
                role: crate::core::account::Role::Owner,
            })
        }
        (Some(_), Some(given)) if !given.is_empty() => {
            Err((StatusCode::UNAUTHORIZED, "wrong token".into()))
        }
        _ => Err((
            StatusCode::FORBIDDEN,
            "sign in to change anything here (an owner adds accounts with lotstation user add), or type the station's token"
                .into(),
        )),
    }
}

/// `POST /items/retire` (`sku`, `retire` = yes|no) and `POST /items/delete` (`sku`).
pub async fn retire_item(
    State(app): State<App>,
    headers: HeaderMap,
    Form(form): Form<ItemAction>,
) -> Response {
    item_action(app, headers, form, false).await
}

pub async fn delete_item(
    State(app): State<App>,
    headers: HeaderMap,
    Form(form): Form<ItemAction>,
) -> Response {
    item_action(app, headers, form, true).await
}

async fn item_action(app: App, headers: HeaderMap, form: ItemAction, delete: bool) -> Response {
    let session = match gate(&app, &headers, "/items").await {
        Ok(s) => s,
        Err(to_login) => return to_login,
    };
    let kind = crate::masterdata::MasterKind::Items;
    let done = master_action(
        &app,
        session.as_ref(),
        kind,
        &form.csrf,
        form.sku,
        form.retire.as_deref(),
        delete,
    )
    .await;
    match done {
        Ok(()) => Redirect::to("/items").into_response(),
        Err(FormRefused::Refused(refused)) => refused.into_response(),
        Err(FormRefused::Said(said, kept)) => {
            items_response(
                &app,
                session.as_ref(),
                ItemsQuery::default(),
                Some((said, kept)),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

/// Retires (`retire` yes|no) or deletes an item, supplier or customer for the signed-in
/// owner, through the station.
pub(super) async fn master_action(
    app: &App,
    session: Option<&Session>,
    kind: crate::masterdata::MasterKind,
    csrf: &str,
    key: String,
    retire: Option<&str>,
    delete: bool,
) -> Result<(), FormRefused> {
    let actor = owner_of_form(session, csrf).map_err(FormRefused::Refused)?;
    let asked = if delete {
        crate::events::ApiCommand::DeleteMaster { kind, key }
    } else {
        crate::events::ApiCommand::RetireMaster {
            kind,
            key,
            retire: retire != Some("no"),
        }
    };
    super::api::command(app, asked, &actor)
        .await
        .map(|_| ())
        .map_err(|e| FormRefused::Said(e.message.clone(), Vec::new()))
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct OrdersQuery {
    q: Option<String>,
    state: Option<String>,
}

/// `GET /orders`: the newest 500 orders with their customer's name, where each stands
/// (open, partly shipped, shipped, cancelled, refunded) and what the shop says of it; a
/// search by number or customer and a filter by state.
pub async fn orders_page(
    State(app): State<App>,
    headers: HeaderMap,
    Query(query): Query<OrdersQuery>,
) -> Response {
    let session = match gate(&app, &headers, "/orders").await {
        Ok(s) => s,
        Err(to_login) => return to_login,
    };
    let orders = match read(&app, |store| Ok(store.orders_list(500)?)).await {
        Ok(orders) => orders,
        Err(e) => return e.into_response(),
    };
    let q = query.q.clone().unwrap_or_default().trim().to_lowercase();
    let state = query.state.clone().unwrap_or_default();
    let shown: Vec<_> = orders
        .iter()
        .filter(|o| state.is_empty() || o.state() == state)
        .filter(|o| {
            q.is_empty()
                || o.number.to_lowercase().contains(&q)
                || o.customer_name.to_lowercase().contains(&q)
                || o.customer_code.to_lowercase().contains(&q)
        })
        .collect();
    let body = html! {
        form method="get" action="/orders" {
            input name="q" value=(query.q.clone().unwrap_or_default()) placeholder="order or customer";
            " "
            select name="state" {
                @for s in ["", "open", "partly shipped", "shipped", "shipped elsewhere", "cancelled", "refunded"] {
                    option value=(s) selected[s == state] { @if s.is_empty() { "every order" } @else { (s) } }
                }
            }
            " " button { "Show" }
        }
        div.scroll { table {
            tr { th { "order" } th { "customer" } th { "ordered" } th { "state" } th { "the shop says" } th { "shipments" } }
            @for o in &shown {
                tr {
                    td { a href={ "/orders/" (super::pages::urlencode(&o.number)) } { (o.number) } }
                    td { (o.customer_name) " (" (o.customer_code) ")" }
                    td { (o.ordered_at) }
                    td { (o.state()) }
                    td { (o.status) @if !o.shop.is_empty() { " in " (o.shop) } }
                    td { (o.shipments) }
                }
            }
        } }
        p { (crate::core::counted(shown.len(), "order")) " shown of " (orders.len()) " (the newest 500)" }
    };
    axum::response::Html(layout("Orders", session.as_ref(), body).into_string()).into_response()
}

/// `GET /orders/NUMBER`: an order's lines and every shipment of it.
pub async fn order_page(
    State(app): State<App>,
    headers: HeaderMap,
    axum::extract::Path(number): axum::extract::Path<String>,
) -> Response {
    let session = match gate(&app, &headers, "/orders").await {
        Ok(s) => s,
        Err(to_login) => return to_login,
    };
    let wanted = number.clone();
    let found = read(&app, move |store| {
        let row = store
            .orders_list(i64::MAX)?
            .into_iter()
            .find(|o| o.number == wanted);
        Ok(match row {
            Some(row) => Some((row, store.order_detail(&wanted)?)),
            None => None,
        })
    })
    .await;
    let (order, (lines, shipments)) = match found {
        Ok(Some(found)) => found,
        Ok(None) => {
            return (
                StatusCode::NOT_FOUND,
                axum::response::Html(
                    layout(
                        "Order",
                        session.as_ref(),
                        html! { p.error { "no order has the number " (number) } },
                    )
                    .into_string(),
                ),
            )
                .into_response();
        }
        Err(e) => return e.into_response(),
    };
    let body = html! {
        p {
            "For " (order.customer_name) " (" (order.customer_code) "), ordered " (order.ordered_at)
            "; " strong { (order.state()) } "; the shop says " (order.status)
            @if !order.shop.is_empty() { " (" (order.shop) ")" } "."
        }
        h2 { "Lines" }
        table {
            tr { th { "SKU" } th { "ordered" } }
            @for (sku, quantity) in &lines { tr { td { (sku) } td { (quantity) } } }
        }
        h2 { "Shipments" }
        @if shipments.is_empty() { p { "Nothing shipped yet." } }
        @else {
            table {
                tr { th { "shipment" } th { "shipped" } th { "batch" } th { "quantity" } }
                @for (code, at, batch, quantity) in &shipments {
                    tr {
                        td { a href={ "/trace?code=" (super::pages::urlencode(code)) } { (code) } }
                        td { (at) } td { (batch) } td { (quantity) }
                    }
                }
            }
        }
    };
    axum::response::Html(
        layout(&format!("Order {}", order.number), session.as_ref(), body).into_string(),
    )
    .into_response()
}

#[derive(Debug, serde::Deserialize)]
pub struct RecallAsk {
    code: String,
}

/// `GET /recall/confirm?code=CODE`: what a real recall of a lot or batch will do, before it
/// is done: the lot marked recalled, the batches put on hold, the customers it reaches and
/// the stock to quarantine; for an owner, the form that does it.
pub async fn recall_confirm_page(
    State(app): State<App>,
    headers: HeaderMap,
    Query(ask): Query<RecallAsk>,
) -> Response {
    let session = match gate(&app, &headers, "/recall").await {
        Ok(s) => s,
        Err(to_login) => return to_login,
    };
    let code = ask.code.trim().to_string();
    let wanted = code.clone();
    let traced = read(&app, move |store| {
        let target = store.resolve(&wanted, None)?;
        if !target.is_stock() {
            return Err(super::ApiError::bad_request(format!(
                "a recall starts at a lot or a batch; {} is a {}",
                target.code(),
                target.kind()
            )));
        }
        Ok(store.trace_forward(&target)?)
    })
    .await;
    let trace = match traced {
        Ok(trace) => trace,
        Err(e) => {
            let body = html! { p.error { (e.message) } };
            return (
                e.status,
                axum::response::Html(layout("Recall", session.as_ref(), body).into_string()),
            )
                .into_response();
        }
    };
    let owner = session
        .as_ref()
        .is_some_and(|s| s.role == crate::core::account::Role::Owner);
    let body = html! {
        p { "A real recall of " strong { (trace.root.kind) " " (trace.root.code) } " will:" }
        ul {
            li { "mark it " strong { "recalled" } " (it can no longer be used or shipped);" }
            li { "put on hold " (crate::core::counted_as(trace.batches.len(), "batch", "batches")) " made from it"
                @if !trace.batches.is_empty() { ": " (trace.batches.iter().map(|b| b.code.as_str()).collect::<Vec<_>>().join(", ")) } ";" }
            li { "reach " (crate::core::counted(trace.customers.len(), "customer")) " to contact"
                @if !trace.customers.is_empty() { ": " (trace.customers.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(", ")) } ";" }
            li { (crate::core::counted(trace.on_hand.len(), "stock item")) " on hand to quarantine." }
        }
        p { "It is journaled and cannot be undone from the console. A drill changes nothing: "
            a href={ "/api/recall/" (super::pages::urlencode(&trace.root.code)) "?format=pdf" } { "the drill's recall.pdf" } "." }
        @if let (true, Some(s)) = (owner, session.as_ref()) {
            form method="post" action="/recall/confirm" {
                input type="hidden" name="csrf" value=(s.csrf);
                input type="hidden" name="code" value=(trace.root.code);
                p { "The notice to consumers (notice.pdf, notice.txt, and gateway.json for the Safety Business Gateway) needs:" }
                label { "The hazard " input name="hazard" size="60" placeholder="what the danger is" required; }
                label { "What you offer " input name="remedy" size="60" placeholder="a full refund or a replacement" value=(app.settings.station.config.recall.remedy.clone().unwrap_or_default()) required; }
                button.danger { "Recall " (trace.root.code) " now" }
            }
        } @else {
            p.error { "A real recall is started by an owner." }
        }
    };
    axum::response::Html(layout("Confirm a recall", session.as_ref(), body).into_string())
        .into_response()
}

#[derive(Debug, serde::Deserialize)]
pub struct RecallForm {
    csrf: String,
    code: String,
    /// the notice's hazard and remedy
    hazard: Option<String>,
    remedy: Option<String>,
}

/// `POST /recall/confirm`: the real recall, by an owner, through the station.
pub async fn recall_confirm(
    State(app): State<App>,
    headers: HeaderMap,
    Form(form): Form<RecallForm>,
) -> Response {
    let session = match gate(&app, &headers, "/recall").await {
        Ok(s) => s,
        Err(to_login) => return to_login,
    };
    let actor = match owner_of_form(session.as_ref(), &form.csrf) {
        Ok(actor) => actor,
        Err(refused) => return refused.into_response(),
    };
    let asked = crate::events::ApiCommand::Recall {
        code: form.code.clone(),
        supplier: None,
        hazard: form.hazard.clone(),
        remedy: form.remedy.clone(),
    };
    let body = match super::api::command(&app, asked, &actor).await {
        Ok(crate::events::ApiReply::Recall(files)) => {
            let reach = files.package.trace.reach();
            html! {
                p { strong { (form.code) } " is recalled: " (reach) ". The batches it went into are on hold." }
                p { a href={ "/trace?code=" (super::pages::urlencode(&form.code)) } { "See the trace" } }
            }
        }
        Ok(crate::events::ApiReply::Done(message)) => html! { p { (message) } },
        Err(e) => html! { p.error { (e.message) } },
    };
    axum::response::Html(layout("Recall", session.as_ref(), body).into_string()).into_response()
}

/// The kinds of master data a CSV upload takes, by the name in `/import/KIND`.
const IMPORT_KINDS: [crate::masterdata::MasterKind; 5] = [
    crate::masterdata::MasterKind::Items,
    crate::masterdata::MasterKind::Suppliers,
    crate::masterdata::MasterKind::Customers,
    crate::masterdata::MasterKind::Boms,
    crate::masterdata::MasterKind::Orders,
];

/// Largest CSV the console takes in one upload.
pub const MAX_UPLOAD: usize = 8 * 1024 * 1024;

/// `GET /import`: a form per kind of master data, each taking the CSV `lotstation import`
/// takes.
pub async fn import_page(State(app): State<App>, headers: HeaderMap) -> Response {
    let session = match gate(&app, &headers, "/import").await {
        Ok(s) => s,
        Err(to_login) => return to_login,
    };
    import_response(session.as_ref(), None, StatusCode::OK)
}

fn import_response(
    session: Option<&Session>,
    said: Option<Markup>,
    status: StatusCode,
) -> Response {
    let owner = session.is_some_and(|s| s.role == crate::core::account::Role::Owner);
    let body = html! {
        @if let Some(said) = said { (said) }
        p { "The same files as " code { "lotstation import" } ", with the same columns and checks; a file with a bad row imports nothing and says where." }
        @if let (true, Some(s)) = (owner, session) {
            form method="post" action="/import/shop" enctype="multipart/form-data" {
                input type="hidden" name="csrf" value=(s.csrf);
                label { "A shop's order export "
                    select name="shop" {
                        option value="shopify" { "Shopify" }
                        option value="etsy" { "Etsy (both files)" }
                        option value="woocommerce" { "WooCommerce" }
                        option value="squarespace" { "Squarespace" }
                    }
                    " " input type="file" name="file" accept=".csv,text/csv" multiple required;
                }
                label { input type="checkbox" name="include_fulfilled" value="yes";
                    " orders the shop says are fulfilled are packed here too (else they are recorded as shipped elsewhere)" }
                button { "Import the shop's orders" }
            }
            @for kind in IMPORT_KINDS {
                form method="post" action={ "/import/" (kind.name()) } enctype="multipart/form-data" {
                    input type="hidden" name="csrf" value=(s.csrf);
                    label { (kind.name()) ".csv (" (kind.columns().join(", ")) ") "
                        input type="file" name="file" accept=".csv,text/csv" required; }
                    button { "Import " (kind.name()) }
                }
            }
        } @else {
            p.error { "Master data is imported by an owner." }
        }
    };
    (
        status,
        axum::response::Html(layout("Import", session, body).into_string()),
    )
        .into_response()
}

/// `POST /import/KIND`: a CSV (multipart field `file`, with the form's `csrf`), parsed and
/// checked as `lotstation import KIND` does, imported all or nothing through the station.
pub async fn import_upload(
    State(app): State<App>,
    headers: HeaderMap,
    axum::extract::Path(kind): axum::extract::Path<String>,
    mut multipart: axum::extract::Multipart,
) -> Response {
    let session = match gate(&app, &headers, "/import").await {
        Ok(s) => s,
        Err(to_login) => return to_login,
    };
    let master = IMPORT_KINDS.into_iter().find(|k| k.name() == kind);
    if master.is_none() && kind != "shop" {
        return (
            StatusCode::NOT_FOUND,
            format!("no import of {kind}: items, suppliers, customers, boms, orders or shop"),
        )
            .into_response();
    }
    let (mut csrf, mut shop, mut files) = (String::new(), String::new(), Vec::new());
    let mut include_fulfilled = false;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => match field.name() {
                Some(text @ ("csrf" | "shop" | "include_fulfilled")) => {
                    let which = text.to_string();
                    let value = field
                        .bytes()
                        .await
                        .map(|b| String::from_utf8_lossy(&b).into_owned())
                        .unwrap_or_default();
                    match which.as_str() {
                        "csrf" => csrf = value,
                        "shop" => shop = value,
                        _ => include_fulfilled = !value.is_empty(),
                    }
                }
                Some("file") => {
                    let name = field.file_name().unwrap_or("upload.csv").to_string();
                    match field.bytes().await {
                        Ok(bytes) if !bytes.is_empty() => files.push((name, bytes)),
                        Ok(_) => {}
                        Err(e) => {
                            return (
                                StatusCode::BAD_REQUEST,
                                format!("the upload broke off: {e}"),
                            )
                                .into_response();
                        }
                    }
                }
                _ => {}
            },
            Ok(None) => break,
            Err(e) => {
                return (StatusCode::BAD_REQUEST, format!("not a form upload: {e}"))
                    .into_response();
            }
        }
    }
    let actor = match owner_of_form(session.as_ref(), &csrf) {
        Ok(actor) => actor,
        Err(refused) => return refused.into_response(),
    };
    let Some(kind) = master else {
        return import_shop_upload(
            &app,
            session.as_ref(),
            &actor,
            (&shop, include_fulfilled),
            files,
        )
        .await;
    };
    let Some((name, bytes)) = files.into_iter().next() else {
        let said = html! { p.error { "choose a file to import" } };
        return import_response(
            session.as_ref(),
            Some(said),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    };
    // the file's own name in its messages (`items.csv line 3, column gtin: …`)
    let name = std::path::Path::new(&name)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "upload.csv".into());
    let path = std::path::PathBuf::from(&name);
    let host = crate::core::host::InMemory::default().with_bytes(&path, &bytes);
    let data = match crate::masterdata::parse(&host, kind, &path) {
        Ok(data) => data,
        Err(e) => {
            let said = html! { p.error { (e.to_string()) } p { "Nothing was imported." } };
            return import_response(
                session.as_ref(),
                Some(said),
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
    };
    let asked = crate::events::ApiCommand::ImportMaster {
        file: format!("{name} (the console)"),
        sha256: crate::store::sha256_hex(&bytes),
        data: Box::new(data),
    };
    match super::api::command(&app, asked, &actor).await {
        Ok(crate::events::ApiReply::Done(message)) => {
            let said = html! { p { "Imported " (name) ": " (message) "." } };
            import_response(session.as_ref(), Some(said), StatusCode::OK)
        }
        Ok(_) => import_response(session.as_ref(), None, StatusCode::OK),
        Err(e) => {
            let said = html! { p.error { (e.message) } p { "Nothing was imported." } };
            import_response(
                session.as_ref(),
                Some(said),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
    }
}

/// `/suppliers` and `/customers`: the kind a path names.
fn party_kind(path: &str) -> Option<crate::masterdata::MasterKind> {
    match path {
        "suppliers" => Some(crate::masterdata::MasterKind::Suppliers),
        "customers" => Some(crate::masterdata::MasterKind::Customers),
        _ => None,
    }
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct PartyQuery {
    q: Option<String>,
    saved: Option<String>,
}

/// `GET /suppliers`, `GET /customers`: every one with the CSV's columns, a search, the list
/// as the CSV (`/suppliers.csv`), and for an owner a form that adds or changes one, with
/// retire, bring back and delete.
pub async fn parties_page(
    State(app): State<App>,
    headers: HeaderMap,
    axum::extract::Path(path): axum::extract::Path<String>,
    Query(query): Query<PartyQuery>,
) -> Response {
    let (path, csv) = match path.strip_suffix(".csv") {
        Some(p) => (p.to_string(), true),
        None => (path, false),
    };
    let Some(kind) = party_kind(&path) else {
        return super::ApiError::not_found("no such page").into_response();
    };
    let session = match gate(&app, &headers, &format!("/{path}")).await {
        Ok(s) => s,
        Err(to_login) => return to_login,
    };
    if csv {
        let rows = match read(&app, move |store| Ok(store.party_rows(kind)?)).await {
            Ok(rows) => rows,
            Err(e) => return e.into_response(),
        };
        let mut w = csv::Writer::from_writer(Vec::new());
        let _ = w.write_record(kind.columns());
        for (row, _) in rows {
            let _ = w.write_record(&row);
        }
        return (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{path}.csv\""),
                ),
            ],
            w.into_inner().unwrap_or_default(),
        )
            .into_response();
    }
    parties_response(&app, session.as_ref(), kind, query, None, StatusCode::OK).await
}

async fn parties_response(
    app: &App,
    session: Option<&Session>,
    kind: crate::masterdata::MasterKind,
    query: PartyQuery,
    error: Option<(String, Vec<(String, String)>)>,
    status: StatusCode,
) -> Response {
    let rows = match read(app, move |store| Ok(store.party_rows(kind)?)).await {
        Ok(rows) => rows,
        Err(e) => return e.into_response(),
    };
    let path = kind.name();
    let title = if path == "suppliers" {
        "Suppliers"
    } else {
        "Customers"
    };
    let q = query.q.clone().unwrap_or_default();
    let wanted = q.trim().to_lowercase();
    let shown: Vec<_> = rows
        .iter()
        .filter(|(row, _)| {
            wanted.is_empty() || row.iter().any(|v| v.to_lowercase().contains(&wanted))
        })
        .collect();
    let owner = session.is_some_and(|s| s.role == crate::core::account::Role::Owner);
    let (error, filled) = error.unwrap_or_default();
    let value = |name: &str| {
        filled
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let body = html! {
        @if let Some(code) = &query.saved { p { "Saved " strong { (code) } "." } }
        form method="get" action={ "/" (path) } {
            input name="q" value=(q) placeholder="code, name, email…";
            " " button { "Search" }
            " " a href={ "/" (path) ".csv" } { (path) ".csv" }
        }
        div.scroll { table {
            tr { @for c in kind.columns() { th { (c) } } th {} }
            @for (row, retired) in &shown {
                tr {
                    @for v in row { td { (v) } }
                    td {
                        @if retired.is_some() { "retired " }
                        @if let (true, Some(s)) = (owner, session) {
                            form.inline method="post" action={ "/" (path) "/retire" } {
                                input type="hidden" name="csrf" value=(s.csrf);
                                input type="hidden" name="code" value=(row[0]);
                                @if retired.is_some() {
                                    input type="hidden" name="retire" value="no";
                                    button { "bring back" }
                                } @else {
                                    input type="hidden" name="retire" value="yes";
                                    button { "retire" }
                                }
                            }
                            form.inline method="post" action={ "/" (path) "/delete" } {
                                input type="hidden" name="csrf" value=(s.csrf);
                                input type="hidden" name="code" value=(row[0]);
                                button { "delete" }
                            }
                        }
                    }
                }
            }
        } }
        p { (shown.len()) " of " (rows.len()) }
        @if let (true, Some(s)) = (owner, session) {
            h2 { "Add or change one" }
            p { "The same columns and checks as " (path) ".csv; a code that exists is changed." }
            @if !error.is_empty() { p.error { (error) } }
            form #party-form method="post" action={ "/" (path) } {
                input type="hidden" name="csrf" value=(s.csrf);
                @for column in kind.columns() {
                    label { (column) " " input name=(column) value=(value(column)); }
                }
                button { "Save" }
            }
        } @else if !error.is_empty() {
            p.error { (error) }
        }
    };
    (
        status,
        axum::response::Html(layout(title, session, body).into_string()),
    )
        .into_response()
}

/// `POST /suppliers`, `POST /customers`: one from the form's fields, checked as the CSV's
/// rows are, imported through the station. An owner's change.
pub async fn save_party(
    State(app): State<App>,
    headers: HeaderMap,
    axum::extract::Path(path): axum::extract::Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let Some(kind) = party_kind(&path) else {
        return super::ApiError::not_found("no such page").into_response();
    };
    let session = match gate(&app, &headers, &format!("/{path}")).await {
        Ok(s) => s,
        Err(to_login) => return to_login,
    };
    match import_form_row(&app, session.as_ref(), kind, &fields).await {
        Ok(code) => Redirect::to(&format!("/{path}?saved={}", super::pages::urlencode(&code)))
            .into_response(),
        Err(FormRefused::Refused(refused)) => refused.into_response(),
        Err(FormRefused::Said(said, kept)) => {
            parties_response(
                &app,
                session.as_ref(),
                kind,
                PartyQuery::default(),
                Some((said, kept)),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

#[derive(Debug, serde::Deserialize)]
pub struct PartyAction {
    csrf: String,
    code: String,
    retire: Option<String>,
}

/// `POST /suppliers/retire` (`code`, `retire` = yes|no), `POST /suppliers/delete` (`code`),
/// and the same for customers.
pub async fn party_action(
    State(app): State<App>,
    headers: HeaderMap,
    axum::extract::Path((path, action)): axum::extract::Path<(String, String)>,
    Form(form): Form<PartyAction>,
) -> Response {
    let (Some(kind), true) = (
        party_kind(&path),
        matches!(action.as_str(), "retire" | "delete"),
    ) else {
        return super::ApiError::not_found("no such page").into_response();
    };
    let session = match gate(&app, &headers, &format!("/{path}")).await {
        Ok(s) => s,
        Err(to_login) => return to_login,
    };
    let done = master_action(
        &app,
        session.as_ref(),
        kind,
        &form.csrf,
        form.code,
        form.retire.as_deref(),
        action == "delete",
    )
    .await;
    match done {
        Ok(()) => Redirect::to(&format!("/{path}")).into_response(),
        Err(FormRefused::Refused(refused)) => refused.into_response(),
        Err(FormRefused::Said(said, kept)) => {
            parties_response(
                &app,
                session.as_ref(),
                kind,
                PartyQuery::default(),
                Some((said, kept)),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct StockQuery {
    done: Option<String>,
    error: Option<String>,
}

/// `GET /stock`: what is on hand, by item with its name and total, then every lot and
/// batch with its item's name, its status and the reason for it, expiry, supplier lot and
/// days of cover; a form that holds or releases one (a clerk may).
pub async fn stock_page(
    State(app): State<App>,
    headers: HeaderMap,
    Query(query): Query<StockQuery>,
) -> Response {
    let session = match gate(&app, &headers, "/stock").await {
        Ok(s) => s,
        Err(to_login) => return to_login,
    };
    let today = crate::clock::now()
        .to_zoned(app.settings.station.timezone.clone())
        .date();
    let found = read(&app, move |store| {
        Ok((
            store.stock(None, today, false)?,
            store.items_list()?,
            store.status_reasons()?,
        ))
    })
    .await;
    let (rows, items, reasons) = match found {
        Ok(found) => found,
        Err(e) => return e.into_response(),
    };
    let names: std::collections::HashMap<&str, &str> = items
        .iter()
        .map(|i| (i.sku.as_str(), i.name.as_str()))
        .collect();
    let mut totals: Vec<(&str, i64, crate::core::codes::Unit)> = Vec::new();
    for r in &rows {
        match totals.iter_mut().find(|(sku, _, _)| *sku == r.item_sku) {
            Some(t) => t.1 += r.quantity.base,
            None => totals.push((r.item_sku.as_str(), r.quantity.base, r.unit)),
        }
    }
    // an item with a reorder point shows even with nothing on hand
    for item in items.iter().filter(|i| i.reorder_point.is_some()) {
        if !totals.iter().any(|(sku, _, _)| *sku == item.sku) {
            let unit = crate::core::codes::Unit::parse_item_unit(&item.unit)
                .unwrap_or(crate::core::codes::Unit::Each);
            totals.push((item.sku.as_str(), 0, unit));
        }
    }
    totals.sort_by_key(|t| t.0);
    let reorder: std::collections::HashMap<&str, i64> = items
        .iter()
        .filter_map(|i| Some((i.sku.as_str(), i.reorder_point?)))
        .collect();
    let name = |sku: &str| names.get(sku).copied().unwrap_or("");
    let body = html! {
        @if let Some(done) = &query.done { p { (done) } }
        @if let Some(error) = &query.error { p.error { (error) } }
        @if let Some(s) = &session {
            form method="post" action="/stock/status" {
                input type="hidden" name="csrf" value=(s.csrf);
                input name="code" placeholder="lot, batch or supplier lot" required;
                " " input name="reason" placeholder="reason" required;
                " " button name="action" value="hold" { "Hold" }
                " " button name="action" value="release" { "Release" }
            }
        }
        h2 { "By item" }
        div.scroll { table {
            tr { th { "item" } th { "on hand" } th { "reorder at" } }
            @for (sku, base, unit) in &totals {
                @let point = reorder.get(sku).copied();
                @let low = point.is_some_and(|p| *base < p);
                tr class=[low.then_some("low")] {
                    td { (name(sku)) " (" (sku) ")" }
                    td { (crate::core::codes::Quantity::from_base(*base).for_people(*unit)) @if low { " LOW" } }
                    td { @if let Some(p) = point { (crate::core::codes::Quantity::from_base(p).for_people(*unit)) } }
                }
            }
        } }
        h2 { "Lots and batches" }
        p { a href="/api/stock?format=csv" { "stock.csv" } }
        div.scroll { table {
            tr { th { "code" } th { "item" } th { "status" } th { "on hand" } th { "expiry" } th { "supplier lot" } th { "days of cover" } }
            @for r in &rows {
                tr {
                    td { (r.code) }
                    td { (name(&r.item_sku)) " (" (r.item_sku) ")" }
                    td class=(r.status) {
                        (r.status)
                        @if let Some(reason) = reasons.get(&r.code) { " (" (reason) ")" }
                    }
                    td { (crate::core::codes::Quantity::from_base(r.quantity.base).for_people(r.unit)) }
                    td { (r.expiry.as_deref().unwrap_or("-")) }
                    td { (r.supplier_lot.as_deref().unwrap_or("-")) }
                    td { (r.days_of_cover.map(|d| d.to_string()).unwrap_or_else(|| "-".into())) }
                }
            }
        } }
    };
    axum::response::Html(layout("Stock and holds", session.as_ref(), body).into_string())
        .into_response()
}

#[derive(Debug, serde::Deserialize)]
pub struct StatusForm {
    csrf: String,
    code: String,
    reason: String,
    action: String,
}

/// `POST /stock/status` (`code`, `reason`, `action` = hold|release): a hold or release
/// from the console, a clerk's as much as an owner's, journaled with the account's name.
pub async fn stock_status(
    State(app): State<App>,
    headers: HeaderMap,
    Form(form): Form<StatusForm>,
) -> Response {
    let session = match gate(&app, &headers, "/stock").await {
        Ok(s) => s,
        Err(to_login) => return to_login,
    };
    let Some(s) = session.as_ref() else {
        return (
            StatusCode::FORBIDDEN,
            "add an account (lotstation user add) to hold from the console, or use the token",
        )
            .into_response();
    };
    if !super::constant_time_eq(form.csrf.as_bytes(), s.csrf.as_bytes()) {
        return (
            StatusCode::FORBIDDEN,
            "the page's form token is stale: reload it",
        )
            .into_response();
    }
    let (code, reason) = (form.code.trim().to_string(), form.reason.trim().to_string());
    let back = |key: &str, text: &str| {
        Redirect::to(&format!("/stock?{key}={}", super::pages::urlencode(text))).into_response()
    };
    if code.is_empty() || reason.is_empty() {
        return back("error", "give the lot or batch and the reason");
    }
    let asked = match form.action.as_str() {
        "hold" => crate::events::ApiCommand::Hold {
            code,
            reason,
            quarantine: false,
        },
        "release" => crate::events::ApiCommand::Release { code, reason },
        _ => return back("error", "hold or release"),
    };
    let actor = super::Actor {
        name: s.name.clone(),
        role: s.role,
    };
    match super::api::command(&app, asked, &actor).await {
        Ok(crate::events::ApiReply::Done(message)) => back("done", &message),
        Ok(_) => back("done", "done"),
        Err(e) => back("error", &e.message),
    }
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct ExportQuery {
    format: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

/// `GET /exports`: the FSMA 204 spreadsheet or the EPCIS document for a range of days, and
/// (for an owner of a SQLite station) a consistent copy of the database.
pub async fn exports_page(State(app): State<App>, headers: HeaderMap) -> Response {
    let session = match gate(&app, &headers, "/exports").await {
        Ok(s) => s,
        Err(to_login) => return to_login,
    };
    let today = crate::clock::now()
        .to_zoned(app.settings.station.timezone.clone())
        .date();
    let month_ago = today
        .checked_sub(jiff::Span::new().days(30))
        .unwrap_or(today);
    let sqlite = matches!(app.settings.db, crate::store::Location::Sqlite(_));
    let owner = session
        .as_ref()
        .is_some_and(|s| s.role == crate::core::account::Role::Owner);
    let body = html! {
        h2 { "Traceability records" }
        p { "What the FDA asks within 24 hours (FSMA 204's sortable spreadsheet), or the same events as EPCIS 2.0 for a customer's system." }
        form method="get" action="/exports/download" {
            label { "From " input type="date" name="from" value=(month_ago.to_string()) required; }
            label { "To " input type="date" name="to" value=(today.to_string()) required; }
            label { "Format "
                select name="format" {
                    option value="fsma204" { "FSMA 204 spreadsheet (CSV)" }
                    option value="epcis" { "EPCIS 2.0 (JSON)" }
                }
            }
            button { "Download" }
        }
        h2 { "Backup" }
        @if !sqlite {
            p { "The records are in PostgreSQL: back them up with the server's own tools (pg_dump)." }
        } @else if owner {
            p { "A consistent copy of the station's database, taken while it runs (SQLite's online backup): keep it off this machine." }
            p { a href="/exports/backup" { "Download lotstation.db" } }
        } @else {
            p { "A backup is downloaded by an owner." }
        }
    };
    axum::response::Html(layout("Exports and backups", session.as_ref(), body).into_string())
        .into_response()
}

/// `GET /exports/download?format=fsma204|epcis&from=YYYY-MM-DD&to=YYYY-MM-DD`.
pub async fn export_download(
    State(app): State<App>,
    headers: HeaderMap,
    Query(query): Query<ExportQuery>,
) -> Response {
    if let Err(to_login) = gate(&app, &headers, "/exports").await {
        return to_login;
    }
    let date = |text: Option<&str>| text.and_then(|t| t.parse::<jiff::civil::Date>().ok());
    let (Some(from), Some(to)) = (date(query.from.as_deref()), date(query.to.as_deref())) else {
        return (
            StatusCode::BAD_REQUEST,
            "from and to are dates (YYYY-MM-DD)",
        )
            .into_response();
    };
    if to < from {
        return (
            StatusCode::BAD_REQUEST,
            format!("to {to} is before from {from}"),
        )
            .into_response();
    }
    let epcis = match query.format.as_deref() {
        Some("epcis") => true,
        Some("fsma204") | None => false,
        Some(other) => {
            return (
                StatusCode::BAD_REQUEST,
                format!("no export {other:?}: fsma204 or epcis"),
            )
                .into_response();
        }
    };
    let station = app.settings.station.clone();
    let made = super::read_heavy(&app, move |store| {
        crate::cli::export::export_bytes(store, &station, epcis, from, to, &[])
            .map_err(|e| super::ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))
    })
    .await;
    match made {
        Ok((bytes, _)) => {
            let (kind, name) = if epcis {
                ("application/ld+json", format!("epcis-{from}-{to}.json"))
            } else {
                (
                    "text/csv; charset=utf-8",
                    format!("fsma204-{from}-{to}.csv"),
                )
            };
            (
                [
                    (header::CONTENT_TYPE, kind.to_string()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"{name}\""),
                    ),
                ],
                bytes,
            )
                .into_response()
        }
        Err(e) => e.into_response(),
    }
}

/// `GET /exports/backup`: SQLite's online backup of the station's database to a temporary
/// file (a consistent copy, taken page by page while the station writes), sent whole. An
/// owner's.
pub async fn backup(State(app): State<App>, headers: HeaderMap) -> Response {
    let session = match gate(&app, &headers, "/exports").await {
        Ok(s) => s,
        Err(to_login) => return to_login,
    };
    if !session
        .as_ref()
        .is_some_and(|s| s.role == crate::core::account::Role::Owner)
    {
        return (
            StatusCode::FORBIDDEN,
            "a backup is downloaded by a signed-in owner",
        )
            .into_response();
    }
    let crate::store::Location::Sqlite(path) = app.settings.db.clone() else {
        return (
            StatusCode::NOT_FOUND,
            "the records are in PostgreSQL: back them up with pg_dump",
        )
            .into_response();
    };
    // one heavy report at a time, as the recall package and the exports
    let Ok(_permit) = app.readers.heavy.clone().try_acquire_owned() else {
        return super::ApiError::busy(
            "another report is being made: try again in a few seconds",
            5,
        )
        .into_response();
    };
    let copied = tokio::task::spawn_blocking(move || {
        crate::store::backup_sqlite(&path).map_err(|e| e.to_string())
    })
    .await;
    match copied {
        Ok(Ok(bytes)) => {
            tracing::info!(bytes = bytes.len(), "a backup was downloaded");
            (
                [
                    (header::CONTENT_TYPE, "application/vnd.sqlite3".to_string()),
                    (
                        header::CONTENT_DISPOSITION,
                        "attachment; filename=\"lotstation.db\"".to_string(),
                    ),
                ],
                bytes,
            )
                .into_response()
        }
        Ok(Err(e)) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("the backup failed: {e}"),
        )
            .into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

/// A shop's order export uploaded (one file, or Etsy's two), read as `lotstation import
/// orders --from SHOP` reads it, with the config's `[sku_map]`.
async fn import_shop_upload(
    app: &App,
    session: Option<&Session>,
    actor: &super::Actor,
    (shop, include_fulfilled): (&str, bool),
    files: Vec<(String, bytes::Bytes)>,
) -> Response {
    let refuse = |said: String| {
        let said = html! { p.error { (said) } p { "Nothing was imported." } };
        import_response(session, Some(said), StatusCode::UNPROCESSABLE_ENTITY)
    };
    let Some(shop) = crate::shops::Shop::from_name(shop).filter(|s| *s != crate::shops::Shop::Ours)
    else {
        return refuse(format!(
            "which shop is the export from: shopify, etsy, woocommerce or squarespace (not {shop:?})"
        ));
    };
    if files.is_empty() {
        return refuse("choose the shop's export file (Etsy: both of its files)".into());
    }
    let mut host = crate::core::host::InMemory::default();
    let mut paths = Vec::new();
    let mut all = Vec::new();
    for (name, bytes) in &files {
        let name = std::path::Path::new(name)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "export.csv".into());
        host = host.with_bytes(&name, bytes);
        paths.push(std::path::PathBuf::from(name));
        all.extend_from_slice(bytes);
    }
    let path_refs: Vec<&std::path::Path> = paths.iter().map(|p| p.as_path()).collect();
    let mut orders =
        match crate::shops::read(&host, shop, &path_refs, &app.settings.station.timezone) {
            Ok(orders) => orders,
            Err(e) => return refuse(e.to_string()),
        };
    if include_fulfilled {
        crate::shops::packable_here(&mut orders);
    }
    let names = paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let asked = crate::events::ApiCommand::ImportShop {
        shop,
        files: names,
        sha256: crate::store::sha256_hex(&all),
        orders,
    };
    match super::api::command(app, asked, actor).await {
        Ok(crate::events::ApiReply::Done(message)) => {
            let said = html! { @for line in message.lines() { p { (line) } } };
            import_response(session, Some(said), StatusCode::OK)
        }
        Ok(_) => import_response(session, None, StatusCode::OK),
        Err(e) => refuse(e.message.clone()),
    }
}
