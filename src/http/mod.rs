//! The local HTTP server inside `lotstation run`: the station screen, the owner's pages, a
//! JSON API and `/metrics`. It reads the loop's published snapshot, queries the records
//! through its own read connections, and sends scans and state changes to the event loop
//! as events; it never holds bench state. No SQL or path is built from request text.

mod api;
mod assets;
mod console;
mod guard;
mod pages;
mod recipes;
mod records;
pub mod session;
pub mod tls;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tokio::sync::mpsc;

use crate::config::Station;
use crate::events::view::Subscription;
use crate::events::{CommandError, Event};
use crate::store::{ReadPool, Store};

/// Largest request body accepted (a scan, a hold): anything bigger is refused with 413.
pub const MAX_BODY: usize = 16 * 1024;

/// What the server needs besides the loop's channels.
#[derive(Debug, Clone)]
pub struct Settings {
    /// the bearer token state-changing requests must carry; none means writes are refused
    /// (a console account signed in may change what its role allows)
    pub token: Option<String>,
    pub db: crate::store::Location,
    pub station: Station,
    /// https with this certificate (`[http] tls`), else plain http
    pub tls: Option<tls::Tls>,
}

#[derive(Clone)]
struct App {
    settings: Arc<Settings>,
    subscription: Subscription,
    events: mpsc::Sender<Event>,
    /// who is signed in to the console
    sessions: Arc<session::Sessions>,
    /// the threads that answer queries
    readers: Arc<Readers>,
}

/// A query for a reader thread, with its answer's way back.
type ReadJob = Box<dyn FnOnce(&ReadPool) + Send>;

/// The server's readers: threads of their own, each with its read connection, taking
/// queries from one bounded queue. They run at a lower priority (nice 10) than the event
/// loop, so a bench's scan is never behind a page on the CPU; a full queue is answered 503
/// with `Retry-After`, and so is a second heavy report (a recall PDF, an export, a backup)
/// while one is being made.
struct Readers {
    queue: std::sync::mpsc::SyncSender<ReadJob>,
    heavy: Arc<tokio::sync::Semaphore>,
}

/// Reader threads, and queries that may wait for one.
const READER_THREADS: usize = 2;
const READ_QUEUE: usize = 64;

impl Readers {
    fn start(pool: Arc<ReadPool>) -> Readers {
        let (queue, jobs) = std::sync::mpsc::sync_channel::<ReadJob>(READ_QUEUE);
        let jobs = Arc::new(std::sync::Mutex::new(jobs));
        for n in 0..READER_THREADS {
            let (jobs, pool) = (jobs.clone(), pool.clone());
            let spawned = std::thread::Builder::new()
                .name(format!("reader-{n}"))
                .spawn(move || {
                    // this thread only (Linux's nice is a thread's)
                    if let Err(e) = rustix::process::setpriority_process(None, 10) {
                        tracing::debug!(error = %e, "reader keeps its priority");
                    }
                    loop {
                        let job = match jobs.lock() {
                            Ok(jobs) => jobs.recv(),
                            Err(poisoned) => poisoned.into_inner().recv(),
                        };
                        match job {
                            Ok(job) => job(&pool),
                            Err(_) => return, // the server is gone
                        }
                    }
                });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "cannot start a reader thread");
            }
        }
        Readers {
            queue,
            heavy: Arc::new(tokio::sync::Semaphore::new(1)),
        }
    }
}

/// The address a request came from (its connection's peer), for the sign-in limits.
#[derive(Debug, Clone, Copy)]
struct Peer(std::net::SocketAddr);

/// Who asks for a change: a console account (its name and role), or a script with the
/// station's token (`http`, every right).
#[derive(Debug, Clone)]
struct Actor {
    name: String,
    role: crate::core::account::Role,
}

impl Actor {
    /// The account's name; none for a script's token.
    fn person(&self) -> Option<&str> {
        (self.name != TOKEN_ACTOR).then_some(self.name.as_str())
    }

