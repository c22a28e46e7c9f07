//! A bibliography entry as a reference (APA-like), and the links that open
//! the paper.

use crate::workspace::BibEntry;

/// APA lists up to 20 authors; beyond that the first 19, an ellipsis and the
/// last.
const MAX_AUTHORS: usize = 20;

/// `Kaplan, J., McCandlish, S., & Amodei, D. (2020). Title. *Venue*.`
pub fn format_reference(entry: &BibEntry) -> String {
    let names: Vec<String> = entry.authors.iter().map(|p| p.apa_name()).collect();
    let authors = match names.len() {
        0 => String::new(),
        1 => names[0].clone(),
        n if n <= MAX_AUTHORS => {
            format!("{}, & {}", names[..n - 1].join(", "), names[n - 1])
        }
        n => format!(
            "{}, … {}",
            names[..MAX_AUTHORS - 1].join(", "),
            names[n - 1]
        ),
    };
    let year = entry.year.as_deref().unwrap_or("n.d.");
    let mut out = String::new();
    if !authors.is_empty() {
        out.push_str(&authors);
        out.push(' ');
    }
    out.push_str(&format!("({year})."));
    if let Some(title) = &entry.title {
        out.push_str(&format!(" {}.", title.trim_end_matches('.')));
    }
    if let Some(container) = &entry.container {
        out.push_str(&format!(" *{container}*."));
    }
    out
}

/// A link that opens the paper.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaperLink {
    pub label: String,
    pub target: String,
}

/// DOI, arXiv, URL and local file links of an entry, most canonical first.
pub fn paper_links(entry: &BibEntry) -> Vec<PaperLink> {
    let mut links = Vec::new();
    if let Some(doi) = &entry.doi {
        let doi = doi
            .trim_start_matches("https://doi.org/")
            .trim_start_matches("doi:");
        links.push(PaperLink {
            label: format!("doi:{doi}"),
            target: format!("https://doi.org/{doi}"),
        });
    }
    if let Some(arxiv) = &entry.arxiv {
        links.push(PaperLink {
            label: format!("arXiv:{arxiv}"),
            target: format!("https://arxiv.org/abs/{arxiv}"),
        });
    }
    if let Some(url) = &entry.url {
        if !links.iter().any(|l| &l.target == url) {
            links.push(PaperLink {
                label: "URL".to_string(),
                target: url.clone(),
            });
        }
    }
    if let Some(file) = &entry.file {
        // Zotero and JabRef write `description:path:type`; take the path.
        let path = file.split(';').next().unwrap_or(file);
        let path = match path.split(':').collect::<Vec<_>>().as_slice() {
            [_, path, _] if !path.is_empty() => path.to_string(),
            _ => path.to_string(),
        };
        links.push(PaperLink {
            label: "PDF".to_string(),
            target: format!("file://{}", path.replace(' ', "%20")),
        });
    }
    links
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::Person;

    fn person(family: &str, given: &str) -> Person {
        Person {
            family: family.to_string(),
            given: given.to_string(),
        }
    }

    #[test]
    fn apa_like_reference() {
        let entry = BibEntry {
            key: "k".into(),
            title: Some("Scaling Laws for Neural Language Models".into()),
            authors: vec![
                person("Kaplan", "Jared"),
                person("McCandlish", "Sam"),
                person("Amodei", "Dario"),
            ],
            year: Some("2020".into()),
            container: Some("arXiv preprint".into()),
            arxiv: Some("2001.08361".into()),
            doi: Some("10.48550/arXiv.2001.08361".into()),
            file: Some("Full Text:/home/u/Zotero/kaplan.pdf:application/pdf".into()),
            ..BibEntry::default()
        };
        assert_eq!(
            format_reference(&entry),
            "Kaplan, J., McCandlish, S., & Amodei, D. (2020). Scaling Laws for Neural Language Models. *arXiv preprint*."
        );
        let targets: Vec<_> = paper_links(&entry).into_iter().map(|l| l.target).collect();
        assert_eq!(
            targets,
            [
                "https://doi.org/10.48550/arXiv.2001.08361",
                "https://arxiv.org/abs/2001.08361",
                "file:///home/u/Zotero/kaplan.pdf"
            ]
        );
    }

    #[test]
    fn missing_fields() {
        let entry = BibEntry {
            key: "k".into(),
            ..BibEntry::default()
        };
        assert_eq!(format_reference(&entry), "(n.d.).");
        let many: Vec<Person> = (0..25).map(|i| person(&format!("A{i}"), "B")).collect();
        let entry = BibEntry {
            authors: many,
            ..entry
        };
        assert!(format_reference(&entry).starts_with("A0, B., A1, B."));
        assert!(format_reference(&entry).contains("A18, B., … A24, B. (n.d.)."));
    }
}
