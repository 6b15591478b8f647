//! The station's own https (`[http] tls = true`). A phone's browser lets a page use the
//! camera only in a secure context, which on a shop's network means https. The station
//! uses `cert.pem` and `key.pem` from `[http] tls_dir`: the owner's own (from their CA), or
//! one it makes on first start, self-signed for the names people use to reach it. A phone
//! warns about a self-signed certificate once; the console's Camera page shows its
//! fingerprint to compare and a QR of each bench's address.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use sha2::Digest;
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// What the pages say about the certificate.
#[derive(Debug, Clone)]
pub struct Certificate {
    /// SHA-256 of the certificate, as browsers show it (`AB:CD:…`)
    pub fingerprint: String,
    /// the certificate, for a phone to install
    pub pem: String,
    /// made by the station (else the owner's own)
    pub made_here: bool,
}

/// The server's TLS: the acceptor, and what the pages say about its certificate.
#[derive(Clone)]
pub struct Tls {
    pub acceptor: tokio_rustls::TlsAcceptor,
    pub certificate: Certificate,
}

impl std::fmt::Debug for Tls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tls")
            .field("certificate", &self.certificate)
            .finish_non_exhaustive()
    }
}

/// A certificate the station makes lasts this long: Apple's devices refuse a server
/// certificate of more than 825 days.
const DAYS: i64 = 825;
/// The file beside a certificate the station made: when it stops being valid, and the
/// certificate file's SHA-256 (so that the owner's own, put in its place, is never remade).
const MADE: &str = "made-by-lotstation";

/// The certificate and key in `dir`, made first if there are none (or the station's own has
/// less than 30 days left), for `names` (host names and addresses).
pub fn load_or_make(dir: &Path, names: &[String]) -> Result<Tls, String> {
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    // the station's own certificate (not one the owner put in its place) is made again
    // before it runs out
    let ours = |cert_text: &str| -> Option<jiff::Timestamp> {
        let marker = std::fs::read_to_string(dir.join(MADE)).ok()?;
        let mut lines = marker.lines();
        let until = lines.next()?.trim().parse::<jiff::Timestamp>().ok()?;
        (lines.next()? == digest(cert_text)).then_some(until)
    };
    let current = std::fs::read_to_string(&cert).unwrap_or_default();
    let expiring = ours(&current).is_some_and(|until| {
        jiff::Timestamp::now() + jiff::SignedDuration::from_hours(30 * 24) > until
    });
    if !cert.exists() && !key.exists() || expiring {
        make(dir, names)?;
        tracing::info!(folder = %dir.display(), ?names, "made the station's https certificate");
    }
    let pem = std::fs::read_to_string(&cert)
        .map_err(|e| format!("cannot read {}: {e}", cert.display()))?;
    let chain = CertificateDer::pem_slice_iter(pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("{} is not a PEM certificate: {e}", cert.display()))?;
    let Some(first) = chain.first() else {
        return Err(format!("{} holds no certificate", cert.display()));
    };
    let fingerprint = sha2::Sha256::digest(first.as_ref())
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":");
    let private = PrivateKeyDer::from_pem_file(&key)
        .map_err(|e| format!("cannot read the private key {}: {e}", key.display()))?;
    // ring, not aws-lc-rs (which needs cmake and builds for minutes, for arm64 too); its
    // want is post-quantum key exchange, which a shop's own network can do without
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(chain, private)
        .map_err(|e| {
            format!(
                "{} and {} do not go together: {e}",
                cert.display(),
                key.display()
            )
        })?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Tls {
        acceptor: tokio_rustls::TlsAcceptor::from(Arc::new(config)),
        certificate: Certificate {
            fingerprint,
            made_here: ours(&pem).is_some(),
            pem,
        },
    })
}

/// A self-signed certificate for `names`, its key readable by the station's user only.
fn make(dir: &Path, names: &[String]) -> Result<(), String> {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| format!("cannot make {}: {e}", dir.display()))?;
    let mut params = rcgen::CertificateParams::new(names.to_vec())
        .map_err(|e| format!("a name the certificate cannot hold: {e}"))?;
    let now = jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC);
    let day =
        |z: &jiff::Zoned| rcgen::date_time_ymd(i32::from(z.year()), z.month() as u8, z.day() as u8);
    let from = now.yesterday().map_err(|e| e.to_string())?;
    let until = &now + jiff::Span::new().days(DAYS);
    params.not_before = day(&from);
    params.not_after = day(&until);
    let station = names
        .iter()
        .find(|n| *n != "localhost" && *n != "127.0.0.1")
        .map_or("station", String::as_str);
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, format!("lotstation {station}"));
    params
        .distinguished_name
        .push(rcgen::DnType::OrganizationName, "lotstation");
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    let key = rcgen::KeyPair::generate().map_err(|e| e.to_string())?;
    let cert = params.self_signed(&key).map_err(|e| e.to_string())?;
    let write = |path: PathBuf, text: &str, mode: u32| -> Result<(), String> {
        use std::io::Write;
        std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(mode)
            .open(&path)
            .and_then(|mut f| f.write_all(text.as_bytes()).and_then(|()| f.sync_all()))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))
    };
    write(dir.join("key.pem"), &key.serialize_pem(), 0o600)?;
    let cert_text = cert.pem();
    write(dir.join("cert.pem"), &cert_text, 0o644)?;
    write(
        dir.join(MADE),
        &format!("{}\n{}\n", until.timestamp(), digest(&cert_text)),
        0o644,
    )
}

