//! The JSON API and `/metrics`.

use std::convert::Infallible;
use std::time::Duration;

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use tokio::sync::oneshot;
use tokio_stream::StreamExt;

use super::{Actor, ApiError, App, authorize_now, read, read_heavy};
use crate::core::scan::MAX_SCAN_CHARS;
use crate::events::{ApiCommand, ApiReply, Event};

/// A JSON body, or a clear 4xx saying what is wrong with it.
fn body<T>(payload: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
    payload.map(|Json(value)| value).map_err(|rejection| {
        let status = rejection.status();
        let message = if status == StatusCode::PAYLOAD_TOO_LARGE {
            format!("the request body is larger than {} bytes", super::MAX_BODY)
        } else {
            rejection.body_text()
        };
        ApiError::new(
            if status.is_client_error() {
                status
            } else {
                StatusCode::BAD_REQUEST
            },
            message,
        )
    })
}

/// A change asked over the API: the token checked, the JSON body read, turned into the
/// loop's command by `make` (or refused with a 4xx), carried out, and its reply.
async fn change<T>(
    app: &App,
    headers: &HeaderMap,
    payload: Result<Json<T>, JsonRejection>,
    make: impl FnOnce(T) -> Result<ApiCommand, ApiError>,
) -> Result<Response, ApiError> {
    let actor = authorize_now(app, headers).await?;
    let asked = make(body(payload)?)?;
    reply_response(command(app, asked, &actor).await?, None)
}

/// Every bench as its screen shows it.
pub async fn benches(State(app): State<App>) -> impl IntoResponse {
    let view = app.subscription.view.borrow().clone();
    Json(view.benches.clone())
}

pub async fn status(State(app): State<App>) -> impl IntoResponse {
    let view = app.subscription.view.borrow().clone();
    Json(serde_json::json!({
        "version": env!("CARGO_PKG_VERSION"),
        "benches": view.benches,
        "metrics": view.metrics,
    }))
}

/// Server-sent events: every answered scan (`type: scan`), and every bench's state each
/// time it changes (`type: view`, the current state first).
pub async fn events(
    State(app): State<App>,
) -> Sse<impl tokio_stream::Stream<Item = Result<SseEvent, Infallible>>> {
    let views =
        tokio_stream::wrappers::WatchStream::new(app.subscription.view.clone()).map(|view| {
            let text = serde_json::json!({ "type": "view", "benches": view.benches, "database": view.database }).to_string();
            Ok(SseEvent::default().data(text))
        });
    let live = tokio_stream::wrappers::BroadcastStream::new(app.subscription.live())
        .filter_map(|message| message.ok())
        .map(|text| Ok(SseEvent::default().data(&*text)));
    Sse::new(views.merge(live)).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScanRequest {
    bench: String,
    scan: String,
    /// read by the camera of the phone showing the bench's page (journaled as the bench's
    /// camera scanner, by the signed-in account)
    #[serde(default)]
    camera: bool,
}

/// A scan from a phone or another program, answered once it is committed.
pub async fn scan(
    State(app): State<App>,
    headers: HeaderMap,
    payload: Result<Json<ScanRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    let actor = authorize_now(&app, &headers).await?;
    let request = body(payload)?;
    if !app
        .subscription
        .view
        .borrow()
        .benches
        .iter()
        .any(|b| b.name == request.bench)
    {
        return Err(ApiError::not_found(format!(
            "no bench is named {:?}",
            request.bench
        )));
    }
    let length = request.scan.chars().count();
    if length == 0 || length > MAX_SCAN_CHARS {
        return Err(ApiError::bad_request(format!(
            "a scan has 1 to {MAX_SCAN_CHARS} characters, this one {length}"
        )));
    }
    let camera = if request.camera {
        let Some(scanner) = app.settings.station.camera_of(&request.bench) else {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                format!(
                    "bench {} takes no camera scans: the owner lists a scanner of kind camera among its scanners",
                    request.bench
                ),
            ));
        };
        Some(crate::events::CameraRead {
            camera: scanner.name.clone(),
            // a person signed in; a script's token names nobody
            operator: actor.person().map(str::to_string),
        })
    } else {
        None
    };
    let (reply, answer) = oneshot::channel();
    app.events
        .send(Event::ApiScan {
            bench: request.bench,
            raw: request.scan,
            camera,
            reply,
        })
        .await
        .map_err(|_| {
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "the station is shutting down",
            )
        })?;
    let feedback = tokio::time::timeout(Duration::from_secs(30), answer)
        .await
        .map_err(|_| {
            ApiError::new(
                StatusCode::GATEWAY_TIMEOUT,
                "the station did not answer in time",
            )
        })?
        .map_err(|_| {
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "the station is shutting down",
            )
        })?;
    // a warning records nothing and waits for the same scan again or @OK
    let status = if feedback.accepted {
        StatusCode::OK
    } else if feedback.is_warning() {
        StatusCode::CONFLICT
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((
        status,
        Json(serde_json::json!({
            "accepted": feedback.accepted,
            "warning": feedback.is_warning(),
            "line": feedback.line,
            "message": crate::events::view::message_of(&feedback.line),
            "prompt": feedback.line.split(" | next: ").nth(1).unwrap_or_default(),
            "journal_seq": feedback.journal_seq,
        })),
    )
        .into_response())
}

