//! Settings the editor sends (`initializationOptions`, and
//! `workspace/didChangeConfiguration` under the `gloss` key):
//!
//! ```json
//! { "hover": { "mentions": true, "abstract": false },
//!   "hints": { "citations": true },
//!   "severity": { "broken-link": "warning" } }
//! ```
//!
//! Severities here override `gloss.toml` in the editor only; CI keeps what
//! the repository says.

use std::collections::HashMap;

use serde::Deserialize;

use crate::ide::{Code, HoverConfig, Severity};
use crate::workspace::Config;

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct Settings {
    hover: HoverSettings,
    severity: HashMap<String, String>,
    baseline: BaselineSettings,
    hints: HintSettings,
    /// The persistent index cache (default on).
    cache: Option<bool>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
struct HintSettings {
    /// `Kaplan et al. 2020` after citation keys and titles (default on).
    citations: Option<bool>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
struct BaselineSettings {
    /// How diagnostics the baseline holds are shown: "hint" (the default),
    /// "info", "warning", "error" (as any other) or "off".
    severity: Option<String>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
struct HoverSettings {
    mentions: Option<bool>,
    #[serde(rename = "abstract")]
    abstracts: Option<bool>,
}

impl Settings {
    /// Reads settings from a JSON value, either bare or under `gloss`.
    /// Anything unreadable is ignored: an editor's typo must not stop the
    /// server.
    pub fn from_json(value: Option<serde_json::Value>) -> Settings {
        let Some(value) = value else {
            return Settings::default();
        };
        let value = value.get("gloss").cloned().unwrap_or(value);
        serde_json::from_value(value).unwrap_or_default()
    }

    pub fn hover(&self) -> HoverConfig {
        let default = HoverConfig::default();
        HoverConfig {
            mentions: self.hover.mentions.unwrap_or(default.mentions),
            abstracts: self.hover.abstracts.unwrap_or(default.abstracts),
            problems: default.problems,
        }
    }

    /// Whether notes are parsed through the persistent index cache.
    pub fn cache(&self) -> bool {
        self.cache.unwrap_or(true)
    }

    /// Whether inlay hints name the authors and year of cited papers.
    pub fn citation_hints(&self) -> bool {
        self.hints.citations.unwrap_or(true)
    }

    /// The severity at least which diagnostics in the baseline are shown;
    /// `None`: not shown.
    pub fn baseline_severity(&self) -> Option<Severity> {
        match self.baseline.severity.as_deref() {
            Some("error") => Some(Severity::Error),
            Some("warning") => Some(Severity::Warning),
            Some("info") => Some(Severity::Info),
            Some("off") => None,
            _ => Some(Severity::Hint),
        }
    }

    /// Applies the severity overrides to a workspace's configuration.
    pub fn apply(&self, config: &mut Config) {
        for (name, level) in &self.severity {
            let Some(code) = Code::from_name(name) else {
                continue;
            };
            let severity = match level.as_str() {
                "error" => Some(Severity::Error),
                "warning" => Some(Severity::Warning),
                "info" => Some(Severity::Info),
                "hint" => Some(Severity::Hint),
                "off" => None,
                _ => continue,
            };
            config.set_severity(code, severity);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_bare_or_nested_and_ignores_junk() {
        let s = Settings::from_json(Some(
            serde_json::json!({"gloss": {"hover": {"mentions": false, "abstract": true}}}),
        ));
        assert_eq!(
            s.hover(),
            HoverConfig {
                mentions: false,
                abstracts: true,
                problems: true
            }
        );
        let s = Settings::from_json(Some(
            serde_json::json!({"severity": {"broken-link": "off", "nonsense": "error"}}),
        ));
        let mut config = Config::default();
        s.apply(&mut config);
        assert_eq!(config.severity(Code::BrokenLink), None);
        assert_eq!(
            Settings::from_json(Some(serde_json::json!(42))).hover(),
            HoverConfig::default()
        );
    }
}
