//! The persistent index cache: what parsing each note gave (its
//! [`NoteSyntax`]), kept between runs in the user's cache folder, so that a
//! restart parses only the notes that changed.
//!
//! An entry is keyed by the BLAKE3 hash of the note's bytes, not by its
//! size and modification time. gloss reads every note's text anyway
//! (positions, excerpts and titles are computed from it), hashing costs a
//! small part of reading, and a key taken from the content cannot go stale
//! the way a timestamp can: a file rewritten within the file system's
//! timestamp granularity (which git has to re-hash as "racily clean") is
//! simply a different key. A note that was renamed or copied hits too.
//! What parsing gives depends on the text, gloss's code and the grammar
//! only (the configuration is applied after), so the file is stamped with
//! gloss's version, the grammar and the executable's size and modification
//! time: any other build starts afresh.
//!
//! The file, integers little-endian:
//!
//! ```text
//! "GLOSSIDX"  u32 format  [32] stamp  u64 root length, root
//! u64 body length  [32] BLAKE3 of the body  body
//! body: per entry [32] content hash, u32 length, postcard-encoded syntax
//! ```
//!
//! Nothing in it is trusted: a file whose magic, format, stamp, root,
//! length or checksum does not check out is not read at all, and an entry
//! that does not decode is a miss. A miss means the note is parsed as
//! without a cache, so the cache can change how fast gloss starts, never
//! what it reports. A new file is written to a temporary name and renamed
//! over the old one, so concurrent writers and readers only ever see
//! whole files (the last writer wins).

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::ops::Range;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::syntax::NoteSyntax;

const MAGIC: &[u8; 8] = b"GLOSSIDX";
/// Bumped whenever the layout or [`NoteSyntax`] changes shape.
const FORMAT: u32 = 1;

/// A note's content hash.
pub type Hash = [u8; 32];

/// The hash a note's bytes are cached under.
pub fn hash(text: &str) -> Hash {
    *blake3::hash(text.as_bytes()).as_bytes()
}

/// The folder caches are kept in: `$GLOSS_CACHE_DIR`, else the platform's
/// cache folder (`$XDG_CACHE_HOME` or `~/.cache` on Linux and other Unix
/// systems, `~/Library/Caches` on macOS, `%LOCALAPPDATA%` on Windows),
/// with `gloss` appended to the latter. None when none is known.
pub fn folder() -> Option<PathBuf> {
    let var = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
    };
    if let Some(dir) = var("GLOSS_CACHE_DIR") {
        return Some(dir);
    }
    let base = if cfg!(windows) {
        var("LOCALAPPDATA")
    } else if cfg!(target_os = "macos") {
        var("HOME").map(|h| h.join("Library/Caches"))
    } else {
        var("XDG_CACHE_HOME").or_else(|| var("HOME").map(|h| h.join(".cache")))
    };
    base.map(|b| b.join("gloss"))
}

/// The cache file of the workspace at `root` (canonical) in `folder`: one
/// per workspace, named by a hash of the root's path.
pub fn file_for(folder: &Path, root: &Path) -> PathBuf {
    let digest = blake3::hash(root.as_os_str().as_encoded_bytes());
    let name: String = digest.as_bytes()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    folder.join(format!("{name}.index"))
}

/// What this build writes into and expects of a cache file.
fn stamp() -> Hash {
    let mut hasher = blake3::Hasher::new();
    hasher.update(env!("CARGO_PKG_VERSION").as_bytes());
    hasher.update(tree_sitter_gloss::NODE_TYPES.as_bytes());
    // Builds of one version differ while gloss is developed: the
    // executable itself tells them apart.
    let exe = std::env::current_exe().and_then(std::fs::metadata);
    if let Ok(meta) = exe {
        hasher.update(&meta.len().to_le_bytes());
        if let Ok(modified) = meta.modified() {
            let since = modified.duration_since(std::time::UNIX_EPOCH);
            hasher.update(&since.map_or(0, |d| d.as_nanos()).to_le_bytes());
        }
    }
    *hasher.finalize().as_bytes()
}

/// Content hash → where the entry's encoded syntax is in the body.
type Entries = HashMap<Hash, Range<usize>>;