#[derive(Debug, serde::Deserialize)]
pub struct TraceQuery {
    supplier: Option<String>,
    format: Option<String>,
}

pub async fn trace(
    State(app): State<App>,
    Path((direction, code)): Path<(String, String)>,
    Query(query): Query<TraceQuery>,
) -> Result<Response, ApiError> {
    let forward = match direction.as_str() {
        "forward" => true,
        "backward" => false,
        other => {
            return Err(ApiError::not_found(format!(
                "trace direction is forward or backward, not {other:?}"
            )));
        }
    };
    let csv = match query.format.as_deref() {
        None | Some("json") => false,
        Some("csv") => true,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "format is json or csv, not {other:?}"
            )));
        }
    };
    let supplier = query.supplier;
    read(&app, move |store| {
        let target = store.resolve(&code, supplier.as_deref())?;
        if forward {
            let trace = store.trace_forward(&target)?;
            if csv {
                let mut bytes = Vec::new();
                crate::report::tables::forward(&trace, &mut bytes)
                    .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
                return Ok(
                    ([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], bytes).into_response()
                );
            }
            Ok(Json(trace).into_response())
        } else {
            let trace = store.trace_backward(&target)?;
            if csv {
                let mut bytes = Vec::new();
                crate::report::tables::backward(&trace, &mut bytes)
                    .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
                return Ok(
                    ([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], bytes).into_response()
                );
            }
            Ok(Json(trace).into_response())
        }
    })
    .await
}

#[derive(Debug, serde::Deserialize)]
pub struct RecallQuery {
    supplier: Option<String>,
    format: Option<String>,
}

fn package_response(
    files: &crate::report::RecallFiles,
    format: Option<&str>,
) -> Result<Response, ApiError> {
    let code = &files.package.trace.root.code;
    let (bytes, content_type, name) = match format {
        None | Some("json") => (files.json.clone(), "application/json", "recall.json"),
        Some("csv") => (
            files.csv.clone(),
            "text/csv; charset=utf-8",
            "customers.csv",
        ),
        Some("pdf") => (files.pdf.clone(), "application/pdf", "recall.pdf"),
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "format is json, csv or pdf, not {other:?}"
            )));
        }
    };
    let disposition = format!(
        "attachment; filename=\"recall-{}-{name}\"",
        code.replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "_")
    );
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

