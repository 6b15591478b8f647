//! Writes the man pages and shell completions the Debian package installs, generated from
//! the command line's own definition (so they cannot drift from it):
//! `cargo run --example package_docs -- OUTDIR` → `OUTDIR/man/lotstation*.1`,
//! `OUTDIR/completions/{lotstation.bash,_lotstation,lotstation.fish}`.

use clap::CommandFactory;

fn main() -> std::io::Result<()> {
    let out = std::path::PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "target/package-docs".into()),
    );
    let man = out.join("man");
    let completions = out.join("completions");
    std::fs::create_dir_all(&man)?;
    std::fs::create_dir_all(&completions)?;
    let command = lotstation::cli::Cli::command();
    // lotstation.1 and one page per subcommand (lotstation-trace.1, …)
    clap_mangen::generate_to(command.clone(), &man)?;
    for (shell, file) in [
        (clap_complete::Shell::Bash, "lotstation.bash"),
        (clap_complete::Shell::Zsh, "_lotstation"),
        (clap_complete::Shell::Fish, "lotstation.fish"),
    ] {
        let mut text = Vec::new();
        clap_complete::generate(shell, &mut command.clone(), "lotstation", &mut text);
        std::fs::write(completions.join(file), text)?;
    }
    Ok(())
}
