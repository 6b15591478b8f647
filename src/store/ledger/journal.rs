//! The append-only journal: every entry is hash-chained to the one before it, so that a
//! changed, removed or reordered entry is found by `verify`.

use crate::store::sql::{Optional, params};
use sha2::{Digest, Sha256};

use crate::store::{Store, StoreError, StoreTx};

/// The hash the first entry chains to.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// An entry to append.
#[derive(Debug)]
pub struct NewEntry<'a> {
    pub at: jiff::Timestamp,
    pub kind: &'a str,
    pub bench: Option<&'a str>,
    pub device: Option<&'a str>,
    pub operator: Option<&'a str>,
    pub body: &'a serde_json::Value,
}

/// An entry as stored.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct JournalEntry {
    pub seq: i64,
    pub at: String,
    pub kind: String,
    pub bench: Option<String>,
    pub device: Option<String>,
    pub operator: Option<String>,
    pub body: serde_json::Value,
    pub prev_hash: String,
    pub hash: String,
    /// the station that wrote it, where stations share a database
    #[serde(skip_serializing_if = "Option::is_none")]
    pub station: Option<String>,
}

/// What `journal verify` found.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct VerifyReport {
    pub entries: i64,
    pub head_hash: String,
    /// the first place the chain breaks, in words, if it does
    pub chain_error: Option<String>,
    /// SQLite's own `integrity_check` findings ("ok" when clean)
    pub integrity: Vec<String>,
    /// record rows that disagree with their journal entries
    pub records: Vec<String>,
    /// the witness file checked
    pub witness_path: String,
    /// heads it witnessed (None: there is no witness file)
    pub witnessed: Option<usize>,
    /// witnessed heads the chain does not have: a cut tail, a changed entry
    pub witness: Vec<String>,
}

impl VerifyReport {
    pub fn ok(&self) -> bool {
        self.chain_error.is_none()
            && self.integrity == ["ok"]
            && self.records.is_empty()
            && self.witness.is_empty()
    }
}

/// SHA-256 over the previous hash, the sequence number and the entry's fields
/// (at, kind, bench, device, operator, body), each length-prefixed.
/// An entry a station wrote (in a shop where stations share one database) also covers
/// the station's name; entries without one hash as they always did.
fn entry_hash(prev_hash: &str, seq: i64, fields: [&str; 6], station: Option<&str>) -> String {
    let mut hasher = Sha256::new();
    let seq = seq.to_string();
    for part in [prev_hash, seq.as_str()]
        .into_iter()
        .chain(fields)
        .chain(station)
    {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part.as_bytes());
    }
    crate::core::hex(&hasher.finalize())
}

impl StoreTx<'_> {
    /// Appends an `import` entry (master data, a shop's orders), then commits.
    pub(crate) fn commit_import(
        mut self,
        at: jiff::Timestamp,
        body: &serde_json::Value,
        operator: Option<&str>,
    ) -> Result<i64, StoreError> {
        let seq = self.append(&NewEntry {
            at,
            kind: "import",
            bench: None,
            device: None,
            operator,
            body,
        })?;
        self.commit()?;
        Ok(seq)
    }

    /// Appends one entry, chained to the current head; returns its sequence number.
    pub fn append(&mut self, entry: &NewEntry<'_>) -> Result<i64, StoreError> {
        if self.head.is_none() {
            self.head = self
                .db
                .row(
                    "SELECT seq, hash, at FROM journal ORDER BY seq DESC LIMIT 1",
                    params![],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
        }
        let (prev_seq, prev_hash) = match &self.head {
            Some((seq, hash, _)) => (*seq, hash.clone()),
            None => (0, GENESIS_HASH.to_string()),
        };
        let seq = prev_seq + 1;
        let at = entry.at.to_string();
        let body = entry.body.to_string();
        let hash = entry_hash(
            &prev_hash,
            seq,
            [
                &at,
                entry.kind,
                entry.bench.unwrap_or(""),
                entry.device.unwrap_or(""),
                entry.operator.unwrap_or(""),
                &body,
            ],
            self.station,
        );
        self.db.insert_later("INSERT INTO journal (seq, at, kind, bench, device, operator, body, prev_hash, hash, station)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)", params![
                seq,
                at,
                entry.kind,
                entry.bench,
                entry.device,
                entry.operator,
                body,
                prev_hash,
                hash,
                self.station
            ],
        )?;
        self.head = Some((seq, hash, at));
        Ok(seq)
    }
}

fn read_entry(
    row: &crate::store::sql::Row<'_>,
) -> crate::store::sql::Result<(JournalEntry, String)> {
    let body_text: String = row.get(6)?;
    let body =
        serde_json::from_str(&body_text).unwrap_or(serde_json::Value::String(body_text.clone()));
    Ok((
        JournalEntry {
            seq: row.get(0)?,
            at: row.get(1)?,
            kind: row.get(2)?,
            bench: row.get(3)?,
            device: row.get(4)?,
            operator: row.get(5)?,
            body,
            prev_hash: row.get(7)?,
            hash: row.get(8)?,
            station: row.get(9)?,
        },
        body_text,
    ))
}

