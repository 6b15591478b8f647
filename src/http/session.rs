//! Who is signed in to the console: sessions kept in the station's memory (a restart signs
//! everyone out), each with its account, role, a CSRF token its forms carry, and an end;
//! and the failed sign-ins per name and per address that slow a guesser down.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use argon2::password_hash::rand_core::{OsRng, RngCore};

use crate::core::account::Role;

/// The cookie a session travels in.
pub const COOKIE: &str = "lotstation_session";
/// The cookie the sign-in form's token is doubled in (no session yet to hold it).
pub const LOGIN_COOKIE: &str = "lotstation_login";

/// Failed sign-ins allowed per name in `WINDOW`, and per address.
pub const FAILURES_PER_NAME: usize = 5;
pub const FAILURES_PER_ADDRESS: usize = 20;
pub const WINDOW: Duration = Duration::from_secs(15 * 60);

/// One signed-in person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub name: String,
    pub role: Role,
    /// what every form and every change sent by the page carries back
    pub csrf: String,
    ends: Instant,
}

#[derive(Debug, Default)]
struct Inner {
    sessions: HashMap<String, Session>,
    failures: HashMap<String, VecDeque<Instant>>,
}

/// The sessions and failed sign-ins, shared by the server's tasks.
#[derive(Debug)]
pub struct Sessions {
    inner: Mutex<Inner>,
    /// how long a session lasts
    pub length: Duration,
}

/// 32 random bytes as hex: a session's key or a form's token.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Sessions {
    pub fn new(length: Duration) -> Sessions {
        Sessions {
            inner: Mutex::new(Inner::default()),
            length,
        }
    }

    fn inner(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Signs `name` in: the session's key (the cookie's value) and the session.
    pub fn start(&self, name: &str, role: Role, now: Instant) -> (String, Session) {
        let key = random_token();
        let session = Session {
            name: name.to_string(),
            role,
            csrf: random_token(),
            ends: now + self.length,
        };
        let mut inner = self.inner();
        // sessions that ended go as new ones start
        inner.sessions.retain(|_, s| s.ends > now);
        inner.sessions.insert(key.clone(), session.clone());
        (key, session)
    }

    /// The session with this key, while it lasts.
    pub fn get(&self, key: &str, now: Instant) -> Option<Session> {
        let mut inner = self.inner();
        match inner.sessions.get(key) {
            Some(s) if s.ends > now => Some(s.clone()),
            Some(_) => {
                inner.sessions.remove(key);
                None
            }
            None => None,
        }
    }

    pub fn end(&self, key: &str) {
        self.inner().sessions.remove(key);
    }

    /// Every session of an account ends (it was removed, or its password changed).
    pub fn end_all_of(&self, name: &str) {
        self.inner().sessions.retain(|_, s| s.name != name);
    }

    /// How long until a sign-in for `name` from `address` may be tried again, if it may not
    /// now.
    pub fn blocked(&self, name: &str, address: &str, now: Instant) -> Option<Duration> {
        let mut inner = self.inner();
        let mut wait = None;
        for (key, limit) in [
            (format!("name:{}", name.to_lowercase()), FAILURES_PER_NAME),
            (format!("address:{address}"), FAILURES_PER_ADDRESS),
        ] {
            let Some(times) = inner.failures.get_mut(&key) else {
                continue;
            };
            while times
                .front()
                .is_some_and(|t| now.duration_since(*t) >= WINDOW)
            {
                times.pop_front();
            }
            if times.len() >= limit
                && let Some(first) = times.front()
            {
                let left = WINDOW.saturating_sub(now.duration_since(*first));
                wait = Some(wait.map_or(left, |w: Duration| w.max(left)));
            }
        }
        wait
    }

    /// A failed sign-in, counted against the name and the address.
    pub fn failed(&self, name: &str, address: &str, now: Instant) {
        let mut inner = self.inner();
        for key in [
            format!("name:{}", name.to_lowercase()),
            format!("address:{address}"),
        ] {
            inner.failures.entry(key).or_default().push_back(now);
        }
    }
}

/// A cookie's value in a request's `Cookie` headers.
pub fn cookie<'h>(headers: &'h axum::http::HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_end_and_guessers_wait() {
        let sessions = Sessions::new(Duration::from_secs(3600));
        let t0 = Instant::now();
        let (key, session) = sessions.start("rosa", Role::Owner, t0);
        assert_eq!(key.len(), 64);
        assert_ne!(session.csrf, key);
        assert_eq!(
            sessions.get(&key, t0 + Duration::from_secs(10)),
            Some(session)
        );
        // an hour later the session is over
        assert_eq!(sessions.get(&key, t0 + Duration::from_secs(3601)), None);
        assert_eq!(sessions.get(&key, t0), None, "and gone");
        // five wrong passwords for a name block it for the rest of the quarter hour
        for i in 0..FAILURES_PER_NAME {
            assert!(sessions.blocked("ana", "10.0.0.7", t0).is_none(), "{i}");
            sessions.failed("Ana", "10.0.0.7", t0);
        }
        let wait = sessions.blocked("ana", "10.0.0.8", t0 + Duration::from_secs(60));
        assert_eq!(wait, Some(WINDOW - Duration::from_secs(60)));
        assert!(
            sessions.blocked("rosa", "10.0.0.8", t0).is_none(),
            "another name"
        );
        assert!(
            sessions.blocked("ana", "10.0.0.7", t0 + WINDOW).is_none(),
            "later"
        );
        // an account removed ends its sessions
        let (key, _) = sessions.start("ana", Role::Clerk, t0);
        sessions.end_all_of("ana");
        assert_eq!(sessions.get(&key, t0), None);
    }
}
