//! Resolving a link to a glossary entry, a note, a heading or block in it,
//! or another file, the way Obsidian and Foam users wrote them.
//!
//! A wikilink's name is looked up in tiers, each consulted only when the ones
//! before found nothing:
//! 1. **a path** (it holds `/` or a file extension): the file at that path
//!    from the linking note's folder, from the root, or ending the path of
//!    any file (`[[papers/scaling]]`, `![[diagram.png]]`);
//! 2. **a glossary name**: what gloss is for, so a term wins over a note of
//!    the same name (unless the link names a heading: `[[Scaling
//!    Laws#Chinchilla]]` means the note);
//! 3. **a file name**: the note whose file is called so;
//! 4. **a note's title or front-matter alias**, written with its case
//!    (aliases can be turned off with `[links] aliases = false`: Obsidian
//!    only suggests them), so that an alias never makes a file name
//!    ambiguous;
//! 5. **a Zettelkasten id** (`[[20200303175402]]`): the note with that id
//!    in its file name, else in its text, as Zettlr finds it (not in
//!    Obsidian vaults, Logseq graphs and Dendron workspaces);
//! 6. **a link reference definition** of the linking note labelled so
//!    (Foam writes them), else a note gloss does not check (git-ignored,
//!    excluded) of that name.
//!
//! Among several files of one name, a file whose name matches the link's
//! case exactly wins over one that matches only folded, then the one in the
//! linking note's folder, then the one with the shortest path (as Obsidian
//! does); only a tie left after that is ambiguous. A Markdown link
//! `[x](path)` names a path relative to the note (or the root, with a
//! leading `/`), with `.md` optional, as Obsidian allows; `..` stops at the
//! root, and a path that names nothing is matched by its end.

use std::path::{Path, PathBuf};

use super::anchors::Anchor;
use super::dendron::VaultTarget;
use super::files::FileRef;
use super::load::join_lexically;
use super::names::normalize;
use super::{strip_note_extension, EntryId, NoteId, NoteName, Workspace};
use crate::syntax::{Link, LinkKind, Spanned, ZettelId};

/// What a name can refer to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Glossary(EntryId),
    Note(NoteId, NoteName),
}

/// The outcome of resolving a link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    Glossary(EntryId),
    /// A note, and the heading or block its anchor names.
    Note {
        note: NoteId,
        anchor: Option<Anchor>,
    },
    /// A file that is not a note (its index among the workspace's other
    /// files); anything after `#` is the file's business (`#page=3`).
    File(usize),
    /// A folder (Markdown links only).
    Folder,
    /// Several files equally close.
    Ambiguous(Vec<FileRef>),
    /// No glossary entry, note or file has this name or path.
    Unresolved,
    /// A path that leaves the workspace root; never read.
    OutsideRoot,
    /// The target exists but has no heading or block matching the anchor.
    BrokenAnchor {
        note: NoteId,
    },
    /// `[[]]`
    Empty,
}

/// Whether `path` is a symbolic link whose target is not there.
fn is_dangling_symlink(path: &Path) -> bool {
    path.symlink_metadata()
        .is_ok_and(|m| m.file_type().is_symlink())
        && !path.exists()
}

/// Whether a wikilink's name is a path: it holds a `/` (or `\`) or ends
/// with a file extension.
pub fn is_path_like(target: &str) -> bool {
    if target.contains(['/', '\\']) {
        return true;
    }
    target.rsplit_once('.').is_some_and(|(name, ext)| {
        !name.is_empty()
            && (1..=8).contains(&ext.len())
            && ext.chars().all(|c| c.is_ascii_alphanumeric())
            && ext.chars().any(|c| c.is_ascii_alphabetic())
    })
}

/// The sources a Quarto page rendered to `x.html` may have, in the order
/// looked for.
const RENDERED_FROM: [&str; 5] = ["qmd", "md", "Rmd", "rmd", "ipynb"];

/// The sources another site generator's page `x.html` may have (VuePress,
/// MkDocs and Jekyll render Markdown, bookdown R Markdown).
const SITE_SOURCES: [&str; 4] = ["md", "markdown", "Rmd", "rmd"];

/// The sources that what a link names in a Quarto project may be
/// rendered from, for when no file has its name: `x.html` (and
/// `x-preview.html` or `x.embed-preview.html`, the page Quarto makes of
/// an embedded notebook), the
/// `x.pdf`, `x.docx` or `x.epub` of a page's other formats, and `x`, a
/// page as a web server gives it without its extension.
fn rendered_sources(rel: &str) -> Vec<String> {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let stems: Vec<&str> = if let Some(stem) = rel.strip_suffix(".html") {
        let preview = stem
            .strip_suffix("-preview")
            .or_else(|| stem.strip_suffix(".embed-preview"));
        std::iter::once(stem).chain(preview).collect()
    } else if let Some(stem) = [".pdf", ".docx", ".epub"]
        .iter()
        .find_map(|ext| rel.strip_suffix(ext))
    {
        vec![stem]
    } else if !name.is_empty() && !is_path_like(name) {
        vec![rel]
    } else {
        Vec::new()
    };
    stems
        .into_iter()
        .flat_map(|stem| RENDERED_FROM.map(|ext| format!("{stem}.{ext}")))
        .collect()
}