    /// Refuses a clerk what only an owner may do (403).
    fn owner_only(&self, what: &str) -> Result<(), ApiError> {
        match self.role {
            crate::core::account::Role::Owner => Ok(()),
            crate::core::account::Role::Clerk => Err(ApiError::new(
                StatusCode::FORBIDDEN,
                format!("{} is a clerk: {what} is for an owner", self.name),
            )),
        }
    }
}

/// A clear 4xx/5xx with a message, as JSON.
#[derive(Debug)]
struct ApiError {
    status: StatusCode,
    message: String,
    /// seconds to wait before asking again (a 503 while busy)
    retry_after: Option<u32>,
}

impl ApiError {
    fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
            retry_after: None,
        }
    }

    /// 503: busy now, `seconds` until it is worth asking again.
    fn busy(message: impl Into<String>, seconds: u32) -> ApiError {
        ApiError {
            retry_after: Some(seconds),
            ..ApiError::new(StatusCode::SERVICE_UNAVAILABLE, message)
        }
    }

    fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }

    fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (
            self.status,
            axum::Json(serde_json::json!({ "error": self.message })),
        )
            .into_response();
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(seconds),
            );
        }
        response
    }
}

impl From<CommandError> for ApiError {
    fn from(e: CommandError) -> Self {
        let status = match &e {
            CommandError::NotFound(_) => StatusCode::NOT_FOUND,
            CommandError::Conflict(_) => StatusCode::CONFLICT,
            CommandError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            CommandError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        };
        ApiError::new(status, e.to_string())
    }
}

impl From<crate::store::StoreError> for ApiError {
    fn from(e: crate::store::StoreError) -> Self {
        ApiError::from(CommandError::from(e))
    }
}

/// A bench's page, as its address's path (`/bench/packing%20table`).
pub fn bench_path(name: &str) -> String {
    format!("/bench/{}", pages::urlencode(name))
}

/// Who a request with the station's token is, in the journal.
const TOKEN_ACTOR: &str = "http";

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The signed-in session a request carries (its cookie), if it is one that lasts.
fn session_of(app: &App, headers: &HeaderMap) -> Option<session::Session> {
    let key = session::cookie(headers, session::COOKIE)?;
    app.sessions.get(key, std::time::Instant::now())
}

/// State-changing requests carry `Authorization: Bearer <token>` (scripts), or a console
/// session's cookie with its CSRF token in `X-CSRF-Token` (the console's pages).
fn authorize(app: &App, headers: &HeaderMap) -> Result<Actor, ApiError> {
    if headers.get(axum::http::header::AUTHORIZATION).is_none()
        && let Some(session) = session_of(app, headers)
    {
        let sent = headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if !constant_time_eq(sent.as_bytes(), session.csrf.as_bytes()) {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "the page's form token is missing or stale: reload the page",
            ));
        }
        return Ok(Actor {
            name: session.name,
            role: session.role,
        });
    }
    let Some(token) = &app.settings.token else {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "changes over HTTP are switched off: set [http] token in the station config",
        ));
    };
    let given = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "send the station's token as Authorization: Bearer <token>",
            )
        })?;
    if !constant_time_eq(given.trim().as_bytes(), token.as_bytes()) {
        return Err(ApiError::new(StatusCode::UNAUTHORIZED, "wrong token"));
    }
    Ok(Actor {
        name: TOKEN_ACTOR.into(),
        role: crate::core::account::Role::Owner,
    })
}

/// `authorize`, and for a console session the account as it is now in the records: one
/// removed, or now of another role, since its sign-in is refused (its sessions end).
async fn authorize_now(app: &App, headers: &HeaderMap) -> Result<Actor, ApiError> {
    let actor = authorize(app, headers)?;
    if headers.get(axum::http::header::AUTHORIZATION).is_some() {
        return Ok(actor);
    }
    let name = actor.name.clone();
    let now = read(app, move |store| Ok(store.account_login(&name)?)).await?;
    match now {
        Some((role, _)) if role == actor.role => Ok(actor),
        _ => {
            app.sessions.end_all_of(&actor.name);
            Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                format!("the account {} has changed: sign in again", actor.name),
            ))
        }
    }
}

