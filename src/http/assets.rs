//! Files the pages load that are not pages: the camera scanner's script and its decoder (a
//! WebAssembly build of ZXing-C++, vendored in `assets/zxing-wasm/` with its licences), all in
//! the binary, so a phone on the shop's network needs nothing from the internet.

use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The decoder's version: in its files' address, so a browser may keep them for good.
pub const ZXING_WASM: &str = "zxing-wasm-3.1.8";

/// The camera scanner on a bench's page (ours).
const CAMERA_JS: &str = include_str!("camera.js");

/// One file: its name in the address, its type, its bytes, whether they are gzip's.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
    gzip: bool,
}

const ASSETS: &[Asset] = &[
    Asset {
        name: "reader.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../assets/zxing-wasm/reader.js.gz"),
        gzip: true,
    },
    Asset {
        name: "zxing_reader.wasm",
        content_type: "application/wasm",
        bytes: include_bytes!("../../assets/zxing-wasm/zxing_reader.wasm.gz"),
        gzip: true,
    },
    Asset {
        name: "LICENSE",
        content_type: "text/plain; charset=utf-8",
        bytes: include_bytes!("../../assets/zxing-wasm/LICENSE"),
        gzip: false,
    },
    Asset {
        name: "LICENSE-zxing-cpp",
        content_type: "text/plain; charset=utf-8",
        bytes: include_bytes!("../../assets/zxing-wasm/LICENSE-zxing-cpp"),
        gzip: false,
    },
];

/// `GET /assets/camera.js`
pub async fn camera_js() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        CAMERA_JS,
    )
        .into_response()
}

/// `GET /assets/zxing-wasm-VERSION/FILE`: sent compressed as stored to a browser that takes
/// gzip (every one does), inflated for a client that does not.
pub async fn zxing(Path((version, file)): Path<(String, String)>, headers: HeaderMap) -> Response {
    let Some(asset) = ASSETS
        .iter()
        .find(|a| version == ZXING_WASM && a.name == file)
    else {
        return (StatusCode::NOT_FOUND, "no such file").into_response();
    };
    let takes_gzip = headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|coding| {
            let mut parts = coding.split(';');
            let name = parts.next().unwrap_or_default().trim();
            let refused = parts.any(|p| p.trim().replace(' ', "") == "q=0");
            (name.eq_ignore_ascii_case("gzip") || name == "*") && !refused
        });
    let mut response = if asset.gzip && !takes_gzip {
        match gunzip(asset.bytes) {
            Some(bytes) => bytes.into_response(),
            None => {
                return (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "a stored file is damaged",
                )
                    .into_response();
            }
        }
    } else {
        asset.bytes.into_response()
    };
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(asset.content_type),
    );
    // the version is in the address: a new one is a new address
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    if asset.gzip && takes_gzip {
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    response
}

/// A gzip member's content (RFC 1952) as `gzip -n` writes it: a ten-byte header with no
/// optional fields, raw deflate, then the CRC and length (checked).
fn gunzip(member: &[u8]) -> Option<Vec<u8>> {
    let (header, rest) = member.split_at_checked(10)?;
    if header[..3] != [0x1f, 0x8b, 8] || header[3] != 0 {
        return None;
    }
    let (deflated, trailer) = rest.split_at_checked(rest.len().checked_sub(8)?)?;
    let bytes = miniz_oxide::inflate::decompress_to_vec(deflated).ok()?;
    let length = u32::from_le_bytes(trailer[4..8].try_into().ok()?);
    (length == bytes.len() as u32).then_some(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The stored decoder inflates to the WebAssembly module it says it is.
    #[test]
    fn the_vendored_decoder_inflates_whole() {
        let wasm = ASSETS
            .iter()
            .find(|a| a.name == "zxing_reader.wasm")
            .expect("the decoder");
        let bytes = gunzip(wasm.bytes).expect("a whole gzip member");
        assert_eq!(&bytes[..4], b"\0asm");
        assert_eq!(bytes.len(), 946_307);
        let script = gunzip(ASSETS[0].bytes).expect("the script");
        assert!(
            String::from_utf8(script)
                .expect("text")
                .contains("ZXingWASM")
        );
        assert!(gunzip(&wasm.bytes[..wasm.bytes.len() - 1]).is_none());
    }
}
