//! Our GS1 parser against biip, an independent implementation, on a corpus of real-world
//! shaped scans. Runs where biip is installed (the test command installs it and sets
//! LOTSTATION_ORACLES=1, which makes a missing biip a failure).

use std::process::Command;

use lotstation::core::gs1::Message;
use lotstation::core::scan::{self, ScanKind};

fn python() -> Option<String> {
    let candidates = std::env::var("LOTSTATION_PYTHON")
        .into_iter()
        .chain(["python3".to_string()]);
    for python in candidates {
        let ok = Command::new(&python)
            .args(["-c", "import biip"])
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false);
        if ok {
            return Some(python);
        }
    }
    if std::env::var("LOTSTATION_ORACLES").as_deref() == Ok("1") {
        panic!("biip is not installed; the test command (scripts/test.sh) installs it");
    }
    None
}

#[test]
fn gs1_parse_agrees_with_biip() {
    let Some(python) = python() else {
        eprintln!("skipped: biip not installed (run scripts/test.sh)");
        return;
    };
    let corpus = std::fs::read_to_string(crate::support::fixture("../oracles/gs1_corpus.txt"))
        .expect("corpus");
    let today = jiff::Zoned::now().date(); // biip reads the same real date
    let mut ours = Vec::new();
    let mut cases = String::new();
    for line in corpus
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let (verdict, text) = line.split_once(' ').expect("verdict and text");
        let input = text.replace("<GS>", "\u{1d}");
        // bare element strings (a scanner with AIM ids off) go to the GS1 parser itself
        let bare = !input.starts_with([']', '(', '\u{1d}']);
        let parsed: Result<Message, String> = if bare {
            Message::parse(&input).map_err(|e| e.to_string())
        } else {
            match scan::parse(&input, &[]) {
                Ok(scan) => match scan.kind {
                    ScanKind::Gs1(message) => Ok(message),
                    other => Err(format!("not GS1: {other:?}")),
                },
                Err(e) => Err(e.to_string()),
            }
        };
        assert_eq!(
            parsed.is_ok(),
            verdict == "ok",
            "lotstation on {text}: {parsed:?}"
        );
        cases.push_str(&serde_json::json!({ "input": input }).to_string());
        cases.push('\n');
        ours.push((text.to_string(), parsed));
    }
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("cases.jsonl");
    std::fs::write(&path, cases).expect("write cases");
    let script = crate::support::fixture("../oracles/biip_check.py");
    let out = Command::new(&python)
        .arg(script)
        .arg(&path)
        .output()
        .expect("run biip");
    assert!(
        out.status.success(),
        "biip_check.py: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let theirs: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    assert_eq!(theirs.len(), ours.len());
    for ((text, ours), theirs) in ours.iter().zip(&theirs) {
        assert_eq!(
            ours.is_ok(),
            theirs["ok"] == true,
            "{text}: lotstation {ours:?}, biip {theirs}"
        );
        let Ok(message) = ours else { continue };
        assert_eq!(theirs["hri"], message.to_hri(), "{text}");
        let elements: Vec<serde_json::Value> = message
            .elements
            .iter()
            .map(|e| serde_json::json!([e.ai, e.value]))
            .collect();
        assert_eq!(
            theirs["elements"],
            serde_json::Value::Array(elements),
            "{text}"
        );
        assert_eq!(
            theirs["expiry"],
            message
                .expiry(today)
                .map(|d| d.to_string())
                .map_or(serde_json::Value::Null, Into::into),
            "{text}"
        );
        let net = message
            .net_quantity()
            .filter(|(_, _)| message.elements.iter().any(|e| e.ai.starts_with("310")));
        assert_eq!(
            theirs["net_mg"],
            net.map(|(q, _)| q.base)
                .map_or(serde_json::Value::Null, Into::into),
            "{text}"
        );
    }
}
