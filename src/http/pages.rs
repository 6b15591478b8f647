//! HTML pages: the station screen (a static page fed by server-sent events) and the owner's
//! pages (trace with a drawn graph, recall package, stock and holds), rendered on the
//! server with every value escaped. No build step, no external assets.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Redirect, Response};

use super::{ApiError, App, read};
use crate::core::trace::{BackwardTrace, ForwardTrace};

fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// An owner's page. Signed in, it names the account (with a sign-out form) and carries the
/// session's form token, which `authHeaders()` sends with the page's changes; signed out
/// (a station with no accounts), the changes need the station's token typed in.
fn page(session: Option<&super::session::Session>, title: &str, body: &str) -> Html<String> {
    let (meta, signed) = match session {
        Some(s) => (
            format!(r#"<meta name="csrf" content="{}">"#, esc(&s.csrf)),
            format!(
                r#"<form method="post" action="/logout" style="display:inline;margin:0;float:right"><input type="hidden" name="csrf" value="{}"><span style="color:#fff">{} ({})</span> <button>sign out</button></form>"#,
                esc(&s.csrf),
                esc(&s.name),
                s.role.name()
            ),
        ),
        None => (String::new(), String::new()),
    };
    Html(format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
{meta}<title>lotstation · {title}</title><style>
body {{ font-family: system-ui, sans-serif; margin: 0; color: #111; }}
nav {{ background: #222; padding: 10px 20px; }} nav a {{ color: #fff; margin-right: 18px; text-decoration: none; font-weight: 600; }}
main {{ padding: 16px 20px; max-width: 1200px; }} table {{ border-collapse: collapse; width: 100%; margin-bottom: 18px; }}
th, td {{ text-align: left; padding: 4px 8px; border-bottom: 1px solid #ddd; font-size: 15px; }} th {{ background: #f0f0f0; }}
.hold, .quarantine, .recalled, .expired {{ color: #c40d1e; font-weight: 700; }} .available {{ color: #0a7d28; }}
form {{ margin: 12px 0; }} input, select, button {{ font-size: 16px; padding: 4px 8px; }} .error {{ color: #c40d1e; font-weight: 700; }}
svg text {{ font-size: 12px; font-family: system-ui, sans-serif; }}
</style><script>
// a change sent by this page: the session's form token, or the station's token typed in
function authHeaders() {{
  const h = {{ "Content-Type": "application/json" }};
  const t = document.getElementById("token");
  if (t && t.value) h["Authorization"] = "Bearer " + t.value;
  const c = document.querySelector('meta[name="csrf"]');
  if (c) h["X-CSRF-Token"] = c.content;
  return h;
}}
</script></head><body><nav><a href="/">stations</a><a href="/trace">trace</a><a href="/recall">recall</a><a href="/stock">stock &amp; holds</a><a href="/items">items</a><a href="/orders">orders</a><a href="/complaints">complaints</a>{signed}</nav>
<main><h1>{title}</h1>{body}</main></body></html>"#
    ))
}

pub async fn index(State(app): State<App>) -> Response {
    let view = app.subscription.view.borrow().clone();
    if view.benches.len() == 1 {
        return Redirect::to(&format!("/bench/{}", urlencode(&view.benches[0].name)))
            .into_response();
    }
    let mut body = String::from("<ul>");
    for bench in &view.benches {
        let _ = write!(
            body,
            "<li><a href=\"/bench/{}\">{}</a>: {}</li>",
            esc(&urlencode(&bench.name)),
            esc(&bench.name),
            esc(&bench.prompt)
        );
    }
    body.push_str("</ul>");
    page(None, "Benches", &body).into_response()
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
    Ok(Html(
        SCREEN
            .replace("__BENCH_TITLE__", &esc(&name))
            .replace("__BENCH_ATTR__", &esc(&name)),
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
    let session = match super::console::gate(&app, &headers, "/trace").await {
        Ok(session) => session,
        Err(to_login) => return to_login,
    };
    let code = form.code.unwrap_or_default().trim().to_string();
    let forward = form.direction.as_deref() != Some("backward");
    let supplier = form.supplier.filter(|s| !s.trim().is_empty());
    let mut body = format!(
        r#"<form method="get" action="/trace"><input name="code" placeholder="lot, batch, order or supplier lot" value="{}" autofocus>
<select name="direction"><option value="forward"{}>forward: to customers</option><option value="backward"{}>backward: to suppliers</option></select>
<input name="supplier" placeholder="supplier (optional)" value="{}"> <button>Trace</button></form>"#,
        esc(&code),
        if forward { " selected" } else { "" },
        if forward { "" } else { " selected" },
        esc(supplier.as_deref().unwrap_or(""))
    );
    if code.is_empty() {
        return page(session.as_ref(), "Trace", &body).into_response();
    }
    let lookup = code.clone();
    let result = read(&app, move |store| {
        let target = store.resolve(&lookup, supplier.as_deref())?;
        let printable = matches!(target.kind(), "lot" | "batch" | "shipment")
            .then(|| (target.kind(), target.code().to_string()));
        Ok((
            printable,
            if forward {
                Ok(store.trace_forward(&target)?)
            } else {
                Err(store.trace_backward(&target)?)
            },
        ))
    })
    .await;
    match result {
        Err(e) => {
            let _ = write!(body, "<p class=\"error\">{}</p>", esc(&e.message));
        }
        Ok((printable, trace)) => {
            if let Some((kind, code)) = printable {
                let _ = write!(
                    body,
                    r#"<p><img src="/api/label/{kind}/{}.png" alt="the {kind} label of {}" style="max-width:420px;border:1px solid #ccc"></p>"#,
                    esc(&urlencode(&code)),
                    esc(&code)
                );
                body.push_str(&print_form(kind, &code));
            }
            match trace {
                Ok(trace) => body.push_str(&forward_html(&trace)),
                Err(trace) => body.push_str(&backward_html(&trace, &app.settings.station.timezone)),
            }
        }
    }
    page(session.as_ref(), &format!("Trace {}", esc(&code)), &body).into_response()
}

/// A button that prints the label of what is shown, through the station's queue
/// (`POST /api/print`; needs the station's token).
fn print_form(kind: &str, code: &str) -> String {
    let payload = serde_json::json!({ "label": kind, "code": code }).to_string();
    format!(
        r#"<form id="print"><input type="number" id="copies" value="1" min="1" max="500" style="width:4em"> <input id="printer" placeholder="printer (if several)"> <input type="password" id="token" placeholder="token"> <button>Print the {kind} label of {}</button> <span id="printed"></span></form>
<script>document.getElementById("print").addEventListener("submit", async (e) => {{ e.preventDefault();
const body = {}; body.copies = Number(document.getElementById("copies").value); const p = document.getElementById("printer").value; if (p) body.printer = p;
const r = await fetch("/api/print", {{ method: "POST", headers: authHeaders(), body: JSON.stringify(body) }});
const data = await r.json(); document.getElementById("printed").textContent = r.ok ? data.message : data.error; }});</script>"#,
        esc(code),
        payload.replace('<', "\\u003c")
    )
}

/// A layered picture: the root, then each depth of batches, then the customers reached.
fn forward_graph(trace: &ForwardTrace) -> String {
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
    let mut positions: BTreeMap<&str, (u32, u32)> = BTreeMap::new();
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" aria-label="trace graph">"#
    );
    let node = |svg: &mut String, x: u32, y: u32, label: &str, colour: &str| {
        let _ = write!(
            svg,
            r##"<rect x="{x}" y="{y}" width="150" height="24" rx="5" fill="{colour}" stroke="#333"/><text x="{}" y="{}">{}</text>"##,
            x + 6,
            y + 16,
            esc(label)
        );
    };
    positions.insert(&trace.root.code, (20, 30));
    node(
        &mut svg,
        20,
        30,
        &format!("{} {}", trace.root.kind, trace.root.code),
        "#ffd9a0",
    );
    for (column, (_, codes)) in columns.iter().enumerate() {
        let x = 20 + 180 * (column as u32 + 1);
        for (row, code) in codes.iter().take(SHOWN).enumerate() {
            let y = 30 + 34 * row as u32;
            positions.insert(code, (x, y));
            node(&mut svg, x, y, code, "#cfe3ff");
        }
        if codes.len() > SHOWN {
            let _ = write!(
                svg,
                r#"<text x="{x}" y="{}">… and {} more</text>"#,
                30 + 34 * SHOWN as u32 + 16,
                codes.len() - SHOWN
            );
        }
    }
    let customers_x = 20 + 180 * (columns.len() as u32 + 1);
    node(
        &mut svg,
        customers_x,
        30,
        &crate::core::counted(trace.customers.len(), "customer"),
        "#c8f0c8",
    );
    node(
        &mut svg,
        customers_x,
        64,
        &crate::core::counted(trace.shipments.len(), "shipment line"),
        "#c8f0c8",
    );
    for b in &trace.batches {
        let parent = b
            .path
            .get(b.path.len().saturating_sub(2))
            .map(String::as_str)
            .unwrap_or("");
        if let (Some(&(x1, y1)), Some(&(x2, y2))) =
            (positions.get(parent), positions.get(b.code.as_str()))
        {
            let _ = write!(
                svg,
                r##"<line x1="{}" y1="{}" x2="{x2}" y2="{}" stroke="#666"/>"##,
                x1 + 150,
                y1 + 12,
                y2 + 12
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

fn forward_html(trace: &ForwardTrace) -> String {
    let mut html = format!(
        "<p><strong>{}.</strong> <a href=\"/api/trace/forward/{}?format=csv\">CSV</a> · <a href=\"/api/trace/forward/{}\">JSON</a></p>",
        trace.reach(),
        esc(&urlencode(&trace.root.code)),
        esc(&urlencode(&trace.root.code))
    );
    html.push_str(&forward_graph(trace));
    html.push_str("<h2>Customers</h2><table><tr><th>code</th><th>name</th><th>email</th><th>phone</th><th>address</th></tr>");
    for c in &trace.customers {
        let _ = write!(
            html,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&c.code),
            esc(&c.name),
            esc(&c.email),
            esc(&c.phone),
            esc(&c.address)
        );
    }
    html.push_str("</table><h2>Batches</h2><table><tr><th>depth</th><th>batch</th><th>product</th><th>consumed</th><th>path</th></tr>");
    for b in &trace.batches {
        let _ = write!(
            html,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            b.depth,
            esc(&b.code),
            esc(&b.product_sku),
            esc(&b.quantity_consumed.to_string()),
            esc(&b.path.join(" › "))
        );
    }
    html.push_str("</table><h2>On hand</h2><table><tr><th>code</th><th>quantity</th></tr>");
    for o in &trace.on_hand {
        let _ = write!(
            html,
            "<tr><td>{}</td><td>{}</td></tr>",
            esc(&o.code),
            esc(&o.quantity.to_string())
        );
    }
    html.push_str("</table>");
    html
}

/// Where something came from. For an order or shipment, how much of each lot and batch is
/// inside what it received: "which lots went into this customer's jar?"
fn backward_html(trace: &BackwardTrace, tz: &jiff::tz::TimeZone) -> String {
    let mut html = format!(
        "<p><strong>{}.</strong> <a href=\"/api/trace/backward/{}?format=csv\">CSV</a></p><h2>Lots</h2>",
        trace.reach(),
        esc(&urlencode(&trace.root.code))
    );
    // a column for what reached the order or shipment, where the trace has it
    let reached_column = |reached: bool| {
        if reached {
            "<th>in what it received</th>"
        } else {
            ""
        }
    };
    let reached = trace.lots.iter().any(|l| l.reached.is_some());
    let _ = write!(
        html,
        "<table><tr><th>lot</th><th>item</th><th>supplier</th><th>supplier lot</th><th>invoice</th><th>received</th><th>consumed</th>{}</tr>",
        reached_column(reached)
    );
    for l in &trace.lots {
        let _ = write!(
            html,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>",
            esc(&l.code),
            esc(&l.item_sku),
            esc(&l.supplier_code),
            esc(&l.supplier_lot),
            esc(&l.invoice),
            esc(&crate::clock::local_text(&l.received_at, tz)),
            esc(&l.quantity_consumed.to_string())
        );
        if reached {
            let _ = write!(
                html,
                "<td>{}</td>",
                esc(&l.reached.map(|r| r.estimate()).unwrap_or_default())
            );
        }
        html.push_str("</tr>");
    }
    let reached = trace.batches.iter().any(|b| b.reached.is_some());
    let _ = write!(
        html,
        "</table><h2>Batches</h2><table><tr><th>depth</th><th>batch</th><th>product</th>{}</tr>",
        reached_column(reached)
    );
    for b in &trace.batches {
        let _ = write!(
            html,
            "<tr><td>{}</td><td>{}</td><td>{}</td>",
            b.depth,
            esc(&b.code),
            esc(&b.product_sku)
        );
        if reached {
            let _ = write!(
                html,
                "<td>{}</td>",
                esc(&b.reached_text().unwrap_or_default())
            );
        }
        html.push_str("</tr>");
    }
    html.push_str("</table><h2>Suppliers</h2><table><tr><th>code</th><th>name</th><th>contact</th><th>email</th><th>phone</th></tr>");
    for s in &trace.suppliers {
        let _ = write!(
            html,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&s.code),
            esc(&s.name),
            esc(&s.contact),
            esc(&s.email),
            esc(&s.phone)
        );
    }
    html.push_str("</table>");
    html
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
    let session = match super::console::gate(&app, &headers, "/recall").await {
        Ok(session) => session,
        Err(to_login) => return to_login,
    };
    let code = form.code.unwrap_or_default();
    let tz = app.settings.station.timezone.clone();
    let drills = read(&app, |store| Ok(store.drills()?)).await;
    let mut body = format!(
        r#"<form method="get" action="/recall"><input name="code" placeholder="lot or supplier lot" value="{}"> <button>Prepare</button></form>"#,
        esc(&code)
    );
    if !code.trim().is_empty() {
        let c = esc(&urlencode(code.trim()));
        let _ = write!(
            body,
            r#"<h2>Drill (changes nothing)</h2><p><a href="/api/recall/{c}?format=pdf">recall.pdf</a> · <a href="/api/recall/{c}?format=csv">customers.csv</a> · <a href="/api/recall/{c}?format=json">recall.json</a> · <a href="/trace?code={c}">see the trace</a></p>
<h2>Real recall</h2><p>Marks the lot recalled and puts every downstream batch on hold. <a href="/recall/confirm?code={c}">Prepare it</a>: a page says what it will do and whom it reaches, and an owner confirms. Scripts may use the station's token here:</p>
<form id="real"><input type="password" id="token" placeholder="token"> <button>Recall {}</button></form><p id="result"></p>
<script>document.getElementById("real").addEventListener("submit", async (e) => {{ e.preventDefault();
const r = await fetch("/api/recall/{c}?format=json", {{ method: "POST", headers: authHeaders(), body: "{{}}" }});
const out = document.getElementById("result"); const data = await r.json(); out.textContent = r.ok ? "Recalled: " + data.batches.length + " batches on hold, " + data.customers.length + " customers to contact" : data.error; }});</script>"#,
            esc(code.trim())
        );
    }
    // the drills journaled so far (`recall --mock`), for an auditor
    body.push_str("<h2>Recall drills</h2>");
    match drills {
        Err(e) => {
            let _ = write!(body, "<p class=\"error\">{}</p>", esc(&e.message));
        }
        Ok(drills) if drills.is_empty() => body.push_str(
            "<p>No drill journaled yet: <code>lotstation recall CODE --mock</code> runs one and records it.</p>",
        ),
        Ok(drills) => {
            body.push_str("<table><tr><th>when</th><th>who</th><th>code</th><th>batches</th><th>shipment lines</th><th>customers</th><th>seconds to answer</th></tr>");
            for d in drills.iter().rev() {
                let field = |key: &str| match &d.body[key] {
                    serde_json::Value::String(s) => s.clone(),
                    serde_json::Value::Null => "-".to_string(),
                    other => other.to_string(),
                };
                let _ = write!(
                    body,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    esc(&crate::clock::local_text(&d.at, &tz)),
                    esc(d.operator.as_deref().unwrap_or("-")),
                    esc(&field("code")),
                    esc(&field("batches")),
                    esc(&field("shipment_lines")),
                    esc(&field("customers")),
                    esc(&field("seconds"))
                );
            }
            body.push_str("</table>");
        }
    }
    page(session.as_ref(), "Recall", &body).into_response()
}

#[derive(Debug, serde::Deserialize)]
pub struct ComplaintsForm {
    code: Option<String>,
}

/// The owner's complaints page: every complaint (or those about one code), serious ones
/// with their FDA deadline, and a form to record one (needs the station's token).
pub async fn complaints_page(
    State(app): State<App>,
    headers: HeaderMap,
    Query(form): Query<ComplaintsForm>,
) -> Response {
    let session = match super::console::gate(&app, &headers, "/complaints").await {
        Ok(session) => session,
        Err(to_login) => return to_login,
    };
    let code = form.code.unwrap_or_default().trim().to_string();
    let tz = app.settings.station.timezone.clone();
    let wanted = (!code.is_empty()).then(|| code.clone());
    let list = read(&app, move |store| {
        Ok(store.complaints_about(wanted.as_deref())?)
    })
    .await;
    let mut body = format!(
        r##"<form method="get" action="/complaints"><input name="code" placeholder="lot, batch or order" value="{}"> <button>Show</button></form>
<h2>Record a complaint</h2><form id="add"><input id="customer" placeholder="customer code"> <input id="ccode" placeholder="batch on the jar, or order"> <input id="text" placeholder="what they reported" size="40">
<label><input type="checkbox" id="serious"> serious adverse event</label> <input type="password" id="token" placeholder="token"> <button>Record</button></form><p id="result"></p>
<script>document.getElementById("add").addEventListener("submit", async (e) => {{ e.preventDefault();
const r = await fetch("/api/complaints", {{ method: "POST", headers: authHeaders(),
body: JSON.stringify({{ customer: document.getElementById("customer").value, code: document.getElementById("ccode").value, text: document.getElementById("text").value, serious: document.getElementById("serious").checked }}) }});
const data = await r.json(); document.getElementById("result").textContent = data.message || data.error; }});</script>"##,
        esc(&code)
    );
    match list {
        Err(e) => {
            let _ = write!(body, "<p class=\"error\">{}</p>", esc(&e.message));
        }
        Ok(list) if list.is_empty() => body.push_str("<p>No complaints.</p>"),
        Ok(list) => {
            body.push_str("<table><tr><th>received</th><th>customer</th><th>about</th><th>batches</th><th>lots</th><th>serious</th><th>what they reported</th></tr>");
            for c in &list {
                let k = &c.complaint;
                let serious = match &k.report_by {
                    Some(by) => format!("report to the FDA by {by}"),
                    None => "no".to_string(),
                };
                let _ = write!(
                    body,
                    "<tr><td>{}</td><td>{}</td><td>{} {}</td><td>{}</td><td>{}</td><td class=\"{}\">{}</td><td>{}</td></tr>",
                    esc(&crate::clock::local_text(&c.at, &tz)),
                    esc(&k.customer),
                    esc(&k.kind),
                    esc(&k.code),
                    esc(&k.batches.join(" ")),
                    esc(&k.lots.join(" ")),
                    if k.serious { "recalled" } else { "" },
                    esc(&serious),
                    esc(&k.text)
                );
            }
            body.push_str("</table>");
        }
    }
    page(session.as_ref(), "Complaints", &body).into_response()
}