const SELECT_ENTRY: &str =
    "SELECT seq, at, kind, bench, device, operator, body, prev_hash, hash, station FROM journal";

impl Store {
    /// One entry of `kind` with its body, alone in its transaction: what the station notes
    /// besides scans and records (a drill, a complaint, a follow-up).
    fn journal_one(
        &mut self,
        kind: &str,
        body: &serde_json::Value,
        at: jiff::Timestamp,
        operator: Option<&str>,
    ) -> Result<i64, StoreError> {
        let mut tx = self.begin()?;
        let seq = tx.append(&NewEntry {
            at,
            kind,
            bench: None,
            device: None,
            operator,
            body,
        })?;
        tx.commit()?;
        Ok(seq)
    }

    /// Journals a recall drill (a mock recall): what was asked, what it found, how long the
    /// answer took. Records are not touched.
    pub fn record_drill(
        &mut self,
        body: &serde_json::Value,
        at: jiff::Timestamp,
        operator: Option<&str>,
    ) -> Result<i64, StoreError> {
        self.journal_one("recall_drill", body, at, operator)
    }

    /// Journals a complaint (an adverse event report): kept with the records, never
    /// edited or removed.
    pub fn record_complaint(
        &mut self,
        complaint: &crate::core::complaint::Complaint,
        at: jiff::Timestamp,
        operator: Option<&str>,
    ) -> Result<i64, StoreError> {
        let body = serde_json::to_value(complaint).expect("a complaint serialises");
        self.journal_one("complaint", &body, at, operator)
    }

    /// Journals what was learned about a complaint later (MoCRA asks a serious adverse
    /// event's new information to reach the FDA for a year): appended to the case, never
    /// editing it. Refused when `complaint` is not a complaint's journal entry.
    pub fn record_follow_up(
        &mut self,
        complaint: i64,
        text: &str,
        at: jiff::Timestamp,
        operator: Option<&str>,
    ) -> Result<i64, StoreError> {
        if !self
            .complaints()?
            .iter()
            .any(|c| c.journal_seq == complaint)
        {
            return Err(StoreError::NotFound(format!(
                "journal entry {complaint} is not a complaint (complaint list shows their entry numbers)"
            )));
        }
        if text.trim().is_empty() {
            return Err(StoreError::Refused("a follow-up needs its text".into()));
        }
        let body = serde_json::json!({ "complaint": complaint, "text": text.trim() });
        self.journal_one("complaint_follow_up", &body, at, operator)
    }

    /// The follow-ups of a complaint, oldest first: (journal entry, at, text).
    pub fn follow_ups(&self, complaint: i64) -> Result<Vec<(i64, String, String)>, StoreError> {
        let entries = self.db.rows(
            &format!("{SELECT_ENTRY} WHERE kind = 'complaint_follow_up' ORDER BY seq"),
            params![],
            |r| read_entry(r).map(|(e, _)| e),
        )?;
        Ok(entries
            .into_iter()
            .filter(|e| e.body["complaint"].as_i64() == Some(complaint))
            .map(|e| {
                let text = e.body["text"].as_str().unwrap_or_default().to_string();
                (e.seq, e.at, text)
            })
            .collect())
    }

    /// Every complaint, oldest first.
    pub fn complaints(&self) -> Result<Vec<crate::core::complaint::ComplaintEntry>, StoreError> {
        let entries = self.db.rows(
            &format!("{SELECT_ENTRY} WHERE kind = 'complaint' ORDER BY seq"),
            params![],
            |r| read_entry(r).map(|(e, _)| e),
        )?;
        entries
            .into_iter()
            .map(|e| {
                let complaint = serde_json::from_value(e.body).map_err(|err| {
                    StoreError::Corrupt(format!(
                        "journal entry {}: not a complaint as recorded: {err}",
                        e.seq
                    ))
                })?;
                Ok(crate::core::complaint::ComplaintEntry {
                    journal_seq: e.seq,
                    at: e.at,
                    complaint,
                })
            })
            .collect()
    }

    /// Every recall drill, oldest first.
    pub fn drills(&self) -> Result<Vec<JournalEntry>, StoreError> {
        Ok(self.db.rows(
            &format!("{SELECT_ENTRY} WHERE kind = 'recall_drill' ORDER BY seq"),
            params![],
            |r| read_entry(r).map(|(e, _)| e),
        )?)
    }

    /// Entries with `seq > after`, oldest first, at most `limit`.
    pub fn journal(&self, after: i64, limit: i64) -> Result<Vec<JournalEntry>, StoreError> {
        Ok(self.db.rows(
            &format!("{SELECT_ENTRY} WHERE seq > $1 ORDER BY seq LIMIT $2"),
            params![after, limit],
            |r| read_entry(r).map(|(e, _)| e),
        )?)
    }

