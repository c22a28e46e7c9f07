//! `.gitignore` and `.ignore` files as anyone can commit them: reading the
//! rules never panics, and matching any path under their folder answers.
#![no_main]

use std::path::Path;

use gloss::workspace::ignore_rules;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (&str, Vec<(&str, bool)>)| {
    let (text, paths) = input;
    let dir = Path::new("/vault/notes");
    if let Some(rules) = ignore_rules(dir, text) {
        for (path, is_dir) in paths {
            let _ = rules.matched(dir.join(path.trim_start_matches('/')), is_dir);
        }
    }
});