/// Runs a read-only query on a reader thread and its connection; 503 when the readers
/// have more waiting than they can answer soon.
async fn read<T: Send + 'static>(
    app: &App,
    query: impl FnOnce(&mut Store) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let (answer, answered) = tokio::sync::oneshot::channel();
    let job: ReadJob = Box::new(move |pool: &ReadPool| {
        let _ = answer.send(pool.with(query));
    });
    app.readers.queue.try_send(job).map_err(|_| {
        ApiError::busy(
            "the station has many pages to answer just now: try again in a moment",
            1,
        )
    })?;
    answered
        .await
        .map_err(|_| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "a reader stopped"))??
}

/// What a recall or a drill starts from: a lot, a batch or a supplier's lot (422 for an
/// order or a shipment).
fn recall_target(
    store: &Store,
    code: &str,
    supplier: Option<&str>,
) -> Result<crate::store::Target, ApiError> {
    let target = store.resolve(code, supplier)?;
    if !target.is_stock() {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!(
                "a recall starts at a lot or a batch; {} is a {}",
                target.code(),
                target.kind()
            ),
        ));
    }
    Ok(target)
}

/// `read` for a heavy report (a recall package, an export, a backup): one at a time; a
/// second while one is being made is answered 503 with `Retry-After`.
async fn read_heavy<T: Send + 'static>(
    app: &App,
    query: impl FnOnce(&mut Store) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let Ok(_permit) = app.readers.heavy.clone().try_acquire_owned() else {
        return Err(ApiError::busy(
            "another report is being made: try again in a few seconds",
            5,
        ));
    };
    read(app, query).await
}

/// Read connections kept open for the server (more requests at once open more, briefly).
const READ_CONNECTIONS: usize = 4;