/// What the end of a file's path must be for a link `written` that did not
/// name a file exactly: the path as written, or for a path relative to the
/// note (`./`, `../`) the path it leads to (`joined`, from the root), as
/// Obsidian matches them. `../../pics/a.png` written one folder too shallow
/// still finds `x/pics/a.png`; it does not find a file in another branch.
fn suffix_to_match<'a>(written: &'a str, joined: &'a str) -> &'a str {
    if written.starts_with("./") || written.starts_with("../") {
        joined
    } else {
        written
    }
}

/// The names a file named `target` may have on disk: itself, and with a
/// note extension added when it has none.
fn with_note_extension(target: &str) -> Vec<String> {
    if strip_note_extension(target).len() == target.len() {
        vec![
            target.to_string(),
            format!("{target}.md"),
            format!("{target}.markdown"),
        ]
    } else {
        vec![target.to_string()]
    }
}

/// The names a file linked as `target` may have on disk: those of
/// [`with_note_extension`], and for an image without an extension
/// (`![](figs/plot)`) the image formats Quarto and Pandoc add one of
/// (`default-image-extension`).
fn file_names(target: &str, image: bool) -> Vec<String> {
    let mut names = with_note_extension(target);
    if image {
        names.extend(with_image_extension(target));
    }
    names
}

/// An image without an extension with each one Quarto may add, in the
/// order it prefers them; none for a name that has one.
fn with_image_extension(target: &str) -> Vec<String> {
    const IMAGE_EXTENSIONS: [&str; 7] = ["png", "svg", "jpg", "jpeg", "gif", "webp", "pdf"];
    let file_name = target.rsplit('/').next().unwrap_or(target);
    match file_name.contains('.') {
        true => Vec::new(),
        false => IMAGE_EXTENSIONS
            .map(|ext| format!("{target}.{ext}"))
            .to_vec(),
    }
}