/// The recall drill: the package of a mock recall, changing nothing (no token needed).
pub async fn recall_drill(
    State(app): State<App>,
    Path(code): Path<String>,
    Query(query): Query<RecallQuery>,
) -> Result<Response, ApiError> {
    let supplier = query.supplier;
    let tz = app.settings.station.timezone.clone();
    let words = crate::report::notice::NoticeWords::from_config(&app.settings.station, None, None);
    let files = read_heavy(&app, move |store| {
        let target = super::recall_target(store, &code, supplier.as_deref())?;
        crate::report::recall_package(store, &target, true, crate::clock::now(), None, &tz, &words)
            .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))
    })
    .await?;
    package_response(&files, query.format.as_deref())
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecallRequest {
    supplier: Option<String>,
    /// the recall notice's hazard and remedy (a real recall needs both, the remedy from
    /// the config's `[recall]` where it is not given)
    hazard: Option<String>,
    remedy: Option<String>,
}

/// A real recall: the lot becomes recalled, downstream batches go on hold (token needed).
pub async fn recall(
    State(app): State<App>,
    headers: HeaderMap,
    Path(code): Path<String>,
    Query(query): Query<RecallQuery>,
    payload: Result<Json<RecallRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    let actor = authorize_now(&app, &headers).await?;
    let request = body(payload)?;
    let reply = command(
        &app,
        ApiCommand::Recall {
            code,
            supplier: request.supplier.or(query.supplier),
            hazard: request.hazard,
            remedy: request.remedy,
        },
        &actor,
    )
    .await?;
    reply_response(reply, query.format.as_deref())
}

pub(super) async fn command(
    app: &App,
    command: ApiCommand,
    actor: &Actor,
) -> Result<ApiReply, ApiError> {
    // what only an owner may do
    match &command {
        ApiCommand::Correct { .. } => actor.owner_only("a correction (void or adjust)")?,
        ApiCommand::Recall { .. } => actor.owner_only("a real recall")?,
        ApiCommand::ImportMaster { .. }
        | ApiCommand::ImportShop { .. }
        | ApiCommand::RetireMaster { .. }
        | ApiCommand::DeleteMaster { .. } => actor.owner_only("a change of master data")?,
        _ => {}
    }
    let (reply, answer) = oneshot::channel();
    app.events
        .send(Event::ApiCommand {
            command: Box::new(command),
            operator: actor.name.clone(),
            reply,
        })
        .await
        .map_err(|_| {
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "the station is shutting down",
            )
        })?;
    tokio::time::timeout(Duration::from_secs(60), answer)
        .await
        .map_err(|_| {
            ApiError::new(
                StatusCode::GATEWAY_TIMEOUT,
                "the station did not answer in time",
            )
        })?
        .map_err(|_| {
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "the station is shutting down",
            )
        })?
        .map_err(ApiError::from)
}

/// A command's reply as the client gets it: a recall's package, or a message.
fn reply_response(reply: ApiReply, format: Option<&str>) -> Result<Response, ApiError> {
    match reply {
        ApiReply::Recall(files) => package_response(&files, format),
        ApiReply::Done(message) => {
            Ok(Json(serde_json::json!({ "message": message })).into_response())
        }
    }
}

#[derive(Debug, serde::Deserialize)]
pub struct StockQuery {
    item: Option<String>,
    all: Option<bool>,
    format: Option<String>,
}

pub async fn stock(
    State(app): State<App>,
    Query(query): Query<StockQuery>,
) -> Result<Response, ApiError> {
    let today = crate::clock::now()
        .to_zoned(app.settings.station.timezone.clone())
        .date();
    let csv = match query.format.as_deref() {
        None | Some("json") => false,
        Some("csv") => true,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "format is json or csv, not {other:?}"
            )));
        }
    };
    let rows = read(&app, move |store| {
        Ok(store.stock(query.item.as_deref(), today, query.all.unwrap_or(false))?)
    })
    .await?;
    if csv {
        let mut bytes = Vec::new();
        crate::report::tables::stock(&rows, &mut bytes)
            .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
        return Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], bytes).into_response());
    }
    Ok(Json(rows).into_response())
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComplaintRequest {
    customer: String,
    code: String,
    text: String,
    #[serde(default)]
    serious: bool,
}