/// Serves until `shutdown` completes, then finishes the requests in flight (the event
/// stream ends when the loop stops publishing) and returns.
pub async fn serve(
    listener: tokio::net::TcpListener,
    settings: Settings,
    subscription: Subscription,
    events: mpsc::Sender<Event>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) {
    let allowed = Arc::new(match &settings.station.config.http {
        Some(http) => guard::AllowedHosts::new(&http.listen, &http.hosts),
        None => guard::AllowedHosts::new("127.0.0.1", &[]),
    });
    let minutes = settings
        .station
        .config
        .http
        .as_ref()
        .map_or(720, |h| h.session_minutes);
    let reads = Arc::new(ReadPool::new(&settings.db, READ_CONNECTIONS));
    let app_tls = settings.tls.clone();
    let app = App {
        readers: Arc::new(Readers::start(reads)),
        settings: Arc::new(settings),
        subscription,
        events,
        sessions: Arc::new(session::Sessions::new(std::time::Duration::from_secs(
            minutes * 60,
        ))),
    };
    let router = Router::new()
        .route("/", get(pages::index))
        .route("/bench/{name}", get(pages::bench_screen))
        .route("/assets/camera.js", get(assets::camera_js))
        .route("/camera", get(pages::camera_page))
        .route("/camera/certificate.crt", get(pages::certificate))
        .route("/assets/{version}/{file}", get(assets::zxing))
        .route("/trace", get(pages::trace_page))
        .route("/recall", get(pages::recall_page))
        .route("/stock", get(console::stock_page))
        .route("/stock/status", post(console::stock_status))
        .route("/exports", get(console::exports_page))
        .route("/exports/download", get(console::export_download))
        .route("/exports/backup", get(console::backup))
        .route("/api/status", get(api::status))
        .route("/api/benches", get(api::benches))
        .route("/api/events", get(api::events))
        .route("/api/scan", post(api::scan))
        .route("/api/trace/{direction}/{code}", get(api::trace))
        .route(
            "/api/recall/{code}",
            get(api::recall_drill).post(api::recall),
        )
        .route("/api/stock", get(api::stock))
        .route("/api/hold", post(api::hold))
        .route(
            "/api/complaints",
            get(api::complaints).post(api::add_complaint),
        )
        .route(
            "/complaints",
            get(pages::complaints_page).post(pages::add_complaint),
        )
        .route("/api/release", post(api::release))
        .route("/api/void", post(api::void))
        .route("/api/print", post(api::print))
        .route("/api/label/{kind}/{file}", get(api::label_png))
        .route("/api/adjust", post(api::adjust))
        .route("/metrics", get(api::metrics))
        .route("/login", get(console::login_page).post(console::login))
        .route("/items", get(console::items_page).post(console::save_item))
        .route("/items.csv", get(console::items_csv))
        .route("/items/retire", post(console::retire_item))
        .route("/items/delete", post(console::delete_item))
        .route("/orders", get(console::orders_page))
        .route(
            "/recipes",
            get(recipes::recipes_page).post(recipes::save_recipe),
        )
        .route("/recipes.csv", get(recipes::recipes_csv))
        .route("/recipes/retire", post(recipes::retire_recipe))
        .route("/recipes/delete", post(recipes::delete_recipe))
        .route("/backup", get(console::backup))
        .route("/lot/{code}", get(records::record_page))
        .route("/batch/{code}", get(records::record_page))
        .route("/shipment/{code}", get(records::record_page))
        .route(
            "/{kind}/{code}/{action}",
            get(records::confirm_page).post(records::confirm),
        )
        .route("/record/print", post(records::print))
        .route(
            "/{party}",
            get(console::parties_page).post(console::save_party),
        )
        .route("/{party}/{action}", post(console::party_action))
        .route("/import", get(console::import_page))
        .route(
            "/import/{kind}",
            post(console::import_upload).layer(DefaultBodyLimit::max(console::MAX_UPLOAD)),
        )
        .route("/recall/drill", post(pages::drill))
        .route(
            "/recall/confirm",
            get(console::recall_confirm_page).post(console::recall_confirm),
        )
        .route("/orders/{number}", get(console::order_page))
        .route("/logout", post(console::logout))
        .fallback(|| async { ApiError::not_found("no such page") })
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(axum::middleware::from_fn(guard::deadline))
        .layer(axum::middleware::from_fn_with_state(
            allowed,
            guard::check_host,
        ))
        .with_state(app);
    if let Ok(address) = listener.local_addr() {
        tracing::info!(%address, "station screen and API listening");
    }
    let tls = app_tls.map(|t| t.acceptor);
    accept(listener, router, shutdown, tls).await;
}

