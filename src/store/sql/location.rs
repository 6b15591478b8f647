//! Where the records are, named by one string: a path (a SQLite file, one station) or
//! `postgresql://user[:password]@host[:port]/database` (also `postgres://`; one PostgreSQL
//! database several stations share). The password may also come from `PGPASSWORD` or
//! `~/.pgpass`, as for `psql`.

use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    Sqlite(PathBuf),
    Postgres(PgUrl),
}

/// A PostgreSQL address as given; shown without its password.
#[derive(Clone, PartialEq, Eq)]
pub struct PgUrl {
    url: String,
}

impl std::fmt::Debug for PgUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self}")
    }
}

impl std::fmt::Display for PgUrl {
    /// `postgresql://user@host:port/db`, never the password
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (scheme, rest) = self
            .url
            .split_once("://")
            .unwrap_or(("postgresql", &self.url));
        let (authority, tail) = rest.split_once('/').unwrap_or((rest, ""));
        let authority = match authority.rsplit_once('@') {
            Some((user, host)) => {
                let user = user.split_once(':').map_or(user, |(u, _)| u);
                format!("{user}@{host}")
            }
            None => authority.to_string(),
        };
        write!(f, "{scheme}://{authority}/{tail}")
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::Sqlite(path) => write!(f, "{}", path.display()),
            Location::Postgres(url) => write!(f, "{url}"),
        }
    }
}

impl Location {
    /// A path, or a `postgresql://` / `postgres://` address. Any other `scheme://` is
    /// refused rather than taken for a folder name.
    pub fn parse(text: &str) -> Result<Location, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err(
                "the database is empty: give a file path or a postgresql:// address".into(),
            );
        }
        if let Some((scheme, _)) = text.split_once("://") {
            return match scheme.to_ascii_lowercase().as_str() {
                "postgresql" | "postgres" => {
                    let url = PgUrl {
                        url: text.to_string(),
                    };
                    url.config()?;
                    Ok(Location::Postgres(url))
                }
                other => Err(format!(
                    "database {text:?}: {other}:// is not a database lotstation speaks (a file path for SQLite, or postgresql://user@host/database)"
                )),
            };
        }
        if text.starts_with("postgresql:") || text.starts_with("postgres:") {
            return Err(format!(
                "database {text:?}: a PostgreSQL address is written postgresql://user@host/database"
            ));
        }
        Ok(Location::Sqlite(PathBuf::from(text)))
    }

    pub fn sqlite(path: impl Into<PathBuf>) -> Location {
        Location::Sqlite(path.into())
    }

    /// The SQLite file, if this is one.
    pub fn path(&self) -> Option<&Path> {
        match self {
            Location::Sqlite(path) => Some(path),
            Location::Postgres(_) => None,
        }
    }

    /// The witness file a store opened here writes without being told: beside a SQLite
    /// file; none for PostgreSQL, whose stations name theirs (`[station] witness`, else
    /// `default_witness` in the station's working directory).
    pub fn witness_beside(&self) -> Option<PathBuf> {
        match self {
            Location::Sqlite(_) => Some(self.default_witness()),
            Location::Postgres(_) => None,
        }
    }

    /// The witness file a database has unless the configuration names another: beside a
    /// SQLite file; for PostgreSQL, in the working directory (the service's state
    /// directory), named after the server and database.
    pub fn default_witness(&self) -> PathBuf {
        match self {
            Location::Sqlite(path) => crate::store::ledger::witness::Witness::default_path(path),
            Location::Postgres(url) => {
                let config = url.config().ok();
                let host = config
                    .as_ref()
                    .and_then(|c| c.get_hosts().first().cloned())
                    .map(|h| match h {
                        tokio_postgres::config::Host::Tcp(name) => name,
                        tokio_postgres::config::Host::Unix(path) => path
                            .file_name()
                            .map(|n| n.to_string_lossy().into_owned())
                            .unwrap_or_else(|| "socket".into()),
                    })
                    .unwrap_or_else(|| "localhost".into());
                let db = config
                    .as_ref()
                    .and_then(|c| c.get_dbname().map(str::to_string))
                    .unwrap_or_else(|| "lotstation".into());
                let clean = |s: &str| {
                    s.chars()
                        .map(|c| {
                            if c.is_ascii_alphanumeric() || c == '.' {
                                c
                            } else {
                                '_'
                            }
                        })
                        .collect::<String>()
                };
                PathBuf::from(format!("{}-{}-witness", clean(&host), clean(&db)))
            }
        }
    }
}