impl Workspace {
    /// Resolves `link`, written in note `from`.
    /// The heading or block id `link`'s anchor names: where a Dendron note
    /// reference's range (`knives,1:#pans`) starts; none for the whole
    /// note (`#*`).
    pub fn anchor_of<'a>(&self, link: &'a Link) -> Option<Spanned<&'a str>> {
        let anchor = link.anchor()?;
        if self.config.dendron.is_none() || link.kind.is_markdown() {
            return Some(anchor);
        }
        let start = super::dendron::anchor_start(anchor.value)?;
        let at = anchor.range.start;
        Some(Spanned {
            value: start,
            range: at..at + start.len(),
        })
    }

    pub fn resolve_link(&self, from: NoteId, link: &Link) -> Resolution {
        if link.is_empty() {
            return Resolution::Empty;
        }
        let anchor = self.anchor_of(link).map(|a| a.value);
        let Some(target) = link.target() else {
            return self.in_document(from, anchor);
        };
        let mut target = target.value;
        let dendron = self.config.dendron.as_ref();
        if let Some(dendron) = dendron.filter(|_| !link.kind.is_markdown()) {
            target = match dendron.vault_target(target) {
                VaultTarget::Plain => target,
                VaultTarget::Here(name) => name,
                VaultTarget::Elsewhere => return Resolution::Unresolved,
            };
        }
        if link.kind.is_markdown() {
            let image = link.kind == LinkKind::Image;
            let mut found = self.markdown_destination(from, target, image);
            if found == Ok(Resolution::Unresolved) && link.kind != LinkKind::Include {
                if let Some((_, resolution)) = self.resolved_from_includers(from, target, image) {
                    found = resolution;
                }
            }
            // knitr reads a child's path from its working folder, which
            // a thesis sets to the project's root (`root.dir`).
            if found == Ok(Resolution::Unresolved)
                && link.is_knitr_child()
                && !target.starts_with('/')
            {
                let from_root = self.markdown_destination(from, &format!("/{target}"), false);
                if matches!(from_root, Ok(Resolution::Note { .. })) {
                    found = from_root;
                }
            }
            return match found {
                Ok(resolution) => self.anchored(resolution, anchor),
                Err(()) => Resolution::OutsideRoot,
            };
        }
        // A backslash is a path separator on Windows, but also a character
        // of a file name elsewhere: a name that exists is not a path.
        let key = normalize(target);
        let literal_name = !target.contains('/') && !self.targets(&key).is_empty();
        if is_path_like(target) && !literal_name {
            match self.files_at(from, target) {
                Ok(found) if !found.is_empty() => {
                    return self.anchored(self.closest(from, target, found), anchor)
                }
                Ok(_) => {}
                Err(()) => return Resolution::OutsideRoot,
            }
        }
        let named = |kinds: &[NoteName]| -> Vec<FileRef> {
            self.targets(&key)
                .iter()
                .filter_map(|t| match t {
                    Target::Note(n, kind) if kinds.contains(kind) => Some(FileRef::Note(*n)),
                    _ => None,
                })
                .collect()
        };
        // A glossary name wins over a note name, unless the link names a
        // heading: `[[Scaling Laws#Chinchilla]]` means the note, found by
        // any later tier; only when none finds one is the heading looked
        // for where the term is defined.
        let by_stem = named(&[NoteName::Stem]);
        let entry = self.first_entry(&key);
        if let (Some(entry), None) = (entry, anchor) {
            return Resolution::Glossary(entry);
        }
        if !by_stem.is_empty() {
            return self.anchored(self.closest(from, target, by_stem), anchor);
        }
        let other_names: &[NoteName] = if self.config.link_aliases {
            &[NoteName::Title, NoteName::Alias]
        } else {
            &[NoteName::Title]
        };
        // A title or alias is a name someone chose, not a place: it must be
        // written as chosen (`[[man]]` is not the note aliased `MAN`), and
        // two notes claiming it are a tie whatever their folders. Logseq
        // names pages in any case.
        let mut by_name: Vec<FileRef> = named(other_names)
            .into_iter()
            .filter(|&f| match f {
                FileRef::Note(_) if self.config.logseq => true,
                FileRef::Note(n) => self.note_named_exactly(n, target.trim(), other_names),
                FileRef::Other(_) => false,
            })
            .collect();
        // A note titled and aliased alike is one note.
        by_name.sort();
        by_name.dedup();
        if by_name.is_empty() && entry.is_none() {
            let by_id = self.by_zettel_id(target);
            if !by_id.is_empty() {
                let found = by_id.into_iter().map(FileRef::Note).collect();
                return self.anchored(self.closest(from, target, found), anchor);
            }
        }
        match by_name.as_slice() {
            [] if entry.is_some() => self.with_anchor(entry.map_or(from, |e| e.note), anchor),
            // Foam writes `[Name]: path "Name"` under a note for each of its
            // wikilinks: the definition says where `[[Name]]` goes.
            [] => match self.note(from).reference_definition(target) {
                Some(destination) => match self.markdown_destination(from, destination, false) {
                    Ok(resolution) => self.anchored(resolution, anchor),
                    Err(()) => Resolution::Unresolved,
                },
                None => self.unchecked_note(from, target),
            },
            [FileRef::Note(note)] => self.with_anchor(*note, anchor),
            _ => Resolution::Ambiguous(by_name),
        }
    }

    /// Whether the file a path-like `target` written in note `from` names
    /// (from the note's folder, or from the root) is one the walk leaves
    /// out: one an ignore file keeps out of the repository
    /// ([`super::walk::is_ignored`]), which where its notes are checked
    /// may well not be there, one in a hidden folder that is there
    /// (`[workflows](.github/workflows/README.md)`, found in quarto-web),
    /// or a symbolic link that is there but leads nowhere yet: to what a
    /// build writes (`manuscript.pdf` → `v/latest/manuscript.pdf`, the
    /// folder ignored; found in a Manubot repository). A Logseq graph
    /// also finds a relative path in its `assets/` folder, as Logseq
    /// does (a PDF highlights page's `file:: [a.pdf](zotero_link/a.pdf)`).
    pub fn names_an_ignored_file(&self, from: NoteId, target: &str) -> bool {
        let target = target.replace('\\', "/");
        let from_dir = self.note(from).file.path.parent().unwrap_or(&self.root);
        let assets = self.root.join("assets");
        let in_assets = {
            let mut rest = target.as_str();
            while let Some(after) = rest.strip_prefix("../").or_else(|| rest.strip_prefix("./")) {
                rest = after;
            }
            // Logseq drops every leading `.` and `/` of a path to its
            // assets (`../../assets/a.pdf` is the graph's `assets/a.pdf`).
            let base = match rest.starts_with("assets/") {
                true => self.root.as_path(),
                false => assets.as_path(),
            };
            (self.config.logseq && !target.starts_with('/')).then_some((base, rest))
        };
        let attachments = self.obsidian_attachments(from_dir);
        let in_attachments = attachments
            .as_deref()
            .filter(|_| !target.starts_with(['/', '.']))
            .map(|folder| (folder, target.as_str()));
        let bases = match target.starts_with('/') {
            true => vec![(self.root.as_path(), target.as_str())],
            false => vec![
                (from_dir, target.as_str()),
                (self.root.as_path(), target.as_str()),
            ],
        };
        let extra = in_assets.into_iter().chain(in_attachments);
        bases.into_iter().chain(extra).any(|(base, target)| {
            let (path, escaped) = join_lexically(base, target.trim_start_matches('/'), &self.root);
            !escaped
                && (self.is_hidden_and_there(&path)
                    || is_dangling_symlink(&path)
                    || self.is_ignored(path))
        })
    }

    /// Whether a note named `name` (a wikilink's target, no path) would be
    /// a file an ignore file keeps out, in note `from`'s folder, at the
    /// root or in the vault's daily notes' folder
    /// (`[0-9][0-9][0-9][0-9]*.md`, `/Daily/`: the daily notes a
    /// published vault keeps private).
    pub fn names_an_ignored_note(&self, from: NoteId, name: &str) -> bool {
        let from_dir = self.note(from).file.path.parent().unwrap_or(&self.root);
        let file = format!("{name}.md");
        // Or, for a name with a date (`2024-03-30——星期六`), in the daily
        // notes' folder, kept out as a whole.
        let dated = name.bytes().filter(u8::is_ascii_digit).count() >= 6;
        let daily = (self.config.obsidian_daily_notes.as_deref())
            .filter(|_| self.config.obsidian && dated)
            .map(|folder| self.root.join(folder));
        let mut bases = vec![from_dir, self.root.as_path()];
        bases.extend(daily.as_deref());
        bases.iter().any(|base| {
            let (path, escaped) = join_lexically(base, &file, &self.root);
            !escaped && self.is_ignored(path)
        })
    }

    /// The folder an Obsidian vault keeps the attachments of notes in
    /// `note_dir` in, where its settings name one: a link names an
    /// attachment by its file name alone, found wherever it is.
    fn obsidian_attachments(&self, note_dir: &Path) -> Option<PathBuf> {
        let folder = self.config.obsidian_attachments.as_deref()?;
        let folder = folder.replace('\\', "/");
        let (base, rest) = match folder.strip_prefix("./") {
            Some(rest) => (note_dir, rest),
            None if folder == "." => (note_dir, ""),
            None => (self.root.as_path(), folder.as_str()),
        };
        let (path, escaped) = join_lexically(base, rest.trim_matches('/'), &self.root);
        (self.config.obsidian && !escaped).then_some(path)
    }

    /// Whether `path` lies in a hidden folder (or is a hidden file) below
    /// the root, which the walk does not list, and is there.
    fn is_hidden_and_there(&self, path: &Path) -> bool {
        let hidden = path.strip_prefix(&self.root).is_ok_and(|rel| {
            rel.components().any(|c| {
                let name = c.as_os_str().to_string_lossy();
                name.starts_with('.') && name != "." && name != ".."
            })
        });
        hidden && path.symlink_metadata().is_ok()
    }

    /// [`super::walk::is_ignored`] of `path`, asked once per workspace:
    /// it reads the ignore files on the way, and a note's diagnostics ask
    /// again on every keystroke. (The walk read them once too; a changed
    /// ignore file rebuilds the workspace.)
    fn is_ignored(&self, path: PathBuf) -> bool {
        super::lock(&self.ignored_paths).is_ignored(&self.root, &path, &self.config)
    }

    /// A note file gloss does not check (ignored by the repository,
    /// excluded by `gloss.toml`) named `target`: it is there, so a link to
    /// it is not broken.
    fn unchecked_note(&self, from: NoteId, target: &str) -> Resolution {
        let found: Vec<FileRef> = with_note_extension(target)
            .iter()
            .skip(1)
            .flat_map(|name| self.files.by_path_suffix(name))
            .map(|(f, _)| f)
            .filter(|f| matches!(f, FileRef::Other(_)))
            .collect();
        match found.is_empty() {
            true => Resolution::Unresolved,
            false => self.closest(from, target, found),
        }
    }

    /// Whether the workspace is an app's ([`super::Config::is_an_apps`]).
    pub fn is_an_apps(&self) -> bool {
        self.config.is_an_apps()
    }

    /// Whether links may name notes by their Zettelkasten ids, as Zettlr's
    /// do: not in an app's workspace ([`Workspace::is_an_apps`]).
    pub fn reads_zettel_ids(&self) -> bool {
        !self.is_an_apps()
    }

    /// The notes whose Zettelkasten id `target` is (`[[20200303175402]]`),
    /// where [`Workspace::reads_zettel_ids`]. Notes with the id in their
    /// file name win over notes with it in their text only (which may be
    /// another note's id, mentioned).
    fn by_zettel_id(&self, target: &str) -> Vec<NoteId> {
        let id = ZettelId::parse(target.trim()).filter(|_| self.reads_zettel_ids());
        let Some(id) = id else {
            return Vec::new();
        };
        let notes = self
            .targets(&id.to_string())
            .iter()
            .filter_map(|t| match t {
                Target::Note(n, NoteName::Id) => Some(*n),
                _ => None,
            });
        let notes: Vec<NoteId> = notes.collect();
        let in_name = |&n: &NoteId| self.note(n).zettel_id_in_file_name() == Some(id);
        match notes.iter().any(in_name) {
            true => notes.into_iter().filter(in_name).collect(),
            false => notes,
        }
    }

    /// Whether note `id` has a front-matter name of one of `kinds` written
    /// exactly `name`.
    fn note_named_exactly(&self, id: NoteId, name: &str, kinds: &[NoteName]) -> bool {
        let Some(fm) = &self.note(id).syntax.front_matter else {
            return false;
        };
        let title = fm.title.iter().filter(|_| kinds.contains(&NoteName::Title));
        let aliases = fm
            .aliases
            .iter()
            .filter(|_| kinds.contains(&NoteName::Alias));
        title.chain(aliases).any(|n| n.value.trim() == name)
    }

    /// Applies a link's anchor to what its target resolved to: notes get
    /// their heading or block; other files keep what follows `#` to
    /// themselves. A Quarto page is rendered with what it includes, so
    /// `page.qmd#id` may name a heading of an included part: the link is
    /// the page's (a rename of the page rewrites it), and not broken.
    fn anchored(&self, resolution: Resolution, anchor: Option<&str>) -> Resolution {
        match resolution {
            Resolution::Note { note, .. } => match self.with_anchor(note, anchor) {
                Resolution::BrokenAnchor { .. } if self.in_included_part(note, anchor) => {
                    Resolution::Note { note, anchor: None }
                }
                found => found,
            },
            other => other,
        }
    }

    /// Whether `anchor` names a heading or block of a part Quarto page
    /// `page` includes.
    fn in_included_part(&self, page: NoteId, anchor: Option<&str>) -> bool {
        anchor.is_some()
            && self.uses_quarto(page)
            && self
                .included_parts(page)
                .into_iter()
                .any(|part| matches!(self.with_anchor(part, anchor), Resolution::Note { .. }))
    }

    /// The files a path-like wikilink names: relative to the linking note's
    /// folder, from the root, or ending the path of any file. `Err` when a
    /// relative path leaves the root and names nothing inside it.
    fn files_at(&self, from: NoteId, target: &str) -> Result<Vec<FileRef>, ()> {
        let target = target.replace('\\', "/");
        let from_dir = self.note(from).file.path.parent().unwrap_or(&self.root);
        let mut found = Vec::new();
        let mut escaped = false;
        for name in with_note_extension(&target) {
            if let Some(rel) = name.strip_prefix('/') {
                found.extend(self.files.at(rel));
                continue;
            }
            let (path, left) = join_lexically(from_dir, &name, &self.root);
            escaped |= left;
            let joined = super::walk::relative(&self.root, &path);
            found.extend(self.files.at(&joined));
            found.extend(
                self.files
                    .by_path_suffix(suffix_to_match(&name, &joined))
                    .into_iter()
                    .map(|(f, _)| f),
            );
        }
        found.sort();
        found.dedup();
        match found.is_empty() && escaped {
            true => Err(()),
            false => Ok(found),
        }
    }

    /// What a Markdown link's destination written in a part a Quarto page
    /// includes names from the pages that include it (and so on up): its
    /// text lands there, and its relative links with it (found in
    /// quarto-web, whose `docs/cli/includes/_cli-commands.md` links to the
    /// pages beside `docs/cli/index.qmd`). The page it was read from, and
    /// what it names; None where that finds nothing.
    fn resolved_from_includers(
        &self,
        from: NoteId,
        target: &str,
        image: bool,
    ) -> Option<(NoteId, Result<Resolution, ()>)> {
        if !self.uses_quarto(from) {
            return None;
        }
        self.pages_including(from)
            .into_iter()
            .map(|page| (page, self.markdown_destination(page, target, image)))
            .find(|(_, found)| matches!(found, Ok(r) if *r != Resolution::Unresolved))
    }

    /// The note whose folder `link`, written in note `from`, is read from:
    /// `from`, or for a relative link in a part a Quarto page includes
    /// that names something only from there, that page
    /// ([`Workspace::resolved_from_includers`]).
    pub fn link_base(&self, from: NoteId, link: &Link) -> NoteId {
        let Some(target) = link.target() else {
            return from;
        };
        if !link.kind.is_markdown() || link.kind == LinkKind::Include {
            return from;
        }
        let image = link.kind == LinkKind::Image;
        if self.markdown_destination(from, target.value, image) != Ok(Resolution::Unresolved) {
            return from;
        }
        self.resolved_from_includers(from, target.value, image)
            .map_or(from, |(page, _)| page)
    }

    /// What a Markdown link's destination names: a file relative to the
    /// note (or the root, with a leading `/`), `.md` optional; else, as
    /// Obsidian does, a file whose path ends so (`../` dropped; not in a
    /// Quarto project, where a path is only that path); or a folder.
    /// `..` stops at the root, as in Obsidian. `Err` when the path leaves the
    /// root and names nothing inside it.
    fn markdown_destination(
        &self,
        from: NoteId,
        target: &str,
        image: bool,
    ) -> Result<Resolution, ()> {
        // `(../Hub/Convex%20Function%20)`: a space the encoding left at the
        // end, which Obsidian drops as it does from `[[Note ]]`.
        let mut target = target.replace('\\', "/").trim_end().to_string();
        // Logseq drops every leading `.` and `/` of a path to its assets
        // (`../../assets/a.pdf` is the graph's `assets/a.pdf`).
        let unclimbed = target.trim_start_matches(['.', '/']);
        if self.config.logseq && unclimbed.starts_with("assets/") {
            target = format!("/{unclimbed}");
        }
        // A URL's query (`Plots/a%20b.png?raw=true`, for GitHub) is no
        // part of the file's name.
        let target = match target.split_once('?') {
            Some((path, _)) if !path.is_empty() => path.to_string(),
            _ => target,
        };
        let from_dir = self.note(from).file.path.parent().unwrap_or(&self.root);
        let absolute = target.starts_with('/');
        // In a Quarto project a path from `/` starts at the project's
        // folder, and a page links to another by the name it is rendered
        // to: `[Papers](papers.html)` is `papers.qmd`.
        let project = self
            .quarto_projects
            .iter()
            .filter(|p| p.contains(&self.note(from).file.rel))
            .max_by_key(|p| p.folder.len());
        let base = match (absolute, project) {
            (true, Some(project)) => self.root.join(&project.folder),
            (true, None) => self.root.clone(),
            (false, _) => from_dir.to_path_buf(),
        };
        let (path, escaped) = join_lexically(&base, target.trim_start_matches('/'), &self.root);
        let rel = super::walk::relative(&self.root, &path);
        // Outside an app's workspace and Quarto's, Markdown is often a
        // site's source (VuePress, MkDocs, Jekyll, bookdown), whose pages
        // link to what it renders: `[Export](../export/defaults.html)` is
        // `defaults.md`. (Beside a Quarto project, a note is no page.)
        let a_sites = self.quarto_projects.is_empty() && !self.is_an_apps();
        let rendered_from = match (project, rel.strip_suffix(".html")) {
            (Some(_), _) => rendered_sources(&rel),
            (None, Some(page)) if a_sites => SITE_SOURCES
                .iter()
                .map(|ext| format!("{page}.{ext}"))
                .collect(),
            (None, _) => Vec::new(),
        };
        let exact: Vec<FileRef> = file_names(&rel, image)
            .into_iter()
            .chain(rendered_from)
            .filter_map(|name| self.files.at(&name))
            .collect();
        if let Some(&file) = exact.first() {
            return Ok(self.file_resolution(file));
        }
        // Pandoc reads a path from where it runs, often the root (a
        // thesis's Makefile): `./source/figures/a.png` in `source/`. An
        // app reads it from the note alone.
        let from_root = target.strip_prefix("./").filter(|_| !self.is_an_apps());
        if let Some(from_root) = from_root {
            let (path, escaped) = join_lexically(&self.root, from_root, &self.root);
            let rel = super::walk::relative(&self.root, &path);
            let found = (file_names(&rel, image).into_iter()).find_map(|name| self.files.at(&name));
            if let (Some(file), false) = (found, escaped) {
                return Ok(self.file_resolution(file));
            }
        }
        if self.files.is_folder(&normalize(&rel)) || rel.is_empty() {
            return Ok(Resolution::Folder);
        }
        // Obsidian resolves a destination that is no path from the note by
        // the end of the path (`[x](Note%20name)`, `[x](../../pics/a.png)`
        // from a deeper folder than the writer thought). So is one from
        // `/` that names nothing from the workspace root: `/` is the root of
        // what serves the notes, which may be a folder of the workspace
        // (`public/` of an Astro site, a Dendron vault's folder).
        let written = target.trim_start_matches('/');
        let suffix = suffix_to_match(written, &rel);
        let by_suffix = |name: &String| -> Vec<FileRef> {
            let found = self.files.by_path_suffix(name);
            found.into_iter().map(|(f, _)| f).collect()
        };
        let mut by_name: Vec<FileRef> = with_note_extension(suffix)
            .iter()
            .flat_map(by_suffix)
            .collect();
        if by_name.is_empty() && target.ends_with('/') {
            // A page's address as a site serves it (`/authors/ada/`, from
            // `authors/ada/index.md`), found on a nanoc site.
            let index = format!("{}/index", suffix.trim_end_matches('/'));
            by_name = with_note_extension(&index)
                .iter()
                .flat_map(by_suffix)
                .collect();
        }
        if by_name.is_empty() && image {
            // An image's extension in the order Quarto prefers one: `z.png`
            // and `z.pdf` are the same figure for two formats.
            by_name = with_image_extension(suffix)
                .iter()
                .map(by_suffix)
                .find(|found| !found.is_empty())
                .unwrap_or_default();
        }
        if project.is_some() {
            // Quarto reads a path as a path: no file elsewhere whose path
            // ends so stands in for a missing one (found in quarto-cli,
            // where a missing `cover.png` was called ambiguous between two
            // other tests' covers).
            let at_path: Vec<String> = with_note_extension(&rel)
                .into_iter()
                .chain(if image {
                    with_image_extension(&rel)
                } else {
                    Vec::new()
                })
                .collect();
            by_name.retain(|&f| {
                let found = self.file_rel(f);
                at_path.iter().any(|p| p.eq_ignore_ascii_case(found))
            });
        }
        by_name.sort();
        by_name.dedup();
        match (by_name.is_empty(), escaped) {
            (true, true) => Err(()),
            (true, false) => Ok(Resolution::Unresolved),
            // The file at the path is there on the writer's machine (an
            // ignore file keeps it out): others of its name are not it.
            (false, false) if self.is_ignored(path) => Ok(Resolution::Unresolved),
            (false, _) => Ok(self.closest(from, &target, by_name)),
        }
    }

    fn file_resolution(&self, file: FileRef) -> Resolution {
        match file {
            FileRef::Note(note) => Resolution::Note { note, anchor: None },
            FileRef::Other(index) => Resolution::File(index),
        }
    }

    /// The root-relative path of a note or other file.
    pub fn file_rel(&self, file: FileRef) -> &str {
        match file {
            FileRef::Note(note) => &self.note(note).file.rel,
            FileRef::Other(index) => self.files().other(index).unwrap_or(""),
        }
    }

    /// The one of `candidates` a link `written` in note `from` means: the
    /// only one; else the one at the path as written, from the root; else
    /// those whose file name matches the link's case
    /// exactly; then the one in the linking note's folder; then the one
    /// with the shortest path; a tie is ambiguous.
    fn closest(&self, from: NoteId, written: &str, mut candidates: Vec<FileRef>) -> Resolution {
        // The file at the path as written from the root wins outright, as
        // in Obsidian (`[[Note]]` is the root's `Note.md`, even beside
        // another `Note.md`).
        let from_root = written.trim_start_matches('/');
        if candidates.len() > 1 {
            let at_path = candidates.iter().copied().find(|&f| {
                let rel = self.file_rel(f);
                rel == from_root || strip_note_extension(rel) == from_root
            });
            if let Some(file) = at_path {
                return self.file_resolution(file);
            }
        }
        if candidates.len() > 1 {
            let last = written.rsplit(['/', '\\']).next().unwrap_or(written);
            let exact: Vec<FileRef> = candidates
                .iter()
                .copied()
                .filter(|&f| {
                    let name = self.file_rel(f).rsplit('/').next().unwrap_or("");
                    name == last || strip_note_extension(name) == last
                })
                .collect();
            if !exact.is_empty() {
                candidates = exact;
            }
        }
        if candidates.len() > 1 {
            let folder = |rel: &str| rel.rsplit_once('/').map_or("", |(dir, _)| dir).to_string();
            let from_folder = folder(&self.note(from).file.rel);
            let near: Vec<FileRef> = candidates
                .iter()
                .copied()
                .filter(|&f| folder(self.file_rel(f)) == from_folder)
                .collect();
            if !near.is_empty() {
                candidates = near;
            }
        }
        if candidates.len() > 1 {
            let length = |f: &FileRef| self.file_rel(*f).chars().count();
            let shortest = candidates.iter().map(length).min().unwrap_or(0);
            candidates.retain(|f| length(f) == shortest);
        }
        match candidates.as_slice() {
            [] => Resolution::Unresolved,
            [one] => self.file_resolution(*one),
            many => Resolution::Ambiguous(many.to_vec()),
        }
    }

    /// `[text](#id)`: a heading of this note, else of another file of the
    /// same document (a book's chapters are rendered as one).
    fn in_document(&self, from: NoteId, anchor: Option<&str>) -> Resolution {
        let here = self.with_anchor(from, anchor);
        if !matches!(here, Resolution::BrokenAnchor { .. }) {
            return here;
        }
        self.document_of(from)
            .iter()
            .filter(|&&other| other != from)
            .map(|&other| self.with_anchor(other, anchor))
            .find(|r| matches!(r, Resolution::Note { .. }))
            .unwrap_or(here)
    }

    fn with_anchor(&self, note: NoteId, anchor: Option<&str>) -> Resolution {
        let templated = || {
            let front_matter = self.note(note).syntax.front_matter.as_ref();
            front_matter.is_some_and(|fm| fm.templated)
        };
        let Some(anchor) = anchor.filter(|_| !templated()) else {
            return Resolution::Note { note, anchor: None };
        };
        match self.anchors(note).find(anchor) {
            Some(found) => Resolution::Note {
                note,
                anchor: Some(found),
            },
            None => Resolution::BrokenAnchor { note },
        }
    }

    /// The block index of the heading named `anchor` (by text or slug).
    pub fn find_heading(&self, note: NoteId, anchor: &str) -> Option<usize> {
        match self.anchors(note).find(anchor)? {
            Anchor::Heading(block) => Some(block),
            Anchor::Block(_) => None,
        }
    }
}

