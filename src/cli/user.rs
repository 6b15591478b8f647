//! `lotstation user add|list|remove|passwd`: the accounts people sign in to the console with.

use std::io::{BufRead, IsTerminal, Write};

use clap::Subcommand;

use crate::core::account::{self, Role};
use crate::store::Location;

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add an account: an owner may do everything in the console, a clerk works benches,
    /// traces, sees stock and may hold (no master data, no real recall)
    Add {
        name: String,
        /// owner or clerk
        #[arg(long)]
        role: String,
        /// read the password from standard input (one line) instead of asking for it
        #[arg(long)]
        password_stdin: bool,
    },
    /// The accounts, their roles and when they were added
    List,
    /// Remove an account (the last owner stays)
    Remove { name: String },
    /// Give an account a new password
    Passwd {
        name: String,
        /// read the password from standard input (one line) instead of asking for it
        #[arg(long)]
        password_stdin: bool,
    },
}

pub fn user(
    db: &Location,
    station: &crate::config::Station,
    command: UserCommand,
) -> anyhow::Result<i32> {
    let now = crate::clock::now();
    match command {
        UserCommand::Add {
            name,
            role,
            password_stdin,
        } => {
            account::check_name(&name).map_err(anyhow::Error::msg)?;
            let role = Role::parse(&role)
                .ok_or_else(|| anyhow::anyhow!("--role {role:?}: owner or clerk"))?;
            let password = password(password_stdin, &name)?;
            let hash = crate::accounts::hash(&password)?;
            let mut store = super::open_store(db, station)?;
            store.add_account(&name, role, &hash, now, None)?;
            say!(
                "account {name} added ({}): it signs in at the station's /login",
                role.name()
            );
        }
        UserCommand::List => {
            let store = super::open_store(db, station)?;
            let accounts = store.accounts()?;
            if accounts.is_empty() {
                say!(
                    "no accounts: the console is open to anyone who reaches it (lotstation user add NAME --role owner)"
                );
            }
            for a in accounts {
                say!("{:<20} {:<6} added {}", a.name, a.role.name(), a.added_at);
            }
        }
        UserCommand::Remove { name } => {
            let mut store = super::open_store(db, station)?;
            store.remove_account(&name, now, None)?;
            say!("account {name} removed");
        }
        UserCommand::Passwd {
            name,
            password_stdin,
        } => {
            let password = password(password_stdin, &name)?;
            let hash = crate::accounts::hash(&password)?;
            let mut store = super::open_store(db, station)?;
            store.set_account_password(&name, &hash, now, None)?;
            say!("account {name} has a new password");
        }
    }
    Ok(0)
}

/// The password: a line of standard input (`--password-stdin`), or asked twice at the
/// terminal without showing it.
fn password(from_stdin: bool, name: &str) -> anyhow::Result<String> {
    let stdin = std::io::stdin();
    let password = if from_stdin {
        let mut line = String::new();
        stdin.lock().read_line(&mut line)?;
        line.trim_end_matches(['\n', '\r']).to_string()
    } else if stdin.is_terminal() {
        let first = ask(&format!("password for {name}: "))?;
        let again = ask("the same again: ")?;
        anyhow::ensure!(first == again, "the two passwords differ: nothing changed");
        first
    } else {
        anyhow::bail!("give the password on standard input with --password-stdin");
    };
    account::check_password(&password).map_err(anyhow::Error::msg)?;
    Ok(password)
}

/// One line from the terminal with its echo off.
fn ask(prompt: &str) -> anyhow::Result<String> {
    use rustix::termios::{LocalModes, OptionalActions, tcgetattr, tcsetattr};
    let stdin = std::io::stdin();
    eprint!("{prompt}");
    std::io::stderr().flush()?;
    let saved = tcgetattr(&stdin)?;
    let mut quiet = saved.clone();
    quiet.local_modes.remove(LocalModes::ECHO);
    tcsetattr(&stdin, OptionalActions::Now, &quiet)?;
    let mut line = String::new();
    let read = stdin.lock().read_line(&mut line);
    tcsetattr(&stdin, OptionalActions::Now, &saved)?;
    eprintln!();
    read?;
    Ok(line.trim_end_matches(['\n', '\r']).to_string())
}
