//! A witness of the journal's head outside the database: after every commit that moves the
//! head, its `seq hash time` is appended to a plain file (by default `<database>-witness`,
//! or `[station] witness`, best in another directory). Someone who cuts the journal's last
//! entries and their rows leaves a chain that still verifies; the witness remembers a head
//! the chain no longer has, and `journal verify` says so.

use std::cell::Cell;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The append-only witness file of one database.
#[derive(Debug)]
pub struct Witness {
    path: PathBuf,
    file: std::fs::File,
    /// the last head written, so a commit that did not move it writes nothing
    last: Cell<i64>,
}

/// One witnessed head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Witnessed {
    pub line: usize,
    pub seq: i64,
    pub hash: String,
    pub at: String,
}

impl Witness {
    /// The witness file a database has unless the configuration names another.
    pub fn default_path(database: &Path) -> PathBuf {
        crate::core::location::witness_beside_file(database)
    }

    pub fn open(path: &Path) -> std::io::Result<Witness> {
        if let Some(parent) = path.parent()
            && !parent.as_os_str().is_empty()
        {
            std::fs::create_dir_all(parent)?;
        }
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)?;
        Ok(Witness {
            path: path.to_path_buf(),
            file,
            last: Cell::new(0),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends the head if it moved. The commit is already durable: a witness that cannot
    /// be written is logged, never a reason to tell the bench its scan failed.
    pub fn record(&self, seq: i64, hash: &str, at: &str) {
        if seq <= self.last.get() {
            return;
        }
        let line = format!("{seq} {hash} {at}\n");
        match (&self.file).write_all(line.as_bytes()) {
            Ok(()) => self.last.set(seq),
            Err(e) => {
                tracing::error!(path = %self.path.display(), error = %e, "the journal witness could not be written")
            }
        }
    }
}

/// Every head in a witness file, oldest first; a line that is not `seq hash time` is
/// reported by its number.
pub fn read(path: &Path) -> std::io::Result<(Vec<Witnessed>, Vec<String>)> {
    let text = std::fs::read_to_string(path)?;
    let mut heads = Vec::new();
    let mut unreadable = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let mut parts = line.split(' ');
        match (
            parts.next().map(str::parse::<i64>),
            parts.next(),
            parts.next(),
        ) {
            (Some(Ok(seq)), Some(hash), Some(at)) if hash.len() == 64 => heads.push(Witnessed {
                line: index + 1,
                seq,
                hash: hash.to_string(),
                at: at.to_string(),
            }),
            // a line cut short by a crash at the very end is not tampering
            _ if index + 1 == text.lines().count() && !text.ends_with('\n') => {}
            _ => unreadable.push(format!(
                "line {} is not a witnessed head: {line:?}",
                index + 1
            )),
        }
    }
    Ok((heads, unreadable))
}
