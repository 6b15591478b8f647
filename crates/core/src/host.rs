//! What the machine the core runs on provides, asked for by the core and answered by its
//! caller: a file's bytes, and a time zone by name. The core never touches the file system,
//! the environment or the clock itself; the application answers from the disk
//! (`lotstation::clock::Disk`), tests and fuzz targets from memory.

use std::path::Path;

pub trait Host {
    /// The bytes of the file at `path` (`ErrorKind::NotFound` when there is none).
    fn read(&self, path: &Path) -> std::io::Result<Vec<u8>>;
    /// Whether `path` is a folder.
    fn is_dir(&self, path: &Path) -> bool;
    /// A time zone by its IANA name, or the machine's when none is named; why not, in words.
    fn zone(&self, name: Option<&str>) -> Result<jiff::tz::TimeZone, String>;
}

/// Files and time zones held in memory: a host for tests and fuzz targets. A zone not
/// held is unknown, except UTC, which is also the machine's.
#[derive(Debug, Clone, Default)]
pub struct InMemory {
    pub files: std::collections::BTreeMap<std::path::PathBuf, Vec<u8>>,
    pub zones: std::collections::BTreeMap<String, jiff::tz::TimeZone>,
}

impl InMemory {
    /// `text` as the file at `path`.
    pub fn with_file(self, path: impl Into<std::path::PathBuf>, text: &str) -> InMemory {
        self.with_bytes(path, text.as_bytes())
    }

    /// `bytes` as the file at `path` (an upload, which may not be text).
    pub fn with_bytes(mut self, path: impl Into<std::path::PathBuf>, bytes: &[u8]) -> InMemory {
        self.files.insert(path.into(), bytes.to_vec());
        self
    }
}

impl Host for InMemory {
    fn read(&self, path: &Path) -> std::io::Result<Vec<u8>> {
        self.files
            .get(path)
            .cloned()
            .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::NotFound))
    }

    /// A folder holds a file in memory.
    fn is_dir(&self, path: &Path) -> bool {
        self.files
            .keys()
            .any(|file| file != path && file.starts_with(path))
    }

    fn zone(&self, name: Option<&str>) -> Result<jiff::tz::TimeZone, String> {
        match name {
            None | Some("UTC") => Ok(jiff::tz::TimeZone::UTC),
            Some(name) => self
                .zones
                .get(name)
                .cloned()
                .ok_or_else(|| format!("unknown time zone {name:?}")),
        }
    }
}