impl Workspace {
    /// Whether a link that leaves the root names a file or folder that is
    /// there on disk (`[guide](../../CONTRIBUTING.md)` from a docs folder
    /// opened alone): the editor opens it, so it is not reported broken.
    /// Only its existence is asked, never its contents; never under
    /// `--untrusted`, whose runs learn nothing outside the root.
    pub fn exists_outside(&self, from: NoteId, target: &str) -> bool {
        if self.config.confined || target.starts_with('/') {
            return false;
        }
        let from_dir = self.note(from).file.path.parent().unwrap_or(&self.root);
        let (path, _) = join_lexically(from_dir, &target.replace('\\', "/"), Path::new("/"));
        with_note_extension(&path.to_string_lossy())
            .iter()
            .any(|p| std::fs::metadata(p).is_ok())
    }

    /// Whether `target`, which starts with `/` and names nothing from the
    /// root, is a file's absolute path on this machine, as Typora writes
    /// an image's (`/Users/ada/Pictures/plot.png`): the editor shows it.
    /// Existence only, and never under `--untrusted`, as
    /// [`Workspace::exists_outside`].
    pub fn exists_as_absolute(&self, target: &str) -> bool {
        let path = Path::new(target);
        !self.config.confined
            && target.starts_with('/')
            && path.is_absolute()
            && !path.starts_with(&self.root)
            && std::fs::metadata(path).is_ok()
    }
}