/// A cache file as read at start-up: the entries of a file that checked
/// out, or none.
#[derive(Debug, Default)]
pub struct IndexCache {
    /// Where it is read from and written to.
    path: Option<PathBuf>,
    root: PathBuf,
    /// The file's body.
    body: Vec<u8>,
    entries: Entries,
}

impl IndexCache {
    /// The cache of the workspace at `root` in the platform's folder; an
    /// empty one when there is none or it does not check out.
    pub fn open(root: &Path) -> IndexCache {
        match folder() {
            Some(folder) => IndexCache::open_at(file_for(&folder, root), root),
            None => IndexCache::default(),
        }
    }

    /// The cache file at `path` for the workspace at `root`.
    pub fn open_at(path: PathBuf, root: &Path) -> IndexCache {
        let (body, entries) = std::fs::read(&path)
            .ok()
            .and_then(|bytes| read_body(bytes, root))
            .unwrap_or_default();
        IndexCache {
            path: Some(path),
            root: root.to_path_buf(),
            body,
            entries,
        }
    }

    /// How many notes the file held.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Parses `text` through the cache: its syntax from the entry for its
    /// hash, or `parse` of it. Returns the syntax, the hash and whether
    /// the entry was there.
    pub fn syntax(
        &self,
        text: &str,
        parse: impl FnOnce(&str) -> NoteSyntax,
    ) -> (NoteSyntax, Hash, bool) {
        let key = hash(text);
        let cached = self
            .entries
            .get(&key)
            .and_then(|range| postcard::from_bytes(&self.body[range.clone()]).ok());
        match cached {
            Some(syntax) => (syntax, key, true),
            None => (parse(text), key, false),
        }
    }

    /// Lets go of the entries' contents once every note is loaded; what
    /// the file holds is still known ([`IndexCache::holds_exactly`]).
    pub fn loaded(&mut self) {
        self.body = Vec::new();
        for range in self.entries.values_mut() {
            *range = 0..0;
        }
    }

    /// Whether the file holds exactly the notes hashed to `hashes`: then
    /// there is nothing to write.
    pub fn holds_exactly(&self, hashes: &HashSet<Hash>) -> bool {
        hashes.len() == self.entries.len() && hashes.iter().all(|h| self.entries.contains_key(h))
    }

    /// A writer of the next file at the same place; the entries read are
    /// let go.
    pub fn into_writer(self) -> Writer {
        Writer {
            path: self.path,
            root: self.root,
            body: Vec::new(),
            seen: HashSet::new(),
        }
    }
}

/// The next cache file, one note at a time.
#[derive(Debug)]
pub struct Writer {
    path: Option<PathBuf>,
    root: PathBuf,
    body: Vec<u8>,
    seen: HashSet<Hash>,
}

impl Writer {
    /// Adds the notes whose texts hashed to these hashes, with their
    /// syntax; each content once. Encoded in parallel.
    pub fn add(&mut self, notes: &[(Hash, &NoteSyntax)]) {
        let encoded: Vec<(Hash, Vec<u8>)> = notes
            .par_iter()
            .filter_map(|(hash, syntax)| Some((*hash, postcard::to_stdvec(syntax).ok()?)))
            .collect();
        for (hash, bytes) in encoded {
            let Ok(len) = u32::try_from(bytes.len()) else {
                continue;
            };
            if self.seen.insert(hash) {
                self.body.extend_from_slice(&hash);
                self.body.extend_from_slice(&len.to_le_bytes());
                self.body.extend_from_slice(&bytes);
            }
        }
    }

    /// Writes the file. A cache that cannot be written is not an error
    /// gloss reports (the next start is only slower): returns whether it
    /// was written.
    pub fn finish(self) -> bool {
        match &self.path {
            Some(path) => write_file(path, &self.root, &self.body).is_ok(),
            None => false,
        }
    }
}

