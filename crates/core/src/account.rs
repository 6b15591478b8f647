//! The people who use the console: an account's name, its role, and the rules for both.
//! An owner may do everything; a clerk works the benches, traces, sees stock and may hold,
//! and changes no master data and starts no real recall. Passwords are hashed by the
//! application (Argon2id); nothing here sees one.

/// What an account may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Owner,
    Clerk,
}

impl Role {
    pub fn parse(text: &str) -> Option<Role> {
        match text.trim().to_ascii_lowercase().as_str() {
            "owner" => Some(Role::Owner),
            "clerk" => Some(Role::Clerk),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Clerk => "clerk",
        }
    }
}

/// An account's name: 1 to 32 letters, digits, `.`, `-` or `_` (it is journaled as the
/// operator of what the account does, and typed at the login page).
pub fn check_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.chars().count() <= 32
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if name.eq_ignore_ascii_case("http") {
        // what the station's token does is journaled under this name
        Err("account name \"http\" names the station's [http] token in the journal: choose another (e.g. rosa)".into())
    } else if ok {
        Ok(())
    } else {
        Err(format!(
            "account name {name:?}: 1 to 32 letters, digits, '.', '-' or '_' (e.g. rosa)"
        ))
    }
}

/// A password long enough to be one: at least 10 characters, at most 200.
pub fn check_password(password: &str) -> Result<(), String> {
    let n = password.chars().count();
    if n < 10 {
        return Err(format!(
            "the password has {n} characters: give at least 10 (a few words make a good one)"
        ));
    }
    if n > 200 {
        return Err("the password is longer than 200 characters".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_roles_and_passwords() {
        assert_eq!(Role::parse("Owner"), Some(Role::Owner));
        assert_eq!(Role::parse("clerk"), Some(Role::Clerk));
        assert_eq!(Role::parse("admin"), None);
        assert!(check_name("rosa").is_ok());
        assert!(check_name("ana.ruiz-2").is_ok());
        assert!(check_name("").is_err());
        assert!(check_name("<script>").is_err());
        assert!(check_name(&"x".repeat(33)).is_err());
        // the token's name in the journal is not an account's
        assert!(
            check_name("HTTP")
                .unwrap_err()
                .contains("station's [http] token")
        );
        assert!(check_password("short").unwrap_err().contains("at least 10"));
        assert!(check_password("lavender fields").is_ok());
    }
}
