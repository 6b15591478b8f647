//! The console's accounts: one row each (its name, role and Argon2id hash), changed in the
//! transaction that journals the change (`account` entries: who was added, removed or got a
//! new password, and by whom; never a hash).

use crate::core::account::Role;
use crate::store::sql::{Optional, params};
use crate::store::{NewEntry, Store, StoreError};

/// An account as `user list` shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Account {
    pub name: String,
    pub role: Role,
    pub added_at: String,
}

fn role(text: String) -> Role {
    Role::parse(&text).unwrap_or(Role::Clerk)
}

impl Store {
    /// Every account, by name.
    pub fn accounts(&self) -> Result<Vec<Account>, StoreError> {
        Ok(self.db.rows(
            "SELECT name, role, added_at FROM users ORDER BY name",
            params![],
            |r| {
                Ok(Account {
                    name: r.get(0)?,
                    role: role(r.get(1)?),
                    added_at: r.get(2)?,
                })
            },
        )?)
    }

    /// Whether the station has any account (with none, the console is open as before).
    pub fn has_accounts(&self) -> Result<bool, StoreError> {
        let n: i64 = self
            .db
            .row("SELECT COUNT(*) FROM users", params![], |r| r.get(0))?;
        Ok(n > 0)
    }

    /// An account's role and password hash, for a login.
    pub fn account_login(&self, name: &str) -> Result<Option<(Role, String)>, StoreError> {
        Ok(self
            .db
            .row(
                "SELECT role, password_hash FROM users WHERE name = $1",
                params![name],
                |r| Ok((role(r.get(0)?), r.get(1)?)),
            )
            .optional()?)
    }

    /// Adds an account; a name taken is refused.
    pub fn add_account(
        &mut self,
        name: &str,
        role: Role,
        hash: &str,
        at: jiff::Timestamp,
        by: Option<&str>,
    ) -> Result<i64, StoreError> {
        if self.account_login(name)?.is_some() {
            return Err(StoreError::Refused(format!(
                "there is an account {name} already (lotstation user passwd {name} changes its password)"
            )));
        }
        let mut tx = self.begin()?;
        tx.db.execute(
            "INSERT INTO users (name, role, password_hash, added_at) VALUES ($1, $2, $3, $4)",
            params![name, role.name(), hash, at.to_string()],
        )?;
        let body = serde_json::json!({"action": "added", "name": name, "role": role.name()});
        let seq = tx.append(&account_entry(at, by, &body))?;
        tx.commit()?;
        Ok(seq)
    }

    /// Removes an account; the last owner stays (nobody could run the shop's console).
    pub fn remove_account(
        &mut self,
        name: &str,
        at: jiff::Timestamp,
        by: Option<&str>,
    ) -> Result<i64, StoreError> {
        let Some((was, _)) = self.account_login(name)? else {
            return Err(StoreError::NotFound(format!("no account is named {name}")));
        };
        let owners = self
            .accounts()?
            .iter()
            .filter(|a| a.role == Role::Owner)
            .count();
        if was == Role::Owner && owners == 1 {
            return Err(StoreError::Refused(format!(
                "{name} is the last owner: add another owner first"
            )));
        }
        let mut tx = self.begin()?;
        tx.db
            .execute("DELETE FROM users WHERE name = $1", params![name])?;
        let body = serde_json::json!({"action": "removed", "name": name});
        let seq = tx.append(&account_entry(at, by, &body))?;
        tx.commit()?;
        Ok(seq)
    }

    /// Gives an account a new password.
    pub fn set_account_password(
        &mut self,
        name: &str,
        hash: &str,
        at: jiff::Timestamp,
        by: Option<&str>,
    ) -> Result<i64, StoreError> {
        if self.account_login(name)?.is_none() {
            return Err(StoreError::NotFound(format!("no account is named {name}")));
        }
        let mut tx = self.begin()?;
        tx.db.execute(
            "UPDATE users SET password_hash = $1 WHERE name = $2",
            params![hash, name],
        )?;
        let body = serde_json::json!({"action": "password changed", "name": name});
        let seq = tx.append(&account_entry(at, by, &body))?;
        tx.commit()?;
        Ok(seq)
    }
}

fn account_entry<'a>(
    at: jiff::Timestamp,
    by: Option<&'a str>,
    body: &'a serde_json::Value,
) -> NewEntry<'a> {
    NewEntry {
        at,
        kind: "account",
        bench: None,
        device: None,
        operator: by,
        body,
    }
}
