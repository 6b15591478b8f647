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
                    url.parts()?;
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
            Location::Sqlite(path) => witness_beside_file(path),
            Location::Postgres(url) => {
                let parts = url.parts().ok();
                let host = parts
                    .as_ref()
                    .map(|p| match p.host.rsplit_once('/') {
                        // a Unix socket's folder: its last name
                        Some((_, last)) if p.host.starts_with('/') => last.to_string(),
                        _ => p.host.clone(),
                    })
                    .filter(|h| !h.is_empty())
                    .unwrap_or_else(|| "localhost".into());
                let db = parts
                    .map(|p| p.database)
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

/// `shop.db` → `shop.db-witness`: where a SQLite file's witness is kept.
pub fn witness_beside_file(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push("-witness");
    PathBuf::from(name)
}

/// A PostgreSQL address in parts, as lotstation reads it to check it and to name its
/// witness; the client reads the address itself when it connects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlParts {
    pub user: String,
    /// a host name, or a Unix socket's folder (`?host=/var/run/postgresql`); "" for none
    pub host: String,
    pub port: Option<u16>,
    pub database: String,
}

impl PgUrl {
    /// The address as written, password and all (for the client only; shown, it is
    /// `Display`, without the password).
    pub fn as_str(&self) -> &str {
        &self.url
    }

    /// `postgresql://user[:password]@host[:port]/database[?host=…&…]` in parts: a user and a
    /// database are needed, a port is a number.
    pub fn parts(&self) -> Result<UrlParts, String> {
        let (_, rest) = self
            .url
            .split_once("://")
            .ok_or_else(|| format!("database {self}: not a PostgreSQL address"))?;
        let (head, query) = rest.split_once('?').unwrap_or((rest, ""));
        let (authority, database) = head.split_once('/').unwrap_or((head, ""));
        let (user, hostport) = match authority.rsplit_once('@') {
            Some((user, hostport)) => (user.split_once(':').map_or(user, |(u, _)| u), hostport),
            None => ("", authority),
        };
        // `[::1]:5432` for an IPv6 address, else `host:5432`
        let (host, port) = match hostport.strip_prefix('[') {
            Some(bracketed) => match bracketed.split_once(']') {
                Some((host, tail)) => (host, tail.strip_prefix(':')),
                None => (bracketed, None),
            },
            None => match hostport.rsplit_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (hostport, None),
            },
        };
        let port = match port {
            Some(port) => Some(port.parse::<u16>().map_err(|_| {
                format!(
                    "database {self}: not a PostgreSQL address (the port {port:?} is not a number)"
                )
            })?),
            None => None,
        };
        let mut host = host.to_string();
        let mut user = user.to_string();
        let mut database = database.to_string();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            match pair.split_once('=') {
                Some(("host", value)) => host = value.to_string(),
                Some(("user", value)) => user = value.to_string(),
                Some(("dbname", value)) => database = value.to_string(),
                _ => {}
            }
        }
        if database.is_empty() {
            return Err(format!(
                "database {self}: name the database (postgresql://user@host/database)"
            ));
        }
        if user.is_empty() {
            return Err(format!(
                "database {self}: name the user (postgresql://user@host/database)"
            ));
        }
        Ok(UrlParts {
            user,
            host,
            port,
            database,
        })
    }

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
}