/// Serves connections until `shutdown`, at most `MAX_CONNECTIONS` at once (more are closed
/// as they arrive), each with a deadline for its request head; then lets the requests in
/// flight finish. Each connection is a task of its own.
async fn accept(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    tls: Option<tokio_rustls::TlsAcceptor>,
) {
    use hyper_util::rt::{TokioIo, TokioTimer};
    let permits = Arc::new(tokio::sync::Semaphore::new(guard::MAX_CONNECTIONS));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // out of descriptors or the like: the next accept may do better
                    tracing::warn!(error = %e, "a connection could not be accepted");
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Ok(permit) = permits.clone().try_acquire_owned() else {
            tracing::debug!("connection refused: too many open");
            continue;
        };
        // the peer's address, for the sign-in limits per address
        let peer = stream
            .peer_addr()
            .unwrap_or_else(|_| std::net::SocketAddr::from(([0, 0, 0, 0], 0)));
        let router = router.clone().layer(axum::Extension(Peer(peer)));
        let mut http1 = hyper::server::conn::http1::Builder::new();
        http1
            .timer(TokioTimer::new())
            .header_read_timeout(guard::HEADER_TIMEOUT);
        let watcher = graceful.watcher();
        let tls = tls.clone();
        tokio::spawn(async move {
            match tls {
                None => {
                    let service = hyper_util::service::TowerToHyperService::new(router);
                    let connection = http1.serve_connection(TokioIo::new(stream), service);
                    let _ = watcher.watch(connection).await;
                }
                Some(acceptor) => {
                    // the handshake has the request head's deadline; plain http on the https
                    // port is sent to the https address
                    let handshake = async {
                        let mut first = [0u8; 1];
                        if stream.peek(&mut first).await? == 1 && first[0] != 0x16 {
                            tls::redirect_to_https(stream).await?;
                            return Ok(None);
                        }
                        acceptor.accept(stream).await.map(Some)
                    };
                    match tokio::time::timeout(guard::HEADER_TIMEOUT, handshake).await {
                        Ok(Ok(Some(stream))) => {
                            // the pages know the request came over https (Secure cookies)
                            let service = hyper_util::service::TowerToHyperService::new(
                                router.layer(axum::middleware::map_request(tls::over_https)),
                            );
                            let connection = http1.serve_connection(TokioIo::new(stream), service);
                            let _ = watcher.watch(connection).await;
                        }
                        Ok(Ok(None)) => {}
                        Ok(Err(e)) => tracing::debug!(error = %e, "a TLS handshake failed"),
                        Err(_) => tracing::debug!("a TLS handshake took too long"),
                    }
                }
            }
            drop(permit);
        });
    }
    graceful.shutdown().await;
}

#[cfg(test)]
mod tests {
    use super::{READ_QUEUE, READER_THREADS, ReadJob, Readers};
    use std::sync::Arc;

    /// The readers take at most their threads' worth at once and a bounded queue more; a
    /// query beyond that is refused at once (the server answers 503) instead of waiting
    /// behind the others, and everything taken is answered.
    #[test]
    fn readers_queue_a_bounded_number_of_queries() {
        let dir = tempfile::tempdir().expect("tmp");
        let location = crate::store::Location::sqlite(dir.path().join("r.db"));
        drop(crate::store::Store::open(&location).expect("a database"));
        let readers = Readers::start(Arc::new(crate::store::ReadPool::new(&location, 2)));
        let (release, held) = std::sync::mpsc::channel::<()>();
        let held = Arc::new(std::sync::Mutex::new(held));
        let (done, finished) = std::sync::mpsc::channel::<usize>();
        let (started, running) = std::sync::mpsc::channel::<()>();
        // each thread busy with a query that waits to be let go
        for n in 0..READER_THREADS {
            let (held, done, started) = (held.clone(), done.clone(), started.clone());
            let job: ReadJob = Box::new(move |_| {
                let _ = started.send(());
                let _ = held.lock().expect("lock").recv();
                let _ = done.send(n);
            });
            readers.queue.try_send(job).expect("taken");
        }
        for _ in 0..READER_THREADS {
            running.recv().expect("a reader runs");
        }
        for n in 0..READ_QUEUE {
            let done = done.clone();
            let job: ReadJob = Box::new(move |pool| {
                let read = pool.with(|store| store.has_accounts().is_ok());
                assert!(matches!(read, Ok(true)));
                let _ = done.send(READER_THREADS + n);
            });
            readers.queue.try_send(job).expect("queued");
        }
        let refused: ReadJob = Box::new(|_| {});
        assert!(
            readers.queue.try_send(refused).is_err(),
            "the queue is full"
        );
        for _ in 0..READER_THREADS {
            release.send(()).expect("release");
        }
        let mut answered: Vec<usize> = (0..READER_THREADS + READ_QUEUE)
            .map(|_| finished.recv().expect("answered"))
            .collect();
        answered.sort_unstable();
        assert_eq!(
            answered,
            (0..READER_THREADS + READ_QUEUE).collect::<Vec<_>>()
        );
    }
}
