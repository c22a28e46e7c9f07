//! `gloss.toml` as anyone can commit it: parsing never panics, and a
//! configuration that parses answers every question about paths and codes.
#![no_main]

use gloss::workspace::{Code, Config};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (&str, Vec<&str>)| {
    let (text, paths) = input;
    match Config::parse(text) {
        Ok(config) => {
            for path in paths {
                let _ = config.includes(path);
                let _ = config.ignore_targets.is_match(path);
            }
            for code in Code::ALL {
                let _ = config.severity(code);
            }
        }
        Err((range, _)) => {
            if let Some(range) = range {
                assert!(range.start <= range.end && range.end <= text.len());
            }
        }
    }
});
