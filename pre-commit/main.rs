//! `gloss-hook`: gloss's command line under the name the pre-commit hook
//! installs (`.pre-commit-hooks.yaml`). pre-commit's Rust support runs
//! `cargo install --path .` at the repository's root, so the root manifest
//! is this small package as well as the workspace; its binary is not called
//! `gloss`, which would collide with the server crate's in `target/`.

fn main() {
    std::process::exit(gloss::cli::main())
}