impl PgUrl {
    /// The same server, role and options, another database.
    pub fn with_database(&self, database: &str) -> PgUrl {
        let (head, query) = match self.url.split_once('?') {
            Some((head, query)) => (head, format!("?{query}")),
            None => (self.url.as_str(), String::new()),
        };
        let (scheme, rest) = head.split_once("://").unwrap_or(("postgresql", head));
        let authority = rest.split_once('/').map_or(rest, |(a, _)| a);
        PgUrl {
            url: format!("{scheme}://{authority}/{database}{query}"),
        }
    }

    /// The connection settings: the address's, with the password from `PGPASSWORD` or
    /// `~/.pgpass` when the address has none, a 5 s connect timeout and TCP keepalives.
    pub(crate) fn config(&self) -> Result<tokio_postgres::Config, String> {
        let mut config: tokio_postgres::Config = self
            .url
            .parse()
            .map_err(|e| format!("database {self}: not a PostgreSQL address ({e})"))?;
        if config.get_dbname().is_none() {
            return Err(format!(
                "database {self}: name the database (postgresql://user@host/database)"
            ));
        }
        if config.get_user().is_none() {
            return Err(format!(
                "database {self}: name the user (postgresql://user@host/database)"
            ));
        }
        if config.get_hosts().is_empty() {
            config.host("localhost");
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(std::time::Duration::from_secs(5));
        }
        config.keepalives(true);
        config.keepalives_idle(std::time::Duration::from_secs(10));
        config.application_name("lotstation");
        if config.get_password().is_none()
            && let Some(password) = self.password_from_environment(&config)
        {
            config.password(password);
        }
        Ok(config)
    }

    fn password_from_environment(&self, config: &tokio_postgres::Config) -> Option<String> {
        if let Ok(password) = std::env::var("PGPASSWORD") {
            return Some(password);
        }
        let file = std::env::var_os("PGPASSFILE")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".pgpass")))?;
        let text = std::fs::read_to_string(file).ok()?;
        let host = match config.get_hosts().first()? {
            tokio_postgres::config::Host::Tcp(name) => name.clone(),
            tokio_postgres::config::Host::Unix(_) => "localhost".to_string(),
        };
        let port = config
            .get_ports()
            .first()
            .copied()
            .unwrap_or(5432)
            .to_string();
        let wanted = [
            host.as_str(),
            port.as_str(),
            config.get_dbname()?,
            config.get_user()?,
        ];
        pgpass_lookup(&text, wanted)
    }
}

/// The password of the first `host:port:database:user:password` line that matches (`*`
/// matches anything; `\:` and `\\` are escapes), as libpq reads `~/.pgpass`.
fn pgpass_lookup(text: &str, wanted: [&str; 4]) -> Option<String> {
    for line in text.lines() {
        if line.trim_start().starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let mut fields = Vec::new();
        let mut field = String::new();
        let mut chars = line.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => field.extend(chars.next()),
                ':' if fields.len() < 4 => fields.push(std::mem::take(&mut field)),
                _ => field.push(c),
            }
        }
        fields.push(field);
        if fields.len() == 5
            && fields[..4]
                .iter()
                .zip(wanted)
                .all(|(have, want)| have == "*" || have == want)
        {
            return Some(fields[4].clone());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_or_a_postgresql_address() {
        assert_eq!(
            Location::parse("records/shop.db").unwrap(),
            Location::Sqlite(PathBuf::from("records/shop.db"))
        );
        let pg = Location::parse("postgresql://shop:secret@db.local:5433/lots").unwrap();
        assert_eq!(pg.to_string(), "postgresql://shop@db.local:5433/lots");
        assert!(Location::parse("postgres://shop@localhost/lots").is_ok());
        let refused = Location::parse("mysql://shop@localhost/lots").unwrap_err();
        assert!(
            refused.contains("not a database lotstation speaks"),
            "{refused}"
        );
        let refused = Location::parse("postgresql:lots").unwrap_err();
        assert!(refused.contains("postgresql://"), "{refused}");
        let Location::Postgres(url) = pg else {
            panic!("postgres")
        };
        assert_eq!(
            url.with_database("other").to_string(),
            "postgresql://shop@db.local:5433/other"
        );
        let refused = Location::parse("postgresql://shop@localhost").unwrap_err();
        assert!(refused.contains("name the database"), "{refused}");
    }

    #[test]
    fn pgpass_lines_as_libpq_reads_them() {
        let text = "# comment\nother:5432:lots:shop:no\n*:5432:lots:shop:pa\\:ss\n";
        assert_eq!(
            pgpass_lookup(text, ["db.local", "5432", "lots", "shop"]).as_deref(),
            Some("pa:ss")
        );
        assert_eq!(
            pgpass_lookup(text, ["db.local", "5433", "lots", "shop"]),
            None
        );
    }
}
