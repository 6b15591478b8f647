//! Where the station gets the time from: the machine's clock, a scripted one (the demo's
//! day, the simulation tests), or a fixed start taken from `LOTSTATION_CLOCK` so that
//! whole-binary tests never depend on today's date. Nothing else reads the system clock.

/// The time source of the event loop. Every journal entry's time is one reading.
pub trait Clock: Send {
    fn now(&mut self) -> jiff::Timestamp;
}

/// The machine's clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&mut self) -> jiff::Timestamp {
        jiff::Timestamp::now()
    }
}

/// A clock that starts at a given time and advances a fixed step per reading.
pub struct ScriptedClock {
    pub next: jiff::Timestamp,
    pub step: jiff::SignedDuration,
}

impl Clock for ScriptedClock {
    fn now(&mut self) -> jiff::Timestamp {
        let now = self.next;
        self.next = self.next.checked_add(self.step).unwrap_or(self.next);
        now
    }
}

/// The variable that pins the station's clock: an RFC 3339 time; each reading after the
/// first is one second later.
pub const CLOCK_VARIABLE: &str = "LOTSTATION_CLOCK";

/// The clock the daemon and the CLI use: `LOTSTATION_CLOCK` when it is set (tests, drills
/// on a copy of the records), else the machine's.
pub fn from_environment() -> Result<Box<dyn Clock>, String> {
    match std::env::var(CLOCK_VARIABLE) {
        Err(_) => Ok(Box::new(SystemClock)),
        Ok(text) => text
            .trim()
            .parse::<jiff::Timestamp>()
            .map(|start| {
                Box::new(ScriptedClock {
                    next: start,
                    step: jiff::SignedDuration::from_secs(1),
                }) as Box<dyn Clock>
            })
            .map_err(|e| {
                format!("{CLOCK_VARIABLE}={text:?} is not a time like 2029-03-01T09:00:00Z: {e}")
            }),
    }
}

/// The current time for commands that read it once (trace dates, stock's expiry).
pub fn now() -> jiff::Timestamp {
    std::env::var(CLOCK_VARIABLE)
        .ok()
        .and_then(|text| text.trim().parse().ok())
        .unwrap_or_else(jiff::Timestamp::now)
}

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

/// The largest file the station reads (a CSV import, a shop's export, a config, a
/// template): 512 MiB, five busy years of history with room to spare.
pub const MAX_READ: u64 = 512 << 20;

/// The core's host on this machine: files from the disk, time zones as `load_zone` finds
/// them. The only place the core's file reads and zone lookups reach the system.
#[derive(Debug, Clone, Copy, Default)]
pub struct Disk;

impl crate::core::host::Host for Disk {
    /// The file's bytes, refused past `MAX_READ` (read no further): an import of a device
    /// or a wrong file ends with a clear error, not with the memory full.
    fn read(&self, path: &std::path::Path) -> std::io::Result<Vec<u8>> {
        use std::io::Read;
        let mut bytes = Vec::new();
        std::fs::File::open(path)?
            .take(MAX_READ + 1)
            .read_to_end(&mut bytes)?;
        if bytes.len() as u64 > MAX_READ {
            return Err(std::io::Error::new(
                std::io::ErrorKind::FileTooLarge,
                format!(
                    "larger than {} MiB, more than any file the station reads: is it the right file?",
                    MAX_READ >> 20
                ),
            ));
        }
        Ok(bytes)
    }

    fn is_dir(&self, path: &std::path::Path) -> bool {
        path.is_dir()
    }

    fn zone(&self, name: Option<&str>) -> Result<jiff::tz::TimeZone, String> {
        load_zone(name).map_err(|e| e.to_string())
    }
}

/// A stored time (UTC, RFC 3339) as a person reads it: in the station's time zone, to the
/// second, with the zone's abbreviation (`2026-11-21 09:00:00 EST`). Anything that is not a
/// timestamp (a date, an empty field) is given back as it is.
pub fn local_text(text: &str, tz: &jiff::tz::TimeZone) -> String {
    match text.parse::<jiff::Timestamp>() {
        Ok(at) => at
            .to_zoned(tz.clone())
            .strftime("%Y-%m-%d %H:%M:%S %Z")
            .to_string(),
        Err(_) => text.to_string(),
    }
}

#[cfg(test)]
mod local_tests {
    #[test]
    fn stored_times_read_in_the_station_zone() {
        let tz = jiff::tz::TimeZone::get("America/New_York").expect("zone");
        assert_eq!(
            super::local_text("2026-11-21T14:00:00.123456789Z", &tz),
            "2026-11-21 09:00:00 EST"
        );
        assert_eq!(super::local_text("2026-11-20", &tz), "2026-11-20");
        assert_eq!(super::local_text("", &tz), "");
    }

    #[test]
    fn zones_load_from_their_file_as_jiff_finds_them() {
        for name in ["America/New_York", "Europe/Warsaw", "UTC", "Asia/Kolkata"] {
            let ours = super::load_zone(Some(name)).expect("zone");
            let jiffs = jiff::tz::TimeZone::get(name).expect("zone");
            assert_eq!(ours.iana_name(), Some(name));
            for at in ["2026-01-15T12:00:00Z", "2026-07-15T12:00:00Z"] {
                let at: jiff::Timestamp = at.parse().unwrap();
                assert_eq!(ours.to_offset(at), jiffs.to_offset(at), "{name} at {at}");
            }
        }
        // another spelling is still found (jiff's case-insensitive lookup)
        let lower = super::load_zone(Some("america/new_york")).expect("zone");
        assert_eq!(lower.iana_name(), Some("America/New_York"));
        // not a path out of the zone folder, and not a zone that does not exist
        assert!(super::load_zone(Some("../../etc/passwd")).is_err());
        assert!(super::load_zone(Some("Mars/Olympus")).is_err());
        assert!(super::load_zone(None).is_ok());
    }
}
