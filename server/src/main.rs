fn main() {
    std::process::exit(gloss::cli::main())
}