    /// The newest entry's sequence number and hash.
    pub fn head(&self) -> Result<Option<(i64, String)>, StoreError> {
        Ok(self
            .db
            .row(
                "SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1",
                params![],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }

    /// Recomputes the whole chain, runs SQLite's integrity check, checks every record row
    /// against its entry and every head in the witness file against the chain.
    pub fn verify(&self, witness: &std::path::Path) -> Result<VerifyReport, StoreError> {
        // SQLite checks its own pages; PostgreSQL keeps its pages' checksums itself (a
        // damaged page fails the reads below)
        // the database's own check of its pages
        let integrity = self.db.integrity_check()?;
        let mut expected_prev = GENESIS_HASH.to_string();
        let mut expected_seq = 1;
        let mut entries = 0;
        let mut chain_error = None;
        // in pages of entries, so that a long journal is never all in memory at once
        let mut after = 0;
        loop {
            let page = self.db.rows(
                &format!("{SELECT_ENTRY} WHERE seq > $1 ORDER BY seq LIMIT 10000"),
                params![after],
                read_entry,
            )?;
            let Some((last, _)) = page.last() else { break };
            after = last.seq;
            for (entry, body_text) in page {
                entries += 1;
                if chain_error.is_some() {
                    continue;
                }
                let described = format!("entry {} ({} at {})", entry.seq, entry.kind, entry.at);
                if entry.seq != expected_seq {
                    chain_error = Some(if entry.seq > expected_seq {
                        format!(
                            "entries {expected_seq} to {} are missing: the journal jumps to {described}",
                            entry.seq - 1
                        )
                    } else {
                        format!("{described} is out of order")
                    });
                    continue;
                }
                if entry.prev_hash != expected_prev {
                    chain_error = Some(format!(
                        "{described} does not follow entry {}: its previous-hash is {}, the chain says {}",
                        entry.seq - 1,
                        short(&entry.prev_hash),
                        short(&expected_prev)
                    ));
                    continue;
                }
                let recomputed = entry_hash(
                    &entry.prev_hash,
                    entry.seq,
                    [
                        &entry.at,
                        &entry.kind,
                        entry.bench.as_deref().unwrap_or(""),
                        entry.device.as_deref().unwrap_or(""),
                        entry.operator.as_deref().unwrap_or(""),
                        &body_text,
                    ],
                    entry.station.as_deref(),
                );
                if recomputed != entry.hash {
                    chain_error = Some(format!(
                        "{described} was changed after it was written: its content hashes to {}, the journal says {}",
                        short(&recomputed),
                        short(&entry.hash)
                    ));
                    continue;
                }
                expected_prev = entry.hash;
                expected_seq += 1;
            }
        }
        let records = self.crosscheck()?;
        let (witnessed, witness_problems) = self.check_witness(witness, entries)?;
        Ok(VerifyReport {
            entries,
            head_hash: expected_prev,
            chain_error,
            integrity,
            records,
            witness_path: witness.display().to_string(),
            witnessed,
            witness: witness_problems,
        })
    }

    /// Every head in the witness file must be in the journal with the same hash.
    fn check_witness(
        &self,
        path: &std::path::Path,
        entries: i64,
    ) -> Result<(Option<usize>, Vec<String>), StoreError> {
        let (heads, mut problems) = match crate::store::ledger::witness::read(path) {
            Ok(read) => read,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((None, Vec::new())),
            Err(e) => {
                return Ok((
                    None,
                    vec![format!(
                        "the witness {} cannot be read: {e}",
                        path.display()
                    )],
                ));
            }
        };
        let mut cut_reported = false;
        for head in &heads {
            let found: Option<String> = self
                .db
                .row(
                    "SELECT hash FROM journal WHERE seq = $1",
                    params![head.seq],
                    |r| r.get(0),
                )
                .optional()?;
            match found {
                None if !cut_reported => {
                    cut_reported = true;
                    let last = heads.iter().map(|h| h.seq).max().unwrap_or(head.seq);
                    problems.push(format!(
                        "entries {} to {last} are missing: the witness saw entry {} (hash {}) at {}, the journal ends at entry {entries}; its tail was cut",
                        entries + 1,
                        head.seq,
                        short(&head.hash),
                        head.at
                    ));
                }
                None => {}
                Some(hash) if hash != head.hash => problems.push(format!(
                    "entry {} is not the one witnessed at {} (line {}): its hash is {}, the witness saw {}",
                    head.seq,
                    head.at,
                    head.line,
                    short(&hash),
                    short(&head.hash)
                )),
                Some(_) => {}
            }
        }
        Ok((Some(heads.len()), problems))
    }
}

fn short(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}