/// Where a file of the workspace is on disk.
pub fn absolute(workspace: &Workspace, rel: &str) -> std::path::PathBuf {
    rel.split('/').fold(workspace.root.clone(), |path, part| {
        path.join(Path::new(part))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::fixture::fixture;
    use expect_test::{expect, Expect};

    /// Resolves the link under the cursor and names what it picked.
    fn check(text: &str, expect: Expect) {
        let f = fixture(text);
        let (note, offset) = f.cursor();
        let ws = &f.workspace;
        let link = ws
            .note(note)
            .syntax
            .links
            .iter()
            .find(|l| l.range().start <= offset && offset <= l.range().end)
            .expect("a link under the cursor");
        let anchor = |a: Option<Anchor>, n: NoteId| match a {
            None => String::new(),
            Some(Anchor::Heading(b)) => {
                let note = ws.note(n);
                format!(" # {}", &note.file.text()[note.syntax.blocks[b].content()])
            }
            Some(Anchor::Block(r)) => format!(" ^ {:?}", ws.note(n).file.text()[r].trim()),
        };
        let shown = match ws.resolve_link(note, link) {
            Resolution::Glossary(e) => format!("glossary {}", ws.entry(e).term.value),
            Resolution::Note { note: n, anchor: a } => {
                format!("note {}{}", ws.note(n).file.rel, anchor(a, n))
            }
            Resolution::File(i) => format!("file {}", ws.files().other(i).unwrap_or("")),
            Resolution::Ambiguous(files) => {
                let rels: Vec<&str> = files.iter().map(|f| ws.file_rel(*f)).collect();
                format!("ambiguous {}", rels.join(", "))
            }
            other => format!("{other:?}"),
        };
        expect.assert_eq(&shown);
    }

    const VAULT: &str = "//- glossary.md\n# Glossary\n- Transformer: attention only\n//- Transformer.md\n# The paper\n## Training\n//- ml/Attention.md\n---\naliases: [注意力]\n---\n# Attention\n//- ml/deep/Attention.md\n//- Attachments/fig.png\n//- ml/fig.png\n//- Notes About.md\n---\ntitle: Notes about things\n---\n# A heading is no name\n";

    #[test]
    fn paths_first_then_glossary_then_file_names_then_titles_and_aliases() {
        // A path names a file, relative to the root or the note.
        check(
            &format!("{VAULT}//- ml/n.md\n[[ml/deep/Atten$0tion]]\n"),
            expect!["note ml/deep/Attention.md"],
        );
        check(
            &format!("{VAULT}//- ml/n.md\n[[./deep/Atten$0tion.md]]\n"),
            expect!["note ml/deep/Attention.md"],
        );
        // The glossary is what gloss is for: it wins over a note's name...
        check(
            &format!("{VAULT}//- n.md\n[[Transfor$0mer]]\n"),
            expect!["glossary Transformer"],
        );
        // ...unless the link names a heading, which only a note has.
        check(
            &format!("{VAULT}//- n.md\n[[Transformer#Train$0ing]]\n"),
            expect!["note Transformer.md # Training"],
        );
        check(
            &format!("{VAULT}//- n.md\n[[注意$0力]]\n"),
            expect!["note ml/Attention.md"],
        );
        check(
            &format!("{VAULT}//- n.md\n[[Notes about th$0ings]]\n"),
            expect!["note Notes About.md"],
        );
        // A title or alias is written as chosen; two notes claiming one tie.
        check(
            &format!("{VAULT}//- n.md\n[[notes about th$0ings]]\n"),
            expect!["Unresolved"],
        );
        check(
            "//- a/Net.md\n---\naliases: [DOS]\n---\n//- b/deep/Disk.md\n---\naliases: [DOS]\n---\n//- a/n.md\n[[D$0OS]]\n",
            expect!["ambiguous a/Net.md, b/deep/Disk.md"],
        );
        // Found in review: a note titled and aliased alike tied with
        // itself; a term's heading link skipped the alias of a note.
        check(
            "//- a/Net.md\n---\ntitle: DOS\naliases: [DOS]\n---\n//- n.md\n[[D$0OS]]\n",
            expect!["note a/Net.md"],
        );
        check(
            "//- glossary.md\n- Kit: a set\n//- Bio/Toolset.md\n---\naliases: [Kit]\n---\n## Use\n//- n.md\n[[Kit#U$0se]]\n",
            expect!["note Bio/Toolset.md # Use"],
        );
        check(
            &format!("{VAULT}//- n.md\n[[A heading is$0 no name]]\n"),
            expect!["Unresolved"],
        );
    }

    #[test]
    fn a_zettelkasten_id_names_the_note_zettlr_finds() {
        // Found in Zettlr vaults: `[[20200303175402]]` is the note with
        // that id in its file name, else the first in its text that opens
        // no wikilink; a file name's id wins over a text's.
        const ZETTELS: &str = "//- Keynes/20200303175402 - 有效需求 💴.md\n# Demand\n## 乘数\n//- money -20200315170318.md\n# Money\n//- Circulation.md\n---\ntitle: 流通\n---\nSee [[20200101120000]] first.\r\nid 20200315162347\r\n//- Quoting.md\nAs 20200303175402 said.\n";
        check(
            &format!("{ZETTELS}//- n.md\n😀 [[2020030317$05402]]\n"),
            expect!["note Keynes/20200303175402 - 有效需求 💴.md"],
        );
        check(
            &format!("{ZETTELS}//- n.md\n[[20200303175402#乘$0数]]\n"),
            expect!["note Keynes/20200303175402 - 有效需求 💴.md # 乘数"],
        );
        check(
            &format!("{ZETTELS}//- n.md\n[[2020031517$00318]]\n"),
            expect!["note money -20200315170318.md"],
        );
        check(
            &format!("{ZETTELS}//- n.md\n[[2020031516$02347]]\n"),
            expect!["note Circulation.md"],
        );
        // The one it links to is not its id; nor is a longer number.
        check(
            &format!("{ZETTELS}//- n.md\n[[2020010112$00000]]\n"),
            expect!["Unresolved"],
        );
        check(
            &format!("{ZETTELS}//- n.md\n[[202003031754$0021]]\n"),
            expect!["Unresolved"],
        );
        // Obsidian links name files only.
        check(
            &format!("{ZETTELS}//- .obsidian/.keep\n//- n.md\n[[2020030317$05402]]\n"),
            expect!["Unresolved"],
        );
    }

    #[test]
    fn the_closest_file_of_a_name() {
        // Same folder as the linking note first.
        check(
            &format!("{VAULT}//- ml/deep/n.md\n[[Atten$0tion]]\n"),
            expect!["note ml/deep/Attention.md"],
        );
        // Else the shortest path.
        check(
            &format!("{VAULT}//- other/n.md\n[[Atten$0tion]]\n"),
            expect!["note ml/Attention.md"],
        );
        check(
            &format!("{VAULT}//- ml/n.md\n![[fig.p$0ng|200]]\n"),
            expect!["file ml/fig.png"],
        );
        check(
            &format!("{VAULT}//- z/n.md\n![[fig.p$0ng]]\n"),
            expect!["file ml/fig.png"],
        );
        check(
            &format!("{VAULT}//- z/n.md\n![[Attachments/fig.p$0ng]]\n"),
            expect!["file Attachments/fig.png"],
        );
    }

    #[test]
    fn anchors_headings_chains_and_blocks() {
        check(
            "//- a.md\n# One\n## Part\n# Two\n## Part\nText ^blk\n//- n.md\n[[a#Two#Pa$0rt]]\n",
            expect!["note a.md # Part"],
        );
        check(
            "//- a.md\n# One\n## Part\n# Two\n## Part\nText ^blk\n//- n.md\n[[a#^BL$0K]]\n",
            expect![[r#"note a.md ^ "Text ^blk""#]],
        );
        check(
            "//- a.md\n# One\n//- n.md\n[[a#Nine$0]]\n",
            expect!["BrokenAnchor { note: 0 }"],
        );
    }
}
