//! The reference in `docs/` stands alone: every configuration key the station accepts and
//! every scan command and prefix it understands is documented there. Keys are read from the
//! configuration's own definitions (the list serde gives for an unknown key), so a new key
//! without its documentation fails here.

use std::path::Path;

fn doc(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("docs")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The keys a table accepts, from the error for an unknown one.
fn keys_of(toml: &str) -> Vec<String> {
    let err = lotstation::config::Station::from_toml(
        &lotstation::clock::Disk,
        toml,
        Path::new("keys.toml"),
    )
    .expect_err("an unknown key is refused")
    .to_string();
    let list = err
        .split("expected one of ")
        .nth(1)
        .or_else(|| err.split("expected ").nth(1))
        .unwrap_or_else(|| panic!("no key list in {err}"));
    list.lines()
        .next()
        .unwrap_or_default()
        .replace(" or ", ",")
        .split(',')
        .map(|k| k.trim().trim_matches('`').to_string())
        .filter(|k| !k.is_empty() && !k.contains(' '))
        .collect()
}

#[test]
fn every_config_key_is_documented() {
    let docs = doc("configuration.md");
    let tables = [
        ("top level", "zzz_unknown = 1\n"),
        ("[station]", "[station]\nzzz_unknown = 1\n"),
        ("[codes]", "[codes]\nzzz_unknown = 1\n"),
        ("[[bench]]", "[[bench]]\nname = 'a'\nzzz_unknown = 1\n"),
        (
            "[[scanner]]",
            "[[scanner]]\nname = 's'\nkind = 'stdin'\nzzz_unknown = 1\n",
        ),
        (
            "[[scale]]",
            "[[scale]]\nname = 's'\npath = 'p'\nprotocol = 'cas'\nzzz_unknown = 1\n",
        ),
        (
            "[[printer]]",
            "[[printer]]\nname = 'p'\nkind = 'file'\nzzz_unknown = 1\n",
        ),
        (
            "[[pattern]]",
            "[[pattern]]\nregex = 'x'\nkind = 'order'\nzzz_unknown = 1\n",
        ),
        ("[labels]", "[labels]\nzzz_unknown = 1\n"),
        ("[recall]", "[recall]\nzzz_unknown = 1\n"),
        ("[http]", "[http]\nzzz_unknown = 1\n"),
    ];
    let mut missing = Vec::new();
    let mut counted = 0;
    for (table, toml) in tables {
        let keys = keys_of(toml);
        assert!(keys.len() >= 2, "{table}: {keys:?}");
        for key in keys {
            counted += 1;
            let documented = if table == "top level" {
                docs.contains(&format!("`[{key}]`")) || docs.contains(&format!("`[[{key}]]`"))
            } else {
                docs.contains(&format!("| `{key}` |"))
            };
            if !documented {
                missing.push(format!("{table} {key}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "not in docs/configuration.md: {missing:?}"
    );
    assert!(counted > 40, "only {counted} keys found");
}

#[test]
fn every_scan_command_and_prefix_is_documented() {
    let docs = doc("scanning.md");
    for name in lotstation::core::scan::COMMAND_NAMES {
        assert!(
            docs.contains(&format!("| `{name}")),
            "{name} has no row in docs/scanning.md"
        );
    }
    for prefix in lotstation::core::scan::PREFIXES {
        assert!(
            docs.contains(&format!("`{prefix}")),
            "{prefix} is not in docs/scanning.md"
        );
    }
}