/// The body of a cache file and its entries, if every check passes.
fn read_body(bytes: Vec<u8>, root: &Path) -> Option<(Vec<u8>, Entries)> {
    let mut at: usize = 0;
    let mut take = |n: usize| -> Option<&[u8]> {
        let end = at.checked_add(n).filter(|&e| e <= bytes.len())?;
        let out = &bytes[at..end];
        at = end;
        Some(out)
    };
    if take(MAGIC.len())? != MAGIC {
        return None;
    }
    if u32::from_le_bytes(take(4)?.try_into().ok()?) != FORMAT {
        return None;
    }
    if take(32)? != stamp() {
        return None;
    }
    let root_len = usize::try_from(u64::from_le_bytes(take(8)?.try_into().ok()?)).ok()?;
    if take(root_len)? != root.as_os_str().as_encoded_bytes() {
        return None;
    }
    let body_len = usize::try_from(u64::from_le_bytes(take(8)?.try_into().ok()?)).ok()?;
    let checksum: Hash = take(32)?.try_into().ok()?;
    let body = take(body_len)?;
    if take(1).is_some() || *blake3::hash(body).as_bytes() != checksum {
        return None;
    }
    let start = at - body_len;
    let body = bytes[start..].to_vec();
    let entries = entries(&body)?;
    Some((body, entries))
}

/// The entries of a body, by content hash.
fn entries(body: &[u8]) -> Option<Entries> {
    let mut entries = HashMap::new();
    let mut at = 0;
    while at < body.len() {
        let hash: Hash = body.get(at..at + 32)?.try_into().ok()?;
        let len = u32::from_le_bytes(body.get(at + 32..at + 36)?.try_into().ok()?) as usize;
        let range = at + 36..(at + 36).checked_add(len)?;
        body.get(range.clone())?;
        at = range.end;
        entries.insert(hash, range);
    }
    Some(entries)
}

/// Writes a cache file: to a temporary file beside `path`, then renamed
/// over it. The folder is made private to the user (0700 on Unix).
fn write_file(path: &Path, root: &Path, body: &[u8]) -> std::io::Result<()> {
    let folder = path.parent().unwrap_or(Path::new("."));
    create_private_folder(folder)?;
    let root = root.as_os_str().as_encoded_bytes();
    let mut out = Vec::with_capacity(body.len() + root.len() + 96);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT.to_le_bytes());
    out.extend_from_slice(&stamp());
    out.extend_from_slice(&(root.len() as u64).to_le_bytes());
    out.extend_from_slice(root);
    out.extend_from_slice(&(body.len() as u64).to_le_bytes());
    out.extend_from_slice(blake3::hash(body).as_bytes());
    out.extend_from_slice(body);
    let name = path
        .file_name()
        .map_or("index".into(), |n| n.to_string_lossy());
    sweep(folder, &name);
    let temporary = folder.join(format!(".{name}.{}.{}.tmp", std::process::id(), unique()));
    // Not synced: a file cut short by a crash fails its checksum and is
    // rebuilt, which costs less than making every write wait for the disk.
    let written = std::fs::File::create(&temporary).and_then(|mut file| file.write_all(&out));
    match written.and_then(|()| std::fs::rename(&temporary, path)) {
        Ok(()) => Ok(()),
        Err(error) => {
            let _ = std::fs::remove_file(&temporary);
            Err(error)
        }
    }
}

