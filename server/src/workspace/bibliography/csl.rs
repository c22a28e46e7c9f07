//! References in a real citation style, through hayagriva's CSL engine and
//! its bundled styles and locales. Entries are converted when shown, not
//! when loaded: most of a large bibliography is never hovered.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use hayagriva::archive::{locales, ArchivedStyle};
use hayagriva::citationberg::{IndependentStyle, Locale, Style};
use hayagriva::{
    BibliographyDriver, BibliographyRequest, BufWriteFormat, CitationItem, CitationRequest,
};

use super::{BibEntry, BibFormat};

pub const DEFAULT_STYLE: &str = "apa";

fn locale_files() -> &'static [Locale] {
    static LOCALES: OnceLock<Vec<Locale>> = OnceLock::new();
    LOCALES.get_or_init(locales)
}

/// The bundled style called `name` (`apa`, `ieee`, `chicago-author-date`,
/// `modern-language-association`, …), parsed once.
pub fn style(name: &str) -> Option<Arc<IndependentStyle>> {
    static STYLES: OnceLock<Mutex<HashMap<String, Option<Arc<IndependentStyle>>>>> =
        OnceLock::new();
    let styles = STYLES.get_or_init(|| Mutex::new(HashMap::new()));
    let mut styles = styles.lock().unwrap_or_else(|e| e.into_inner());
    styles
        .entry(name.to_string())
        .or_insert_with(|| match ArchivedStyle::by_name(name)?.get() {
            Style::Independent(style) => Some(Arc::new(style)),
            Style::Dependent(_) => None,
        })
        .clone()
}

/// Renders one entry as a bibliography item. A macro because hayagriva does
/// not export the trait that its two entry types share.
macro_rules! render {
    ($entry:expr, $style:expr) => {{
        let mut driver = BibliographyDriver::new();
        let locales = locale_files();
        driver.citation(CitationRequest::from_items(
            vec![CitationItem::with_entry($entry)],
            $style,
            locales,
        ));
        let rendered = driver.finish(BibliographyRequest::new($style, None, locales));
        rendered
            .bibliography
            .and_then(|b| b.items.into_iter().next())
            .and_then(|item| {
                let mut out = String::new();
                item.content
                    .write_buf(&mut out, BufWriteFormat::Plain)
                    .ok()?;
                // APA prints a conference paper's date as "(2022, Month)"; without
                // a month hayagriva leaves "(2022,)".
                let out = out.trim().replace(",)", ")");
                (!out.is_empty()).then_some(out)
            })
    }};
}

/// `entry` of a bibliography whose text is `text`, in style `style_name`.
/// `strings` holds the file's `@string` definitions. None when the entry
/// cannot be converted; callers fall back to a plain format.
pub fn format(
    text: &str,
    strings: &str,
    format: BibFormat,
    entry: &BibEntry,
    style_name: &str,
) -> Option<String> {
    let style = style(style_name)?;
    let source = text.get(entry.range.clone())?;
    match format {
        BibFormat::BibTeX => {
            let source = without_links(source);
            let library = hayagriva::io::from_biblatex_str(&format!("{strings}\n{source}")).ok()?;
            render!(library.get(&entry.key)?, &style)
        }
        BibFormat::CslJson => {
            let item = csl_item(serde_json::from_str(source).ok()?)?;
            render!(&item, &style)
        }
        BibFormat::CslYaml => {
            let item = csl_item(super::csl_yaml::item_value(text, entry.range.clone())?)?;
            render!(&item, &style)
        }
    }
}

/// A BibTeX entry's text with its `crossref`, `xdata` and `xref` fields
/// renamed: the entries they name are not in the text the renderer gets,
/// and an entry naming itself sent the biblatex crate into unbounded
/// recursion (found by fuzzing). gloss resolved them when it read the file.
fn without_links(source: &str) -> std::borrow::Cow<'_, str> {
    static LINK: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"(?i)([,{]\s*)(crossref|xdata|xref)(\s*=)")
            .expect("the pattern compiles")
    });
    LINK.replace_all(source, "${1}gloss-unlinked-${2}${3}")
}