/// A file's SHA-256, to know the station's own certificate from one put in its place.
fn digest(text: &str) -> String {
    crate::core::hex(&sha2::Sha256::digest(text.as_bytes()))
}

/// A request that came over the station's own https says so as a proxy in front would
/// (`X-Forwarded-Proto: https`, whatever the client sent): its cookies are `Secure`.
pub async fn over_https(mut request: axum::extract::Request) -> axum::extract::Request {
    request.headers_mut().remove("forwarded");
    request.headers_mut().insert(
        "x-forwarded-proto",
        axum::http::HeaderValue::from_static("https"),
    );
    request
}

/// Someone typed `http://` for the https port: reads the request's head (at most 8 KiB)
/// and answers with the same address over https.
pub async fn redirect_to_https(mut stream: tokio::net::TcpStream) -> std::io::Result<()> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut head = Vec::new();
    let mut buffer = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 8192 {
        let n = stream.read(&mut buffer).await?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&buffer[..n]);
    }
    let text = String::from_utf8_lossy(&head);
    let path = text
        .lines()
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .filter(|p| p.starts_with('/') && p.bytes().all(|b| b.is_ascii_graphic()))
        .unwrap_or("/");
    let host = text
        .lines()
        .find_map(|l| {
            l.split_once(':')
                .filter(|(name, _)| name.eq_ignore_ascii_case("host"))
                .map(|(_, value)| value.trim())
        })
        .filter(|h| super::guard::is_plain_host(h));
    let body = "This station answers on https://, not http://\n";
    let status = match host {
        Some(host) => format!("308 Permanent Redirect\r\nLocation: https://{host}{path}"),
        None => "400 Bad Request".to_string(),
    };
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(response.as_bytes()).await?;
    stream.shutdown().await
}

/// The names a phone may use for the station: loopback, this machine's name (and its
/// `.local` name, as mDNS announces it), the listen address, and `[http] hosts`.
pub fn names(listen: &str, hosts: &[String]) -> Vec<String> {
    let mut names = vec!["localhost".to_string(), "127.0.0.1".to_string()];
    let node = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .unwrap_or_default()
        .trim()
        .to_string();
    if !node.is_empty() && node != "localhost" {
        names.push(format!("{node}.local"));
        names.push(node);
    }
    // as the host check reads them (`[v6]:port`, `name:port`), an address without brackets
    let host_of = |text: &str| -> String {
        super::guard::host_part(text)
            .unwrap_or_default()
            .trim_matches(['[', ']'])
            .to_string()
    };
    let listen = host_of(listen);
    if listen != "0.0.0.0" && listen != "::" {
        names.push(listen);
    }
    names.extend(hosts.iter().map(|h| host_of(h)));
    let mut seen = std::collections::BTreeSet::new();
    names.retain(|n| !n.is_empty() && seen.insert(n.to_ascii_lowercase()));
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A certificate made once is kept (a phone that trusted it keeps trusting it), is valid
    /// for the names given, and goes with its key.
    #[test]
    fn a_certificate_is_made_once_and_kept() {
        let dir = tempfile::tempdir().expect("tmp");
        let tls = dir.path().join("tls");
        let names = names(
            "0.0.0.0:8077",
            &["192.168.1.20".into(), "station.lan:8077".into()],
        );
        assert!(
            names.contains(&"192.168.1.20".to_string())
                && names.contains(&"station.lan".to_string())
        );
        assert!(!names.contains(&"0.0.0.0".to_string()));
        let first = load_or_make(&tls, &names).expect("made");
        assert!(first.certificate.made_here);
        assert_eq!(first.certificate.fingerprint.len(), 32 * 3 - 1);
        let again = load_or_make(&tls, &names).expect("loaded");
        assert_eq!(first.certificate.fingerprint, again.certificate.fingerprint);
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(tls.join("key.pem"))
            .expect("key")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        // the owner's own certificate in its place is the owner's: kept, not remade
        let own = tempfile::tempdir().expect("tmp");
        let theirs = load_or_make(own.path(), &["shop.example".to_string()]).expect("made");
        for file in ["cert.pem", "key.pem"] {
            std::fs::copy(own.path().join(file), tls.join(file)).expect("copy");
        }
        let loaded = load_or_make(&tls, &names).expect("the owner's");
        assert!(!loaded.certificate.made_here);
        assert_eq!(
            loaded.certificate.fingerprint,
            theirs.certificate.fingerprint
        );
        // the station's own, 20 days before its end, is made again at the next start
        let soon = tempfile::tempdir().expect("tmp");
        let old = load_or_make(soon.path(), &names).expect("made");
        let text = std::fs::read_to_string(soon.path().join("cert.pem")).expect("cert");
        let until = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(20 * 24);
        std::fs::write(
            soon.path().join(MADE),
            format!("{until}\n{}\n", digest(&text)),
        )
        .expect("marker");
        let renewed = load_or_make(soon.path(), &names).expect("renewed");
        assert!(renewed.certificate.made_here);
        assert_ne!(renewed.certificate.fingerprint, old.certificate.fingerprint);
        // a key that is not the certificate's is refused, saying which files
        std::fs::remove_file(tls.join("key.pem")).expect("rm");
        std::fs::write(
            tls.join("key.pem"),
            rcgen::KeyPair::generate().expect("key").serialize_pem(),
        )
        .expect("write");
        let refused = load_or_make(&tls, &names).expect_err("a stranger's key");
        assert!(refused.contains("do not go together"), "{refused}");
    }
}
