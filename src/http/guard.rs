//! What stands between the network and the handlers: who may connect (a cap on connections,
//! a deadline for the request head and for the whole request) and which names the station
//! answers to (a `Host` allow-list against DNS rebinding, and no answer to a page of another
//! origin).

use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::ApiError;

/// Most connections served at once; more are closed as they arrive. Well below a service's
/// descriptor limit, so that idle or slow clients can never take the descriptors the
/// database and the devices need.
pub const MAX_CONNECTIONS: usize = 256;

/// How long a client may take to send a request's head.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a request may take to be answered, its body read included (an event stream's
/// body is not: its answer starts at once).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// The names a request's `Host` (and a browser's `Origin`) may carry.
#[derive(Debug, Clone)]
pub struct AllowedHosts {
    names: Vec<String>,
}

impl AllowedHosts {
    /// Loopback names, the address the server listens on (unless it is every address), and
    /// the configured `[http] hosts`.
    pub fn new(listen: &str, configured: &[String]) -> AllowedHosts {
        let mut names: Vec<String> = ["localhost", "127.0.0.1", "[::1]"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        if let Some(host) = host_part(listen)
            && !matches!(host.as_str(), "0.0.0.0" | "[::]")
        {
            names.push(host);
        }
        names.extend(configured.iter().map(|h| h.trim().to_ascii_lowercase()));
        AllowedHosts { names }
    }

    pub fn allows(&self, host_with_port: &str) -> bool {
        host_part(host_with_port).is_some_and(|host| self.names.contains(&host))
    }
}

/// A `Host` as a person's browser sends it (a name or address and a port), with nothing in
/// it that could not go back into an address the station writes on a page.
pub(super) fn is_plain_host(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
}

/// `name` of `name:port`, `[v6]` of `[v6]:port`, lower-cased.
pub(super) fn host_part(text: &str) -> Option<String> {
    let text = text.trim();
    let host = if text.starts_with('[') {
        let end = text.find(']')?;
        &text[..=end]
    } else {
        text.rsplit_once(':').map_or(text, |(host, _)| host)
    };
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

/// Refuses a request for a name the station does not answer to (421), and one sent by a
/// page of another origin (403): a web page cannot read the station's data by rebinding a
/// name of its own to this machine.
pub async fn check_host(
    State(allowed): State<std::sync::Arc<AllowedHosts>>,
    request: Request,
    next: Next,
) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !allowed.allows(host) {
        return ApiError::new(
            StatusCode::MISDIRECTED_REQUEST,
            format!(
                "this station does not answer to {host:?}; add the name to [http] hosts in its config"
            ),
        )
        .into_response();
    }
    if let Some(origin) = request.headers().get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or_default();
        let origin_host = origin
            .split_once("://")
            .map(|(_, rest)| rest)
            .unwrap_or(origin);
        if !allowed.allows(origin_host) {
            return ApiError::new(
                StatusCode::FORBIDDEN,
                format!("requests from pages of {origin} are refused"),
            )
            .into_response();
        }
    }
    next.run(request).await
}

/// Answers 408 when a request is not answered within `REQUEST_TIMEOUT`.
pub async fn deadline(request: Request, next: Next) -> Response {
    match tokio::time::timeout(REQUEST_TIMEOUT, next.run(request)).await {
        Ok(response) => response,
        Err(_) => ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            "the request took too long (a body sent too slowly?)",
        )
        .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_matched_by_name_without_port() {
        let allowed = AllowedHosts::new("192.168.1.20:8077", &["Station.Local".into()]);
        for ok in [
            "localhost:8077",
            "127.0.0.1",
            "[::1]:8077",
            "192.168.1.20:8077",
            "station.local:8077",
            "STATION.LOCAL",
        ] {
            assert!(allowed.allows(ok), "{ok}");
        }
        for refused in [
            "evil.example",
            "evil.example:8077",
            "",
            "127.0.0.1.evil.example",
        ] {
            assert!(!allowed.allows(refused), "{refused}");
        }
        let everywhere = AllowedHosts::new("0.0.0.0:8077", &[]);
        assert!(!everywhere.allows("0.0.0.0:8077"));
        assert!(everywhere.allows("localhost:8077"));
    }
}