/// A CSL item for the renderer, with every date range (`"date-parts":
/// [[2020], [2021]]`, `"raw": "2020/2021"`) cut to its start: hayagriva
/// panics on ranges (found by fuzzing).
fn csl_item(mut value: serde_json::Value) -> Option<hayagriva::citationberg::json::Item> {
    for field in value.as_object_mut()?.values_mut() {
        let Some(date) = field.as_object_mut() else {
            continue;
        };
        if let Some(parts) = date.get_mut("date-parts").and_then(|p| p.as_array_mut()) {
            parts.truncate(1);
        }
        if let Some(raw) = date.get_mut("raw") {
            if let Some(start) = raw.as_str().and_then(|r| r.split('/').next()) {
                *raw = serde_json::Value::String(start.to_string());
            }
        }
    }
    serde_json::from_value(value).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::bibliography::parse;

    #[test]
    fn bibtex_and_csl_json_in_apa_and_ieee() {
        let bib = "@string{nips = {Advances in Neural Information Processing Systems}}\n@inproceedings{wei2022chain,\n  title = {Chain-of-Thought Prompting Elicits Reasoning in Large Language Models},\n  author = {Wei, Jason and Wang, Xuezhi and Zhou, Denny},\n  booktitle = nips,\n  year = 2022,\n}\n";
        let parsed = parse(bib, BibFormat::BibTeX);
        let entry = &parsed.entries[0];
        let apa = format(bib, &parsed.strings, BibFormat::BibTeX, entry, "apa").unwrap();
        assert_eq!(apa, "Wei, J., Wang, X., & Zhou, D. (2022). Chain-of-Thought Prompting Elicits Reasoning in Large Language Models. Advances in Neural Information Processing Systems.");
        let ieee = format(bib, &parsed.strings, BibFormat::BibTeX, entry, "ieee").unwrap();
        assert!(ieee.starts_with("J. Wei, X. Wang, and D. Zhou,"), "{ieee}");

        let json = r#"[{"id": "t", "type": "article-journal", "title": "LLaMA", "author": [{"family": "Touvron", "given": "Hugo"}], "issued": {"date-parts": [[2023]]}}]"#;
        let parsed = parse(json, BibFormat::CslJson);
        let apa = format(json, "", BibFormat::CslJson, &parsed.entries[0], "apa").unwrap();
        assert_eq!(apa, "Touvron, H. (2023). LLaMA.");
        assert!(format(
            json,
            "",
            BibFormat::CslJson,
            &parsed.entries[0],
            "no-such-style"
        )
        .is_none());

        let yaml = "references:\n- id: t\n  type: article-journal\n  title: LLaMA\n  author:\n  - family: Touvron\n    given: Hugo\n  issued: 2023\n";
        let parsed = parse(yaml, BibFormat::CslYaml);
        let apa = format(yaml, "", BibFormat::CslYaml, &parsed.entries[0], "apa").unwrap();
        assert_eq!(apa, "Touvron, H. (2023). LLaMA.");
    }

    /// Found by fuzzing: an entry whose `xdata` names itself overflowed
    /// the stack in the renderer.
    #[test]
    fn an_entry_linking_to_itself_renders() {
        let bib = "@xdata{c, publisher = {P}, xdata = {c}}\n@book{b, title = {T}, author = {A, B}, year = 2020, crossref = {b}, xdata = {c}}\n";
        let parsed = parse(bib, BibFormat::BibTeX);
        for entry in &parsed.entries {
            let _ = format(bib, &parsed.strings, BibFormat::BibTeX, entry, "apa");
        }
    }

    /// Found by fuzzing: hayagriva panics on a date range.
    #[test]
    fn date_ranges_render_from_their_start() {
        let yaml = "- id: a\n  title: T\n  issued: 2020-05/2021\n";
        let parsed = parse(yaml, BibFormat::CslYaml);
        let apa = format(yaml, "", BibFormat::CslYaml, &parsed.entries[0], "apa").unwrap();
        assert!(apa.contains("2020"), "{apa}");
        let json = r#"[{"id": "b", "title": "U", "issued": {"date-parts": [[2019], [2021]]}}]"#;
        let parsed = parse(json, BibFormat::CslJson);
        let apa = format(json, "", BibFormat::CslJson, &parsed.entries[0], "apa").unwrap();
        assert!(apa.contains("2019"), "{apa}");
    }
}
