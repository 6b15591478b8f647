//! The station's time zone, read from the one zoneinfo file that names it (what the
//! configuration and every command that shows a time need at start).

/// The station's time zone by its IANA name (`America/Chicago`), or the machine's (`TZ`,
/// else `/etc/localtime`) when none is named. The one file is read straight from the
/// system's zoneinfo folder: jiff's own lookup first lists the whole folder (some 600
/// files), which is most of a short command's start-up. Anything unusual (a name that is
/// not a plain path, a `TZ` rule, no such file) goes through jiff's lookup as before.
pub fn load_zone(name: Option<&str>) -> Result<jiff::tz::TimeZone, jiff::Error> {
    let dir = std::env::var_os("TZDIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from("/usr/share/zoneinfo"));
    let plain = |name: &str| {
        !name.is_empty()
            && !name.starts_with('/')
            && name.split('/').all(|part| {
                !part.is_empty()
                    && part != "."
                    && part != ".."
                    && part
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"_+-".contains(&b))
            })
    };
    let from_file = |name: &str, path: &std::path::Path| {
        let bytes = std::fs::read(path).ok()?;
        jiff::tz::TimeZone::tzif(name, &bytes).ok()
    };
    match name {
        Some(name) if plain(name) => match from_file(name, &dir.join(name)) {
            Some(zone) => Ok(zone),
            None => jiff::tz::TimeZone::get(name),
        },
        Some(name) => jiff::tz::TimeZone::get(name),
        None => {
            let tz = std::env::var("TZ").ok();
            let named = match tz.as_deref() {
                Some(name) => name.strip_prefix(':').unwrap_or(name).to_string(),
                None => std::fs::read_link("/etc/localtime")
                    .ok()
                    .and_then(|target| {
                        let target = target.to_string_lossy().into_owned();
                        target
                            .split_once("zoneinfo/")
                            .map(|(_, name)| name.to_string())
                    })
                    .unwrap_or_default(),
            };
            if plain(&named)
                && let Some(zone) = from_file(&named, &dir.join(&named))
            {
                return Ok(zone);
            }
            Ok(jiff::tz::TimeZone::system())
        }
    }
}