/// Removes the temporary files of writes of `name` that never finished
/// (the editor quit while gloss was writing): any an hour old.
fn sweep(folder: &Path, name: &str) {
    let prefix = format!(".{name}.");
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let file_name = file_name.to_string_lossy();
        let stale = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > std::time::Duration::from_secs(3600));
        if file_name.starts_with(&prefix) && file_name.ends_with(".tmp") && stale {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// A number no other write of this process uses.
fn unique() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

fn create_private_folder(folder: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(folder)
    }
    #[cfg(not(unix))]
    {
        std::fs::create_dir_all(folder)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse_note;

    const NOTE: &str = "---\ntitle: 注意力 😀\naliases: [Attention]\n---\n# 名词解释\n\n- **Transformer**：见 [[Attention#Heads|heads]] 与 [@vaswani2017, p. 3]。\r\n\n: 定义 ^block\n\n<!-- gloss-ignore: broken-link -->\n{#sec:intro}\n";

    fn fresh(dir: &Path) -> IndexCache {
        IndexCache::open_at(dir.join("x.index"), Path::new("/notes"))
    }

    /// Loads `texts` through a fresh read of the cache and writes it back
    /// as the workspace does: the syntaxes, the hits, whether it wrote.
    fn round(dir: &Path, texts: &[&str]) -> (Vec<NoteSyntax>, usize, bool) {
        let cache = fresh(dir);
        let loaded: Vec<_> = texts.iter().map(|t| cache.syntax(t, parse_note)).collect();
        let hits = loaded.iter().filter(|(_, _, hit)| *hit).count();
        let hashes = loaded.iter().map(|(_, hash, _)| *hash).collect();
        let wrote = !cache.holds_exactly(&hashes) && {
            let mut writer = cache.into_writer();
            let notes: Vec<_> = loaded.iter().map(|(s, hash, _)| (*hash, s)).collect();
            writer.add(&notes);
            writer.finish()
        };
        (loaded.into_iter().map(|(s, _, _)| s).collect(), hits, wrote)
    }

    #[test]
    fn a_second_load_gives_the_same_syntax_from_the_cache() {
        let dir = tempfile::tempdir().unwrap();
        let texts = [NOTE, "plain [[link]]\n", NOTE];
        let (first, hits, wrote) = round(dir.path(), &texts);
        assert_eq!((hits, wrote), (0, true));
        let (second, hits, wrote) = round(dir.path(), &texts);
        assert_eq!(
            (hits, wrote),
            (3, false),
            "nothing changed, nothing written"
        );
        assert_eq!(first, second);
        assert_eq!(second[0], parse_note(NOTE));
        assert!(!second[0].links.is_empty() && !second[0].citations.is_empty());
        // One edited note: one miss, and the file is rewritten without
        // the old text's entry.
        let (_, hits, wrote) = round(dir.path(), &[NOTE, "plain [[link]] edited\n"]);
        assert_eq!((hits, wrote), (1, true));
        assert_eq!(fresh(dir.path()).len(), 2);
    }

    #[test]
    fn a_damaged_or_foreign_file_is_never_read() {
        let dir = tempfile::tempdir().unwrap();
        round(dir.path(), &[NOTE]);
        let path = dir.path().join("x.index");
        let good = std::fs::read(&path).unwrap();
        assert_eq!(fresh(dir.path()).len(), 1);
        let mut damaged = Vec::new();
        // Truncated anywhere, one bit flipped anywhere, junk after it.
        for cut in [0, 7, 12, 44, good.len() / 2, good.len() - 1] {
            damaged.push(good[..cut].to_vec());
        }
        for at in (0..good.len()).step_by(good.len() / 40 + 1) {
            let mut flipped = good.clone();
            flipped[at] ^= 0x10;
            damaged.push(flipped);
        }
        let mut longer = good.clone();
        longer.push(0);
        damaged.push(longer);
        damaged.push(b"not a cache at all".to_vec());
        for bytes in damaged {
            std::fs::write(&path, &bytes).unwrap();
            assert!(fresh(dir.path()).is_empty(), "read a damaged file");
            // Loading through it parses, and writes a good file again.
            let (syntaxes, hits, wrote) = round(dir.path(), &[NOTE]);
            assert_eq!((hits, wrote), (0, true));
            assert_eq!(syntaxes[0], parse_note(NOTE));
        }
        // Another workspace's file at this name.
        let other = IndexCache::open_at(path.clone(), Path::new("/elsewhere"));
        assert!(other.is_empty());
    }

    #[test]
    fn concurrent_writers_leave_one_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        let texts: Vec<String> = (0..50).map(|i| format!("note {i} [[x{i}]]\n")).collect();
        std::thread::scope(|scope| {
            for offset in 0..4 {
                let texts = &texts;
                let dir = dir.path();
                scope.spawn(move || {
                    for _ in 0..5 {
                        let chosen: Vec<&str> =
                            texts.iter().skip(offset).map(String::as_str).collect();
                        round(dir, &chosen);
                        // Every file any reader sees is whole.
                        let seen = fresh(dir);
                        assert!(seen.len() >= 46, "a reader saw {} entries", seen.len());
                    }
                });
            }
        });
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "temporary files left behind");
    }

    #[test]
    fn the_folder_comes_from_the_environment() {
        let root = Path::new("/home/ada/notes");
        let a = file_for(Path::new("/c"), root);
        assert_eq!(a, file_for(Path::new("/c"), root));
        assert_ne!(a, file_for(Path::new("/c"), Path::new("/home/ada/other")));
        assert!(a.starts_with("/c") && a.extension().unwrap() == "index");
    }
}