/// Records a customer's complaint (token needed): `{"customer", "code", "text", "serious"}`.
pub async fn add_complaint(
    State(app): State<App>,
    headers: HeaderMap,
    payload: Result<Json<ComplaintRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    change(&app, &headers, payload, |request: ComplaintRequest| {
        if [&request.customer, &request.code, &request.text]
            .iter()
            .any(|f| f.trim().is_empty() || f.len() > 4000)
        {
            return Err(ApiError::bad_request(
                "customer, code and text are required (a batch, order, shipment or lot code)",
            ));
        }
        Ok(ApiCommand::Complaint {
            customer: request.customer.trim().to_string(),
            code: request.code.trim().to_string(),
            text: request.text.trim().to_string(),
            serious: request.serious,
        })
    })
    .await
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComplaintQuery {
    code: Option<String>,
}

/// Complaints, oldest first; `?code=` only those about that lot, batch, order or shipment.
pub async fn complaints(
    State(app): State<App>,
    Query(query): Query<ComplaintQuery>,
) -> Result<Response, ApiError> {
    let list = read(&app, move |store| {
        Ok(store.complaints_about(query.code.as_deref())?)
    })
    .await?;
    Ok(Json(list).into_response())
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusRequest {
    code: String,
    reason: String,
    #[serde(default)]
    quarantine: bool,
}

fn check_code_and_reason(code: &str, reason: &str) -> Result<(), ApiError> {
    if code.trim().is_empty() || code.len() > 200 {
        return Err(ApiError::bad_request("code must be a lot or batch code"));
    }
    if reason.trim().is_empty() {
        return Err(ApiError::bad_request("a reason is required"));
    }
    Ok(())
}

pub async fn hold(
    State(app): State<App>,
    headers: HeaderMap,
    payload: Result<Json<StatusRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    change(&app, &headers, payload, |request: StatusRequest| {
        check_code_and_reason(&request.code, &request.reason)?;
        Ok(ApiCommand::Hold {
            code: request.code.trim().to_string(),
            reason: request.reason.trim().to_string(),
            quarantine: request.quarantine,
        })
    })
    .await
}

pub async fn release(
    State(app): State<App>,
    headers: HeaderMap,
    payload: Result<Json<StatusRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    change(&app, &headers, payload, |request: StatusRequest| {
        check_code_and_reason(&request.code, &request.reason)?;
        Ok(ApiCommand::Release {
            code: request.code.trim().to_string(),
            reason: request.reason.trim().to_string(),
        })
    })
    .await
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrintRequestBody {
    /// lot, batch or shipment
    label: crate::label::LabelKind,
    code: String,
    printer: Option<String>,
    #[serde(default = "one")]
    copies: u32,
}

fn one() -> u32 {
    1
}

/// `GET /api/label/{kind}/{code}.png`: the label as the printer draws it, one bit per dot
/// at 203 dpi (a preview for the owner's pages).
pub async fn label_png(
    State(app): State<App>,
    Path((kind, file)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let Some(kind) = crate::label::LabelKind::record(&kind) else {
        return Err(ApiError::not_found(format!(
            "a label is a lot, batch or shipment label, not {kind:?}"
        )));
    };
    let Some(code) = file.strip_suffix(".png").map(str::to_string) else {
        return Err(ApiError::not_found("a label preview is CODE.png"));
    };
    let station = app.settings.station.clone();
    read(&app, move |store| {
        let data = station.label_words(&store.label_facts(kind, &code)?);
        let bitmap = crate::label::render_bitmap(station.templates.get(kind), &data, 203)
            .map_err(|e| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, e.to_string()))?;
        Ok((
            [(header::CONTENT_TYPE, "image/png")],
            crate::label::raster::png(&bitmap),
        )
            .into_response())
    })
    .await
}

/// `POST /api/print`: `{"label": "lot"|"batch"|"shipment", "code", "printer"?, "copies"?}`.
pub async fn print(
    State(app): State<App>,
    headers: HeaderMap,
    payload: Result<Json<PrintRequestBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    change(&app, &headers, payload, |request: PrintRequestBody| {
        if request.label == crate::label::LabelKind::Card {
            return Err(ApiError::bad_request(
                "label must be lot, batch or shipment (cards are printed by `lotstation sheet`)",
            ));
        }
        if request.code.trim().is_empty() || request.code.len() > 200 {
            return Err(ApiError::bad_request(
                "code must be a lot, batch or shipment code",
            ));
        }
        Ok(ApiCommand::Print {
            label: request.label,
            code: request.code.trim().to_string(),
            printer: request.printer,
            copies: request.copies,
        })
    })
    .await
}

/// `POST /api/void`: `{"code", "reason"}`.
pub async fn void(
    State(app): State<App>,
    headers: HeaderMap,
    payload: Result<Json<StatusRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    change(&app, &headers, payload, |request: StatusRequest| {
        check_code_and_reason(&request.code, &request.reason)?;
        if request.quarantine {
            return Err(ApiError::bad_request("quarantine is not part of a void"));
        }
        Ok(ApiCommand::Correct {
            code: request.code.trim().to_string(),
            asked: crate::core::workflow::Asked::Void,
            reason: request.reason.trim().to_string(),
        })
    })
    .await
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdjustRequest {
    code: String,
    reason: String,
    /// a counted quantity on hand (`17kg`, `0`)
    quantity: Option<String>,
    #[serde(rename = "yield")]
    yield_quantity: Option<String>,
    /// YYYY-MM-DD or YYMMDD
    expiry: Option<String>,
}

/// `POST /api/adjust`: `{"code", "reason"}` and one of `quantity`, `yield`, `expiry`.
pub async fn adjust(
    State(app): State<App>,
    headers: HeaderMap,
    payload: Result<Json<AdjustRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    use crate::core::workflow::Asked;
    change(&app, &headers, payload, |request: AdjustRequest| {
        check_code_and_reason(&request.code, &request.reason)?;
        let asked = match (request.quantity, request.yield_quantity, request.expiry) {
            (Some(q), None, None) => Asked::Count(q),
            (None, Some(y), None) => Asked::Yield(y),
            (None, None, Some(e)) => Asked::Expiry(e),
            _ => {
                return Err(ApiError::bad_request(
                    "say exactly one of quantity, yield or expiry",
                ));
            }
        };
        Ok(ApiCommand::Correct {
            code: request.code.trim().to_string(),
            asked,
            reason: request.reason.trim().to_string(),
        })
    })
    .await
}

fn label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// One metric family's `# HELP` and `# TYPE` lines.
fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    out.push_str(&format!("# HELP {name} {help}\n# TYPE {name} {kind}\n"));
}

/// One sample: `name{key="value",...} value`, label values escaped.
fn sample(out: &mut String, name: &str, labels: &[(&str, &str)], value: impl std::fmt::Display) {
    let labels: Vec<String> = labels
        .iter()
        .map(|(key, value)| format!("{key}=\"{}\"", label(value)))
        .collect();
    if labels.is_empty() {
        out.push_str(&format!("{name} {value}\n"));
    } else {
        out.push_str(&format!("{name}{{{}}} {value}\n", labels.join(",")));
    }
}

/// Prometheus text format.
pub async fn metrics(State(app): State<App>) -> impl IntoResponse {
    let view = app.subscription.view.borrow().clone();
    let m = &view.metrics;
    let mut out = String::new();
    let scans = "lotstation_scans_total";
    family(
        &mut out,
        scans,
        "counter",
        "Scans answered, by bench and result.",
    );
    for (bench, (accepted, rejected)) in &m.scans {
        sample(
            &mut out,
            scans,
            &[("bench", bench), ("result", "accepted")],
            accepted,
        );
        sample(
            &mut out,
            scans,
            &[("bench", bench), ("result", "rejected")],
            rejected,
        );
    }
    let rejections = "lotstation_scan_rejections_total";
    family(&mut out, rejections, "counter", "Scans refused, by bench.");
    for (bench, (_, rejected)) in &m.scans {
        sample(&mut out, rejections, &[("bench", bench)], rejected);
    }
    let jobs = "lotstation_print_jobs_total";
    family(
        &mut out,
        jobs,
        "counter",
        "Print jobs finished, by printer and outcome.",
    );
    for (printer, (printed, failed)) in &m.print_jobs {
        sample(
            &mut out,
            jobs,
            &[("printer", printer), ("outcome", "printed")],
            printed,
        );
        sample(
            &mut out,
            jobs,
            &[("printer", printer), ("outcome", "failed")],
            failed,
        );
    }
    let failures = "lotstation_print_failures_total";
    family(
        &mut out,
        failures,
        "counter",
        "Print jobs that could not be printed, by printer.",
    );
    for (printer, (_, failed)) in &m.print_jobs {
        sample(&mut out, failures, &[("printer", printer)], failed);
    }
    let ready = "lotstation_printer_ready";
    family(
        &mut out,
        ready,
        "gauge",
        "Whether a printer took its last job (1) or is in trouble (0).",
    );
    // one series per printer, however many benches share it (a scrape with a repeated
    // series is rejected whole)
    let printers: std::collections::BTreeMap<&str, bool> = view
        .benches
        .iter()
        .filter_map(|b| b.printer.as_ref())
        .map(|p| (p.name.as_str(), p.ok))
        .collect();
    for (printer, ok) in printers {
        sample(&mut out, ready, &[("printer", printer)], u8::from(ok));
    }
    let up = "lotstation_device_up";
    family(
        &mut out,
        up,
        "gauge",
        "Whether a scanner or scale is connected.",
    );
    for (device, connected) in &m.devices {
        sample(&mut out, up, &[("device", device)], u8::from(*connected));
    }
    let database = "lotstation_database_up";
    family(
        &mut out,
        database,
        "gauge",
        "Whether the station reaches its database (0: scans are refused until it does).",
    );
    sample(&mut out, database, &[], u8::from(m.database_down.is_none()));
    let entries = "lotstation_journal_entries";
    family(&mut out, entries, "gauge", "Entries in the journal.");
    sample(&mut out, entries, &[], m.journal_entries);
    // items whose stock on hand is below their reorder point (a query: left out when the
    // database cannot be read, as its up gauge says)
    let today = crate::clock::now()
        .to_zoned(app.settings.station.timezone.clone())
        .date();
    let low = read(&app, move |store| {
        let mut on_hand: std::collections::HashMap<String, i64> = Default::default();
        for row in store.stock(None, today, false)? {
            *on_hand.entry(row.item_sku).or_default() += row.quantity.base;
        }
        Ok(store
            .items_list()?
            .iter()
            .filter(|i| {
                i.retired_at.is_none()
                    && i.reorder_point
                        .is_some_and(|p| on_hand.get(&i.sku).copied().unwrap_or(0) < p)
            })
            .count())
    })
    .await;
    if let Ok(low) = low {
        let name = "lotstation_items_below_reorder_point";
        family(
            &mut out,
            name,
            "gauge",
            "Items whose stock on hand is below their reorder point.",
        );
        sample(&mut out, name, &[], low);
    }
    // serious adverse events whose report to the FDA is still due: the days left to the
    // nearest deadline, and how many there are (MoCRA: 15 business days)
    let due = read(&app, move |store| {
        Ok(store
            .complaints()?
            .into_iter()
            .filter_map(|c| c.complaint.report_by)
            .filter_map(|by| by.parse::<jiff::civil::Date>().ok())
            .filter(|by| *by >= today)
            .collect::<Vec<_>>())
    })
    .await;
    if let Ok(due) = due {
        let name = "lotstation_serious_complaints_due";
        family(
            &mut out,
            name,
            "gauge",
            "Serious adverse events whose report to the FDA is due today or later.",
        );
        sample(&mut out, name, &[], due.len());
        if let Some(nearest) = due.iter().min() {
            let name = "lotstation_serious_complaint_days_left";
            family(
                &mut out,
                name,
                "gauge",
                "Days left to the nearest FDA deadline of a serious adverse event.",
            );
            let left = (*nearest - today).get_days();
            sample(&mut out, name, &[], left);
        }
    }
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        out,
    )
}
