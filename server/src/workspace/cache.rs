//! The persistent index cache: what parsing each note gave (its
//! [`NoteSyntax`]), kept between runs in the user's cache folder, so that a
//! restart parses only the notes that changed.
//!
//! An entry is keyed by the BLAKE3 hash of the note's bytes: a key taken
//! from the content cannot go stale the way a timestamp can, and a note
//! that was renamed or copied hits too. What parsing gives depends on the
//! text, gloss's code and the grammar only (the configuration is applied
//! after, and a note's syntax that the configuration changed is never
//! written), so the file is stamped with gloss's version, the grammar and
//! the executable's size and modification time: any other build starts
//! afresh.
//!
//! Beside the entries, a *record* per note says what its file looked like
//! (size, modification and change times, inode and device) and which
//! entry its text hashed to, as git's index does: a note whose file still
//! looks so is not read at all on the next start (its text is left on
//! disk, [`super::text`]), which is most of the cost of a start with
//! nothing changed. As git, gloss trusts a record only of a file that had
//! not changed for [`SETTLED`] when the cache was opened: a file written
//! again within the file system's timestamp granularity of the read would
//! look the same ("racily clean"), and is read and hashed instead. A
//! record also says the note defines no glossary entries and gives the
//! text of its first heading (its title when the front matter has none),
//! which are the only things a note needs its text for when it is loaded;
//! so the records are stamped with the configuration that decides what a
//! glossary is, and dropped when it changes.
//!
//! The file, integers little-endian:
//!
//! ```text
//! "GLOSSIDX"  u32 format  [32] stamp  u64 root length, root
//! u64 body length  [32] BLAKE3 of the body  body
//! body: u64 entries length, entries, u64 names length, names, records
//! entries: per entry [32] content hash, u32 length, postcard-encoded syntax
//!   (each name, a link's target say, as its place in the names)
//! names: postcard-encoded list of every name the entries hold
//! records: [32] configuration stamp, u64 count, per record postcard-encoded
//!   (path, record)
//! ```
//!
//! Nothing in it is taken on trust: a file that is not a regular file of
//! at most [`MAX_FILE`] bytes, or whose magic, format, stamp, root, length
//! or checksum does not check out, is not used at all (it is read through
//! once to check, and an entry is read again from the open file when its
//! note asks: the file is never held whole, only its table of names, from
//! when it is opened until every note is loaded); an entry that does
//! not decode, or whose byte ranges do not fit its note's text, is a miss.
//! A name's place past the end of the names is an entry that does not
//! decode. A miss means the note is parsed as without a cache, so the cache
//! changes how fast gloss starts, not what it reports. A new file is
//! written to a new temporary file (never through an existing one) and
//! renamed over the old one, so concurrent writers and readers only ever
//! see whole files (the last writer wins).

use std::collections::{HashMap, HashSet};
use std::io::{Read, Seek, SeekFrom, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::Duration;

use rayon::prelude::*;

use super::Config;
use crate::syntax::{NameTable, NoteSyntax};

const MAGIC: &[u8; 8] = b"GLOSSIDX";
/// The layout's version. The stamp already tells every build apart; this
/// tells a file of another layout apart before the stamp is read.
const FORMAT: u32 = 3;
/// How long a file must have stayed unchanged before the cache was opened
/// for its record to be trusted: more than any file system's timestamp
/// granularity (FAT's is two seconds).
const SETTLED: Duration = Duration::from_secs(3);
/// The largest cache file read (100k notes make about 70 MB).
const MAX_FILE: u64 = 2 << 30;
/// A workspace's cache file not rewritten for this long is removed by the
/// next write of any other: vaults not opened for months do not pile up.
const UNUSED: Duration = Duration::from_secs(90 * 24 * 3600);
/// Temporary files older than this were left by a process that was
/// killed while writing.
const ABANDONED: Duration = Duration::from_secs(3600);

/// A note's content hash.
pub type Hash = [u8; 32];

/// The hash a note's bytes are cached under.
pub fn hash(text: &str) -> Hash {
    *blake3::hash(text.as_bytes()).as_bytes()
}

/// The folder caches are kept in: `$GLOSS_CACHE_DIR` (an absolute path),
/// else the platform's cache folder (`$XDG_CACHE_HOME` or `~/.cache` on
/// Linux and other Unix systems, `~/Library/Caches` on macOS,
/// `%LOCALAPPDATA%` on Windows) with `gloss` appended. None when none is
/// known.
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

/// What this build writes into and expects of a cache file; computed once
/// per process, so that an executable replaced while gloss runs does not
/// change it midway. None, and no cache, when the executable cannot be
/// looked at: builds of one version could not be told apart.
fn stamp() -> Option<Hash> {
    static STAMP: OnceLock<Option<Hash>> = OnceLock::new();
    *STAMP.get_or_init(|| {
        let exe = std::env::current_exe().and_then(std::fs::metadata).ok()?;
        let modified = exe.modified().ok()?.duration_since(std::time::UNIX_EPOCH);
        let mut hasher = blake3::Hasher::new();
        hasher.update(env!("CARGO_PKG_VERSION").as_bytes());
        hasher.update(tree_sitter_gloss::NODE_TYPES.as_bytes());
        hasher.update(&exe.len().to_le_bytes());
        hasher.update(&modified.ok()?.as_nanos().to_le_bytes());
        Some(*hasher.finalize().as_bytes())
    })
}

/// Content hash → where the entry's encoded syntax is in the file.
type Entries = HashMap<Hash, Range<u64>>;

/// What a note's file looked like when its text was read, and what the
/// text was: see the module's documentation.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Record {
    /// What the file looked like.
    pub stat: Stat,
    /// The text's hash: the entry of its syntax. The text is the file's
    /// bytes (valid UTF-8, read whole): its length is the file's size.
    pub hash: Hash,
    /// The text of the note's first heading, where it is the note's title.
    pub first_heading: Option<Box<str>>,
}

impl Record {
    /// The recorded text's length in bytes.
    pub fn text_len(&self) -> usize {
        self.stat.size as usize
    }
}

/// What git's index compares of a file to know it unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Stat {
    size: u64,
    /// Modification and change times, in nanoseconds since the epoch.
    modified: i128,
    changed: i128,
    inode: u64,
    device: u64,
}

impl Stat {
    /// The file at `path` itself (a symbolic link is not followed: its
    /// target could change without it), if it is a regular file. None
    /// where the platform has no inodes: no records there.
    pub fn of(path: &Path) -> Option<Stat> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let meta = std::fs::symlink_metadata(path).ok()?;
            let nanos = |s: i64, ns: i64| i128::from(s) * 1_000_000_000 + i128::from(ns);
            meta.is_file().then(|| Stat {
                size: meta.size(),
                modified: nanos(meta.mtime(), meta.mtime_nsec()),
                changed: nanos(meta.ctime(), meta.ctime_nsec()),
                inode: meta.ino(),
                device: meta.dev(),
            })
        }
        #[cfg(not(unix))]
        {
            let _ = path;
            None
        }
    }

    /// Whether both times are before `time`.
    fn settled_before(&self, time: std::time::SystemTime) -> bool {
        let Ok(since_epoch) = time.duration_since(std::time::UNIX_EPOCH) else {
            return false;
        };
        let limit = since_epoch.as_nanos() as i128;
        self.modified < limit && self.changed < limit
    }
}

/// The order records are sorted and found in: by the path's bytes, which
/// compares several times faster than [`Path`]'s order by components (a
/// warm start at 100k notes looks a record up for each note).
fn bytes(path: &Path) -> &[u8] {
    path.as_os_str().as_encoded_bytes()
}

/// What the records depend on besides the notes: the configuration that
/// decides whether a note defines glossary entries, and whether its front
/// matter is used (a title there makes the first heading's text not
/// recorded).
fn records_stamp(config: &Config) -> Hash {
    let mut hasher = blake3::Hasher::new();
    hasher.update(format!("{:?}", config.glossary_section_names).as_bytes());
    hasher.update(format!("{:?}", config.glossary_files).as_bytes());
    hasher.update(&config.max_front_matter_size.to_le_bytes());
    *hasher.finalize().as_bytes()
}

/// The records of a records section after its stamp: their count, then
/// each. None if they are not all there, or more is.
fn read_records(mut bytes: &[u8]) -> Option<Vec<(PathBuf, Record)>> {
    let (count, rest) = bytes.split_first_chunk::<8>()?;
    bytes = rest;
    let mut records = Vec::new();
    for _ in 0..u64::from_le_bytes(*count) {
        let (record, rest) = postcard::take_from_bytes(bytes).ok()?;
        records.push(record);
        bytes = rest;
    }
    bytes.is_empty().then_some(records)
}

/// The records of the notes a cache file is written for, given again to
/// the function passed when the file is finished: they were hashed and
/// counted first ([`RecordsDigest`]), to tell whether the file needs
/// writing, and are written as they come rather than kept meanwhile
/// (12 MB at 100k notes).
pub type Records<'a> = dyn FnOnce(&mut dyn FnMut(&Path, &Record)) + 'a;

/// Writes the records section to `out`: the stamp, the count left blank
/// (`Ok` gives it, for the caller to write over the blank), then each
/// record `again` gives. A note that changed since the records were
/// counted is left out, as its entry is: the rest is written.
fn write_records<W: Write>(stamp: &Hash, again: Box<Records>, out: &mut W) -> std::io::Result<u64> {
    out.write_all(stamp)?;
    out.write_all(&0u64.to_le_bytes())?;
    let mut written = RecordsDigest::default();
    let mut failed = None;
    again(&mut |path, record| {
        if failed.is_some() {
            return;
        }
        if let Some(encoded) = written.add(path, record) {
            if let Err(error) = out.write_all(&encoded) {
                failed = Some(error);
            }
        }
    });
    match failed {
        Some(error) => Err(error),
        None => Ok(written.count as u64),
    }
}

/// What is written through it is hashed and counted, not kept.
#[derive(Default)]
struct Digest {
    hasher: blake3::Hasher,
    len: u64,
}

impl Write for &mut Digest {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.hasher.update(bytes);
        self.len += bytes.len() as u64;
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Records as a file's records section holds them, one after another in
/// the order of their paths' bytes, counted and hashed as they come: so a
/// start can tell whether the records it would write are those the file
/// holds before it builds them all (a warm start at 100k notes made a
/// list of 20 MB to find nothing to write).
#[derive(Default)]
pub struct RecordsDigest {
    digest: Digest,
    count: usize,
}

impl std::fmt::Debug for RecordsDigest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordsDigest")
            .field("count", &self.count)
            .finish()
    }
}

impl RecordsDigest {
    /// Adds the record of the note at `path`, which must come after the
    /// records added before in the order of [`bytes`], and gives it
    /// encoded. A path that is not UTF-8 has no record
    /// ([`IndexCache::record`]) and is not added.
    pub fn add(&mut self, path: &Path, record: &Record) -> Option<Vec<u8>> {
        let encoded = postcard::to_stdvec(&(path, record)).ok()?;
        self.digest.hasher.update(&encoded);
        self.count += 1;
        Some(encoded)
    }

    fn finish(&self) -> (usize, Hash) {
        (self.count, *self.digest.hasher.finalize().as_bytes())
    }
}

/// The order records are kept, hashed and written in; what a caller of
/// [`RecordsDigest::add`] sorts by.
pub fn record_order(a: &Path, b: &Path) -> std::cmp::Ordering {
    bytes(a).cmp(bytes(b))
}

/// A cache file as read at start-up: the entries of a file that checked
/// out, or none.
#[derive(Debug, Default)]
pub struct IndexCache {
    /// Where it is read from and written to; None: no cache.
    path: Option<PathBuf>,
    root: PathBuf,
    stamp: Hash,
    /// The file as opened and checked, until every note is loaded: an
    /// entry is read from it when a note asks for it, so the file (about
    /// 0.7 KB a note) is never held whole.
    file: Option<std::fs::File>,
    entries: Entries,
    /// The names the entries hold, by place ([`crate::syntax::read_table`]).
    names: Vec<arcstr::ArcStr>,
    /// The hashes of the notes the file holds.
    held: HashSet<Hash>,
    /// Whether an entry was found but not used (it did not decode or fit
    /// its note): the file is then written again.
    rejected: AtomicBool,
    /// The records section as read, until it is decoded.
    records_section: Vec<u8>,
    /// The records for the configuration given to [`IndexCache::open`],
    /// by path (as written).
    records: Vec<(PathBuf, Record)>,
    /// The count and hash of the records as read ([`RecordsDigest`]), if
    /// they were: a file whose notes and records are unchanged is not
    /// written again.
    records_read: Option<(usize, Hash)>,
    records_stamp: Hash,
    /// When the cache was opened: before any note was read.
    opened: Option<std::time::SystemTime>,
    /// [`SETTLED`]; shorter in tests.
    settle: Duration,
    /// Notes loaded by their records, without being read.
    unread: AtomicUsize,
}

impl IndexCache {
    /// The cache of the workspace at `root` in the platform's folder, its
    /// records read for `config`; an empty one when there is none or it
    /// does not check out.
    pub fn open(root: &Path, config: &Config) -> IndexCache {
        match folder() {
            Some(folder) => IndexCache::open_at(file_for(&folder, root), root).for_config(config),
            None => IndexCache::default(),
        }
    }

    /// Reads the records, if they were written for `config`'s glossary
    /// settings; from now on they are written for those.
    pub fn for_config(mut self, config: &Config) -> IndexCache {
        self.records_stamp = records_stamp(config);
        let section = std::mem::take(&mut self.records_section);
        if section.get(..32) == Some(self.records_stamp.as_slice()) {
            let list = read_records(&section[32..]).unwrap_or_default();
            // Sorted when written; a file that says otherwise is not used.
            if list.is_sorted_by(|a, b| bytes(&a.0) < bytes(&b.0)) {
                let mut read = RecordsDigest::default();
                for (path, record) in &list {
                    read.add(path, record);
                }
                self.records = list;
                self.records_read = Some(read.finish());
            }
        }
        self
    }

    /// The cache file at `path` for the workspace at `root`. No cache at
    /// all (nothing read or written) in a folder others may write to, or
    /// when this build has no stamp.
    pub fn open_at(path: PathBuf, root: &Path) -> IndexCache {
        let folder = path.parent().unwrap_or(Path::new("."));
        let Some(stamp) = stamp().filter(|_| private_or_missing(folder)) else {
            return IndexCache::default();
        };
        let opened = std::time::SystemTime::now();
        let (file, (entries, names, records_section)) = open_file(&path)
            .and_then(|(file, len)| {
                let read = read_entries(&file, len, root, &stamp)?;
                Some((Some(file), read))
            })
            .unwrap_or_default();
        IndexCache {
            path: Some(path),
            root: root.to_path_buf(),
            stamp,
            file,
            held: entries.keys().copied().collect(),
            entries,
            names,
            rejected: AtomicBool::new(false),
            records_section,
            records: Vec::new(),
            records_read: None,
            records_stamp: Hash::default(),
            opened: Some(opened),
            settle: SETTLED,
            unread: AtomicUsize::new(0),
        }
    }

    /// How many notes the file held.
    pub fn len(&self) -> usize {
        self.held.len()
    }

    pub fn is_empty(&self) -> bool {
        self.held.is_empty()
    }

    /// Parses `text` through the cache: its syntax from the entry for its
    /// hash, or `parse` of it. Returns the syntax, the hash and whether
    /// the entry was used.
    pub fn syntax(
        &self,
        text: &str,
        parse: impl FnOnce(&str) -> NoteSyntax,
    ) -> (NoteSyntax, Hash, bool) {
        match self.cached(text) {
            (Some(syntax), key) => (syntax, key, true),
            (None, key) => (parse(text), key, false),
        }
    }

    /// The syntax of `text` from the entry for its hash, if there is a
    /// sound one, and the hash.
    pub fn cached(&self, text: &str) -> (Option<NoteSyntax>, Hash) {
        let key = hash(text);
        let Some(range) = self.entries.get(&key) else {
            return (None, key);
        };
        let cached = self
            .entry(range)
            .and_then(|bytes| self.decode(&bytes))
            // What parsing gives: every range inside the text, on
            // character boundaries, and keys read by gloss's rule.
            .filter(|syntax| !syntax.pandoc_keys && syntax.ranges_fit(text));
        if cached.is_none() {
            self.rejected.store(true, Ordering::Relaxed);
        }
        (cached, key)
    }

    /// The syntax and record of the note at `path`, without reading it,
    /// if its file looks as its record says, is at most `limit` bytes and
    /// the entry of its text is sound.
    pub fn unchanged(&self, path: &Path, limit: u64) -> Option<(NoteSyntax, &Record)> {
        let at = self
            .records
            .binary_search_by(|(p, _)| bytes(p).cmp(bytes(path)))
            .ok()?;
        let record = &self.records[at].1;
        if Stat::of(path)? != record.stat || record.stat.size > limit {
            return None;
        }
        let range = self.entries.get(&record.hash)?;
        let len = usize::try_from(record.stat.size).ok()?;
        let Some(syntax) = self
            .entry(range)
            .and_then(|bytes| self.decode(&bytes))
            .filter(|syntax| !syntax.pandoc_keys && syntax.ranges_within(len))
        else {
            self.rejected.store(true, Ordering::Relaxed);
            return None;
        };
        self.unread.fetch_add(1, Ordering::Relaxed);
        Some((syntax, record))
    }

    /// The syntax an entry's `bytes` encode, if they do.
    fn decode(&self, bytes: &[u8]) -> Option<NoteSyntax> {
        crate::syntax::decoding_with(&self.names, || postcard::from_bytes(bytes).ok())
    }

    /// The bytes of the entry at `range` of the file, read now.
    fn entry(&self, range: &Range<u64>) -> Option<Vec<u8>> {
        let mut bytes = vec![0; usize::try_from(range.end - range.start).ok()?];
        read_at(self.file.as_ref()?, &mut bytes, range.start).ok()?;
        Some(bytes)
    }

    /// How many notes were loaded by their records, without being read.
    pub fn unread(&self) -> usize {
        self.unread.load(Ordering::Relaxed)
    }

    /// The record to write of the note at `path`, whose text of `len`
    /// bytes hashed to `hash` was read (after the cache was opened) when
    /// the file looked as `read_as`: none if it no longer does, or had
    /// changed within [`SETTLED`] before the cache was opened (it may have
    /// changed again while it was read without looking changed), or is not
    /// a regular file, or the text is not its bytes as they are. Both
    /// checks of time, as a file system's clock may not be this
    /// machine's.
    pub fn record(
        &self,
        path: &Path,
        read_as: &Stat,
        hash: Hash,
        len: usize,
        first_heading: Option<&str>,
    ) -> Option<Record> {
        let settled = self.opened?.checked_sub(self.settle)?;
        let stat = Stat::of(path)
            .filter(|s| s == read_as && s.size == len as u64)
            .filter(|s| s.settled_before(settled))?;
        Some(Record {
            stat,
            hash,
            first_heading: first_heading.map(Box::from),
        })
    }

    /// Lets go of the entries and records once every note is loaded; what
    /// the file holds is still known.
    pub fn loaded(&mut self) {
        self.file = None;
        self.entries = Entries::new();
        self.names = Vec::new();
        self.records = Vec::new();
    }

    /// Whether the file holds exactly the notes hashed to `hashes` and the
    /// records `records` hashed, and no entry of it was rejected: then
    /// [`IndexCache::save`] would write nothing.
    pub fn is_current(&self, hashes: &HashSet<Hash>, records: &RecordsDigest) -> bool {
        let records_current = match self.records_read {
            None => records.count == 0,
            Some(read) => records.finish() == read,
        };
        hashes.len() == self.held.len()
            && hashes.iter().all(|h| self.held.contains(h))
            && records_current
            && !self.rejected.load(Ordering::Relaxed)
    }

    /// Writes the file anew for the notes hashed to `hashes`, with
    /// `records` ([`IndexCache::record`]), unless it holds exactly those
    /// (and no entry was rejected): `fill` adds their syntax to the
    /// writer. A cache that cannot be written is not an error gloss
    /// reports (the next start is only slower); returns whether it was
    /// written. [`wait_for_writes`] waits for it.
    pub fn save(
        &self,
        hashes: &HashSet<Hash>,
        mut records: Vec<(PathBuf, Record)>,
        fill: impl FnOnce(&mut Writer),
    ) -> bool {
        records.sort_unstable_by(|a, b| record_order(&a.0, &b.0));
        let mut digest = RecordsDigest::default();
        for (path, record) in &records {
            digest.add(path, record);
        }
        let again = move |add: &mut dyn FnMut(&Path, &Record)| {
            for (path, record) in &records {
                add(path, record);
            }
        };
        self.save_records(hashes, digest, fill, Box::new(again))
    }

    /// [`IndexCache::save`] with the records given as their `digest`, and
    /// again, once the entries are written, by `again` ([`Records`]).
    pub fn save_records(
        &self,
        hashes: &HashSet<Hash>,
        records: RecordsDigest,
        fill: impl FnOnce(&mut Writer),
        again: Box<Records>,
    ) -> bool {
        let Some(path) = self
            .path
            .clone()
            .filter(|_| !self.is_current(hashes, &records))
        else {
            return false;
        };
        let _writing = Writing::start();
        match Writer::create(&path, &self.root, self.stamp) {
            Ok(mut writer) => {
                writer.records_stamp = self.records_stamp;
                fill(&mut writer);
                writer.finish(&path, again)
            }
            Err(_) => false,
        }
    }
}

/// Counts a write in [`WRITES`] while it lasts, even if it panics.
struct Writing;

impl Writing {
    fn start() -> Writing {
        WRITES.fetch_add(1, Ordering::SeqCst);
        Writing
    }
}

impl Drop for Writing {
    fn drop(&mut self) {
        WRITES.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Cache files being encoded or written by this process.
static WRITES: AtomicUsize = AtomicUsize::new(0);

/// Waits, at most `limit`, until no cache file is being written: the
/// language server calls it before it exits, so that closing the editor
/// soon after a vault was indexed does not lose the cache.
pub fn wait_for_writes(limit: Duration) {
    let deadline = std::time::Instant::now() + limit;
    while WRITES.load(Ordering::SeqCst) > 0 && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The next cache file, a batch of notes at a time: written as it is
/// filled into a new temporary file beside the cache file (readable by the
/// user alone), which is renamed over it when finished. Entries go to the
/// file as they are added, so the file (about 0.7 KB a note) is never held
/// whole; the header, which gives the body's length and checksum, is
/// written last.
#[derive(Debug)]
pub struct Writer {
    /// The temporary file and its name; None once abandoned or failed.
    out: Option<(std::io::BufWriter<std::fs::File>, PathBuf)>,
    header: Vec<u8>,
    entries_len: u64,
    seen: HashSet<Hash>,
    /// The names the entries written hold.
    names: std::sync::Mutex<NameTable>,
    /// What the records are written for.
    records_stamp: Hash,
}

impl Writer {
    /// A new temporary file for the cache file at `path`, its header and
    /// the entries' length left blank. The folder is made private to the
    /// user (0700 on Unix) if gloss creates it.
    fn create(path: &Path, root: &Path, stamp: Hash) -> std::io::Result<Writer> {
        let folder = path.parent().unwrap_or(Path::new("."));
        create_private_folder(folder)?;
        // Again: the folder may have changed since the cache was opened.
        if !private_or_missing(folder) {
            return Err(std::io::Error::other("the cache folder is not private"));
        }
        let root = root.as_os_str().as_encoded_bytes();
        let mut header = Vec::with_capacity(root.len() + 96);
        header.extend_from_slice(MAGIC);
        header.extend_from_slice(&FORMAT.to_le_bytes());
        header.extend_from_slice(&stamp);
        header.extend_from_slice(&(root.len() as u64).to_le_bytes());
        header.extend_from_slice(root);
        let name = path
            .file_name()
            .map_or("index".into(), |n| n.to_string_lossy());
        sweep(folder, &name);
        let temporary = folder.join(format!(".{name}.{}.{}.tmp", std::process::id(), unique()));
        let mut options = std::fs::OpenOptions::new();
        // A new file: never written through a file or link already there.
        options.read(true).write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut out = std::io::BufWriter::new(options.open(&temporary)?);
        // Blank until finished: the body's length and checksum, and the
        // entries' length that starts the body.
        let blank = vec![0; header.len() + 8 + 32 + 8];
        if let Err(error) = out.write_all(&blank) {
            let _ = std::fs::remove_file(&temporary);
            return Err(error);
        }
        Ok(Writer {
            out: Some((out, temporary)),
            header,
            entries_len: 0,
            seen: HashSet::new(),
            names: Default::default(),
            records_stamp: Hash::default(),
        })
    }

    /// Adds the notes whose texts hashed to these hashes, with their
    /// syntax; each content once. Encoded on every core when `parallel`
    /// (`gloss check`), else on the calling thread alone (the language
    /// server, whose requests need the other cores meanwhile).
    pub fn add(&mut self, notes: &[(Hash, &NoteSyntax)], parallel: bool) {
        if self.out.is_none() {
            return;
        }
        // Each content once, and only what is written gives its names
        // places: every place is then in an entry (which the reader
        // checks).
        let notes: Vec<&(Hash, &NoteSyntax)> = notes
            .iter()
            .filter(|(hash, _)| self.seen.insert(*hash))
            .collect();
        let names = &self.names;
        let encode = |(hash, syntax): &&(Hash, &NoteSyntax)| {
            let bytes = crate::syntax::encoding_with(names, || postcard::to_stdvec(*syntax));
            Some((*hash, bytes.ok()?))
        };
        let encoded: Vec<(Hash, Vec<u8>)> = match parallel {
            true => notes.par_iter().filter_map(encode).collect(),
            false => notes.iter().filter_map(encode).collect(),
        };
        for (hash, bytes) in encoded {
            let Ok(len) = u32::try_from(bytes.len()) else {
                continue;
            };
            let Some((out, _)) = &mut self.out else {
                return;
            };
            let written = out
                .write_all(&hash)
                .and_then(|()| out.write_all(&len.to_le_bytes()))
                .and_then(|()| out.write_all(&bytes));
            if written.is_err() {
                self.abandon();
                return;
            }
            self.entries_len += 36 + u64::from(len);
        }
    }

    /// Gives up: nothing is written (the notes are no longer those the
    /// file was for).
    pub fn abandon(&mut self) {
        if let Some((out, temporary)) = self.out.take() {
            drop(out);
            let _ = std::fs::remove_file(temporary);
        }
    }

    /// Writes the names, the records `again` gives and the header, and
    /// renames the file over `path`.
    fn finish(mut self, path: &Path, again: Box<Records>) -> bool {
        let Some((out, temporary)) = self.out.take() else {
            return false;
        };
        /// Removes the temporary file unless it was renamed, even if
        /// `again` panics.
        struct Temporary<'a>(&'a Path);
        impl Drop for Temporary<'_> {
            fn drop(&mut self) {
                let _ = std::fs::remove_file(self.0);
            }
        }
        let _temporary = Temporary(&temporary);
        self.complete(out, again)
            .and_then(|()| std::fs::rename(&temporary, path))
            .is_ok()
    }

    fn complete(
        &self,
        mut out: std::io::BufWriter<std::fs::File>,
        again: Box<Records>,
    ) -> std::io::Result<()> {
        let names = self
            .names
            .lock()
            .map_err(|_| std::io::Error::other("names"))?;
        let mut counted = Digest::default();
        names.write(&mut counted)?;
        out.write_all(&counted.len.to_le_bytes())?;
        names.write(&mut out)?;
        drop(names);
        let records = write_records(&self.records_stamp, again, &mut out)?;
        let mut file = out.into_inner().map_err(|e| e.into_error())?;
        // The entries' length and the records' count, then the body read
        // back for its checksum (from the page cache: cheaper than holding
        // the body to hash it).
        let body_start = (self.header.len() + 8 + 32) as u64;
        file.seek(SeekFrom::Start(body_start))?;
        file.write_all(&self.entries_len.to_le_bytes())?;
        let records_count_at = body_start + 8 + self.entries_len + 8 + counted.len + 32;
        file.seek(SeekFrom::Start(records_count_at))?;
        file.write_all(&records.to_le_bytes())?;
        file.seek(SeekFrom::Start(body_start))?;
        let mut digest = Digest::default();
        std::io::copy(&mut std::io::BufReader::new(&file), &mut &mut digest)?;
        let mut header = self.header.clone();
        header.extend_from_slice(&digest.len.to_le_bytes());
        header.extend_from_slice(digest.hasher.finalize().as_bytes());
        file.seek(SeekFrom::Start(0))?;
        // Not synced: a file cut short by a crash fails its checksum and
        // is rebuilt, which costs less than making every write wait for
        // the disk.
        file.write_all(&header)
    }
}

impl Drop for Writer {
    /// A writer dropped unfinished (its filling failed) leaves no file.
    fn drop(&mut self) {
        self.abandon();
    }
}

/// Whether `folder` is the user's own and no one else may write to it (or
/// does not exist yet, and will be made so): a cache in a shared folder
/// could be replaced by another user.
fn private_or_missing(folder: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match std::fs::metadata(folder) {
            // SAFETY: geteuid has no preconditions and cannot fail.
            Ok(meta) => {
                meta.is_dir()
                    && meta.uid() == unsafe { libc::geteuid() }
                    && meta.mode() & 0o022 == 0
            }
            Err(error) => error.kind() == std::io::ErrorKind::NotFound,
        }
    }
    #[cfg(not(unix))]
    {
        std::fs::metadata(folder).map_or(true, |m| m.is_dir())
    }
}

/// The cache file at `path` and its length, if it is a regular file of
/// at most [`MAX_FILE`] bytes: not through a symbolic link, and opened
/// without blocking, so that a FIFO or a device put there cannot hang
/// gloss.
fn open_file(path: &Path) -> Option<(std::fs::File, u64)> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let file = options.open(path).ok()?;
    let meta = file.metadata().ok()?;
    (meta.is_file() && meta.len() <= MAX_FILE).then_some((file, meta.len()))
}

/// Reads `buf.len()` bytes of `file` at `offset`, from any thread at once.
fn read_at(file: &std::fs::File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
    }
    #[cfg(windows)]
    {
        let mut done = 0;
        while done < buf.len() {
            match std::os::windows::fs::FileExt::seek_read(
                file,
                &mut buf[done..],
                offset + done as u64,
            )? {
                0 => return Err(std::io::ErrorKind::UnexpectedEof.into()),
                n => done += n,
            }
        }
        Ok(())
    }
}

fn read_array<const N: usize>(reader: &mut impl Read) -> Option<[u8; N]> {
    let mut bytes = [0; N];
    reader.read_exact(&mut bytes).ok()?;
    Some(bytes)
}

/// The entries of the cache file `file`, `len` bytes long, if every check
/// passes (where each entry is in the file), its names and its records
/// section. The file is read once through, the entries' syntax only
/// hashed.
fn read_entries(
    file: &std::fs::File,
    len: u64,
    root: &Path,
    stamp: &Hash,
) -> Option<(Entries, Vec<arcstr::ArcStr>, Vec<u8>)> {
    // The header unbuffered (a few small reads), so that what is buffered
    // after it is all body, hashed as it is read.
    let mut reader = file;
    if read_array(&mut reader)? != *MAGIC {
        return None;
    }
    if u32::from_le_bytes(read_array(&mut reader)?) != FORMAT {
        return None;
    }
    if read_array::<32>(&mut reader)? != *stamp {
        return None;
    }
    let root = root.as_os_str().as_encoded_bytes();
    if u64::from_le_bytes(read_array(&mut reader)?) != root.len() as u64 {
        return None;
    }
    let mut written_root = vec![0; root.len()];
    reader.read_exact(&mut written_root).ok()?;
    if written_root != root {
        return None;
    }
    let body_len = u64::from_le_bytes(read_array(&mut reader)?);
    let checksum: Hash = read_array(&mut reader)?;
    let start = (MAGIC.len() + 4 + 32 + 8 + root.len() + 8 + 32) as u64;
    if start.checked_add(body_len)? != len {
        return None;
    }
    let mut reader = std::io::BufReader::with_capacity(1 << 20, Hashing::new(file));
    let take = |n: u64, reader: &mut std::io::BufReader<Hashing>| -> Option<Vec<u8>> {
        let mut bytes = vec![0; usize::try_from(n).ok()?];
        reader.read_exact(&mut bytes).ok()?;
        Some(bytes)
    };
    let entries_len = u64::from_le_bytes(take(8, &mut reader)?.try_into().ok()?);
    let entries_end = 8u64.checked_add(entries_len).filter(|&e| e <= body_len)?;
    let mut entries = HashMap::new();
    let mut at = 8;
    while at < entries_end {
        let head = take(36, &mut reader)?;
        let hash: Hash = head[..32].try_into().ok()?;
        let entry_len = u64::from(u32::from_le_bytes(head[32..].try_into().ok()?));
        let entry = at + 36
            ..(at + 36)
                .checked_add(entry_len)
                .filter(|&e| e <= entries_end)?;
        take(entry_len, &mut reader)?;
        entries.insert(hash, start + entry.start..start + entry.end);
        at = entry.end;
    }
    let names_len = u64::from_le_bytes(take(8, &mut reader)?.try_into().ok()?);
    let names_end = (entries_end + 8)
        .checked_add(names_len)
        .filter(|&e| e <= body_len)?;
    let names = take(names_len, &mut reader)?;
    let records = take(body_len - names_end, &mut reader)?;
    // Read to its end: every byte of the body went through the hasher.
    let hashed = reader.into_inner().hasher.finalize();
    if *hashed.as_bytes() != checksum {
        return None;
    }
    // Each place is in an entry, a byte at least.
    let at_most = usize::try_from(entries_len).ok()?;
    let names = crate::syntax::read_table(&names, at_most)?;
    Some((entries, names, records))
}

/// Hashes what is read through it, as it comes: a chunk at a time, which
/// BLAKE3 hashes several times faster than an entry at a time.
struct Hashing<'a> {
    file: &'a std::fs::File,
    hasher: blake3::Hasher,
}

impl<'a> Hashing<'a> {
    fn new(file: &'a std::fs::File) -> Hashing<'a> {
        Hashing {
            file,
            hasher: blake3::Hasher::new(),
        }
    }
}

impl Read for Hashing<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.file.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

/// Removes what no one will read: temporary files of writes that never
/// finished (the editor was killed while gloss wrote), of any workspace,
/// and other workspaces' cache files not rewritten for [`UNUSED`]. Only
/// files named as gloss names them.
fn sweep(folder: &Path, name: &str) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let file_name = file_name.to_string_lossy();
        let age = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .unwrap_or_default();
        let cache_file = |n: &str| {
            n.len() == 32 + ".index".len()
                && n.ends_with(".index")
                && n[..32].bytes().all(|b| b.is_ascii_hexdigit())
        };
        // `.<cache file>.<pid>.<n>.tmp`, of any workspace.
        let abandoned = file_name.ends_with(".tmp")
            && file_name
                .strip_prefix('.')
                .and_then(|n| n.get(..32 + ".index".len()))
                .is_some_and(cache_file)
            && age > ABANDONED;
        let unused = cache_file(&file_name) && file_name != name && age > UNUSED;
        if abandoned || unused {
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
    use crate::syntax::{parse_note, Block};

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
        let notes: Vec<_> = loaded.iter().map(|(s, hash, _)| (*hash, s)).collect();
        let wrote = cache.save(&hashes, Vec::new(), |writer| writer.add(&notes, true));
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
    fn entries_are_read_from_the_file_opened_and_an_abandoned_write_leaves_it() {
        let dir = tempfile::tempdir().unwrap();
        round(dir.path(), &[NOTE]);
        let path = dir.path().join("x.index");
        let before = std::fs::read(&path).unwrap();
        let cache = fresh(dir.path());
        // Replaced meanwhile by another writer: the file opened is read.
        round(dir.path(), &["other [[note]]\n"]);
        assert_eq!(cache.cached(NOTE).0, Some(parse_note(NOTE)));
        // A write given up, or failing, leaves the file as it was and no
        // temporary file.
        std::fs::write(&path, &before).unwrap();
        let hashes = [hash("changed\n")].into_iter().collect();
        let wrote = fresh(dir.path()).save(&hashes, Vec::new(), |writer| {
            writer.add(&[(hash("changed\n"), &parse_note("changed\n"))], false);
            writer.abandon();
        });
        assert!(!wrote);
        assert_eq!(std::fs::read(&path).unwrap(), before);
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "temporary files left behind");
    }

    /// A file that checks out but whose entry does not fit the note (what
    /// only someone writing it on purpose could make): a miss, not a
    /// panic when the ranges are used.
    #[test]
    fn an_entry_that_does_not_fit_its_note_is_a_miss() {
        let dir = tempfile::tempdir().unwrap();
        let mut syntax = parse_note(NOTE);
        let block = &syntax.blocks[0];
        syntax.blocks[0] = Block::new(block.kind, block.range(), 5..100_000);
        let key = HashSet::from([hash(NOTE)]);
        // Written from no file, so that the write is not skipped.
        let write = |syntax: &NoteSyntax| {
            std::fs::remove_file(dir.path().join("x.index")).ok();
            let cache = fresh(dir.path());
            assert!(cache.save(&key, Vec::new(), |w| w.add(&[(hash(NOTE), syntax)], false)));
        };
        write(&syntax);
        let cache = fresh(dir.path());
        assert_eq!(cache.len(), 1);
        let (got, _, hit) = cache.syntax(NOTE, parse_note);
        assert!(!hit);
        assert_eq!(got, parse_note(NOTE));
        // The rejected entry is written again, from the note's parse.
        assert!(cache.save(&key, Vec::new(), |w| w.add(&[(hash(NOTE), &got)], false)));
        assert!(fresh(dir.path()).syntax(NOTE, parse_note).2);
        // Inside a character (😀 is four bytes) is no better.
        let at = NOTE.find('😀').unwrap() + 1;
        let block = &syntax.blocks[0];
        syntax.blocks[0] = Block::new(block.kind, block.range(), at..at + 1);
        write(&syntax);
        assert!(!fresh(dir.path()).syntax(NOTE, parse_note).2);
    }

    #[cfg(unix)]
    #[test]
    fn special_files_links_and_shared_folders_are_not_used() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.index");
        // A FIFO where the file should be: not opened for long, not read.
        let fifo = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a valid C string; mkfifo has no other preconditions.
        assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) }, 0);
        assert!(fresh(dir.path()).is_empty());
        std::fs::remove_file(&path).unwrap();
        // A link to a good cache file elsewhere: not followed.
        let elsewhere = tempfile::tempdir().unwrap();
        round(elsewhere.path(), &[NOTE]);
        std::os::unix::fs::symlink(elsewhere.path().join("x.index"), &path).unwrap();
        assert!(fresh(dir.path()).is_empty());
        // Writing replaces the link, and does not write through it.
        let before = std::fs::read(elsewhere.path().join("x.index")).unwrap();
        round(dir.path(), &["another note\n"]);
        assert!(!path.is_symlink());
        assert_eq!(
            std::fs::read(elsewhere.path().join("x.index")).unwrap(),
            before
        );
        // The file is the user's alone.
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        // A folder others may write to: no cache, nothing written.
        let shared = tempfile::tempdir().unwrap();
        std::fs::set_permissions(shared.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
        let (_, hits, wrote) = round(shared.path(), &[NOTE]);
        assert_eq!((hits, wrote), (0, false));
        assert_eq!(std::fs::read_dir(shared.path()).unwrap().count(), 0);
    }

    #[test]
    fn the_folder_comes_from_the_environment() {
        let root = Path::new("/home/ada/notes");
        let a = file_for(Path::new("/c"), root);
        assert_eq!(a, file_for(Path::new("/c"), root));
        assert_ne!(a, file_for(Path::new("/c"), Path::new("/home/ada/other")));
        assert!(a.starts_with("/c") && a.extension().unwrap() == "index");
    }

    /// A vault folder beside a cache file, and a configuration that
    /// leaves texts on disk (records are used only then).
    fn vault() -> (
        tempfile::TempDir,
        PathBuf,
        PathBuf,
        crate::workspace::Config,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("vault");
        std::fs::create_dir(&root).unwrap();
        let root = root.canonicalize().unwrap();
        let cache_file = dir.path().join("x.index");
        let mut config = crate::workspace::Config::default();
        config.texts_on_disk = true;
        (dir, root, cache_file, config)
    }

    /// A vault's notes loaded through a cache opened now, as `gloss check
    /// --cache` and the language server load them, and the cache saved
    /// again: each note with whether it came from the cache, and whether
    /// the cache was written.
    fn load_and_save(
        root: &Path,
        cache_file: &Path,
        config: &crate::workspace::Config,
        settle: Duration,
        paths: &[PathBuf],
    ) -> (Vec<(crate::workspace::Note, bool)>, usize, bool) {
        use crate::workspace::{cache_record, load_note_cached, text_reader};
        let mut cache = IndexCache::open_at(cache_file.to_path_buf(), root).for_config(config);
        cache.settle = settle;
        let reader = text_reader(root, config).unwrap();
        let notes: Vec<_> = paths
            .iter()
            .map(|p| load_note_cached(root, p, config, Some(&cache), Some(&reader)))
            .collect();
        let unread = cache.unread();
        let cached: Vec<_> = notes
            .iter()
            .filter_map(|(n, _)| Some((n.cached_as?, &n.syntax)))
            .collect();
        let hashes = cached.iter().map(|(hash, _)| *hash).collect();
        let records = notes
            .iter()
            .filter_map(|(n, _)| cache_record(&cache, n))
            .collect();
        let wrote = cache.save(&hashes, records, |w| w.add(&cached, false));
        (notes, unread, wrote)
    }

    #[cfg(unix)]
    #[test]
    fn a_note_that_changed_while_the_cache_was_written_is_left_out_of_it() {
        let (_dir, root, cache_file, config) = vault();
        let (a, b) = (root.join("a.md"), root.join("b 😀.md"));
        let (a_text, b_text) = ("# A\n\nSee [[b 😀]].\n", "# B\r\n\r\n见 [[a]]。\r\n");
        std::fs::write(&a, a_text).unwrap();
        std::fs::write(&b, b_text).unwrap();
        let cache = IndexCache::open_at(cache_file.clone(), &root).for_config(&config);
        let record = |path: &Path, text: &str| Record {
            stat: Stat::of(path).unwrap(),
            hash: hash(text),
            first_heading: None,
        };
        let (a_record, b_record) = (record(&a, a_text), record(&b, b_text));
        let mut digest = RecordsDigest::default();
        digest.add(&a, &a_record);
        digest.add(&b, &b_record);
        let a_syntax = parse_note(a_text);
        // `b` is edited once counted: the language server then writes
        // neither its entry nor its record, and the rest as they are.
        let fill = |w: &mut Writer| w.add(&[(hash(a_text), &a_syntax)], false);
        let again = |add: &mut dyn FnMut(&Path, &Record)| add(&a, &a_record);
        let hashes = [hash(a_text), hash(b_text)].into_iter().collect();
        assert!(cache.save_records(&hashes, digest, fill, Box::new(again)));

        let written = IndexCache::open_at(cache_file.clone(), &root).for_config(&config);
        assert_eq!(written.len(), 1);
        assert_eq!(written.records, vec![(a.clone(), a_record)]);
        let (syntax, _) = written.unchanged(&a, u64::MAX).expect("a is loaded unread");
        assert_eq!(syntax, a_syntax);
        assert!(written.unchanged(&b, u64::MAX).is_none());
        let folder = std::fs::read_dir(cache_file.parent().unwrap()).unwrap();
        let names: Vec<_> = folder.map(|e| e.unwrap().file_name()).collect();
        assert!(
            names.iter().all(|n| !n.to_string_lossy().ends_with(".tmp")),
            "{names:?}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_note_whose_file_looks_unchanged_is_not_read() {
        let (_dir, root, cache_file, config) = vault();
        let (a, glossary) = (root.join("笔记 a.md"), root.join("glossary.md"));
        let a_text = "# 标题 😀\r\n\r\nSee [[b]] 和 [@k, p. 3].\r\n";
        std::fs::write(&a, a_text).unwrap();
        std::fs::write(&glossary, "# 名词解释\n- **Term**：a definition.\n").unwrap();
        let paths = [a.clone(), glossary.clone()];
        let load = |config: &crate::workspace::Config| {
            load_and_save(&root, &cache_file, config, Duration::ZERO, &paths)
        };

        let (notes, unread, wrote) = load(&config);
        assert_eq!((unread, wrote), (0, true));
        assert!(notes.iter().all(|(_, hit)| !hit));
        // Nothing changed: the note is not read, and is what parsing gave;
        // the glossary is read (its entries need its text), from its entry.
        let (notes, unread, wrote) = load(&config);
        assert_eq!(
            (unread, wrote),
            (1, false),
            "nothing changed, nothing written"
        );
        let (note, hit) = &notes[0];
        assert!(*hit && !note.file.text_is_held());
        assert_eq!(note.syntax, crate::syntax::parse_note(a_text));
        assert_eq!(note.title(), "标题 😀");
        assert_eq!(note.file.text_len(), a_text.len());
        assert!(notes[1].1 && notes[1].0.glossary.len() == 1);
        // What asks for the text reads it, as it was.
        assert_eq!(note.file.text(), a_text);

        // An edit that keeps the size and the modification time (as `touch
        // -d` or a copy that keeps times could): the change time differs.
        let modified = std::fs::metadata(&a).unwrap().modified().unwrap();
        std::fs::write(&a, a_text.replace("[[b]]", "[[c]]")).unwrap();
        std::fs::File::options()
            .write(true)
            .open(&a)
            .unwrap()
            .set_modified(modified)
            .unwrap();
        let (notes, unread, _) = load(&config);
        assert_eq!(unread, 0);
        assert_eq!(notes[0].0.syntax.links[0].target().unwrap().value, "c");
        let (_, unread, _) = load(&config);
        assert_eq!(unread, 1);

        // Other glossary settings: a note may define terms it did not.
        let mut other = config.clone();
        other.glossary_section_names = vec!["Terms".to_string()];
        let (_, unread, wrote) = load(&other);
        assert_eq!((unread, wrote), (0, true));
        assert_eq!(load(&other).1, 1);

        // Found in review: a front matter's title hides the first heading,
        // which is then not recorded; under a lower size limit the front
        // matter is dropped and the heading is the title.
        std::fs::write(
            &a,
            "---\ntitle: From front matter\n---\n# From the heading\n",
        )
        .unwrap();
        let settle = |config: &crate::workspace::Config| {
            load_and_save(&root, &cache_file, config, Duration::ZERO, &paths)
        };
        settle(&config);
        let (notes, unread, _) = settle(&config);
        assert_eq!((unread, notes[0].0.title()), (1, "From front matter"));
        let mut small = config.clone();
        small.max_front_matter_size = 8;
        let (notes, _, _) = settle(&small);
        assert_eq!(notes[0].0.title(), "From the heading");
    }

    /// Found in review: a path that is not UTF-8 cannot be in the file;
    /// it kept the whole file from being written.
    #[cfg(unix)]
    #[test]
    fn a_note_named_in_invalid_utf8_gets_no_record_and_the_rest_do() {
        use std::os::unix::ffi::OsStrExt;
        let (_dir, root, cache_file, config) = vault();
        let odd = root.join(std::ffi::OsStr::from_bytes(b"caf\xe9.md"));
        let plain = root.join("plain.md");
        std::fs::write(&odd, "# Caf\n[[plain]]\n").unwrap();
        std::fs::write(&plain, "# Plain\n").unwrap();
        let paths = [odd, plain];
        let (_, _, wrote) = load_and_save(&root, &cache_file, &config, Duration::ZERO, &paths);
        assert!(wrote);
        let (notes, unread, _) = load_and_save(&root, &cache_file, &config, Duration::ZERO, &paths);
        assert_eq!(unread, 1);
        assert!(notes.iter().all(|(_, hit)| *hit));
    }

    #[cfg(unix)]
    #[test]
    fn no_record_of_a_file_just_written_or_a_link() {
        let (_dir, root, cache_file, config) = vault();
        let (note, link) = (root.join("note.md"), root.join("link.md"));
        std::fs::write(&note, "# Note\n[[link]]\n").unwrap();
        std::os::unix::fs::symlink(&note, &link).unwrap();
        let paths = [note.clone(), link.clone()];
        // Written within the settling time before the cache was opened:
        // it could change again and look the same.
        load_and_save(&root, &cache_file, &config, SETTLED, &paths);
        let (_, unread, _) = load_and_save(&root, &cache_file, &config, SETTLED, &paths);
        assert_eq!(unread, 0);
        // Settled: the file has a record, the link none (its target could
        // change without it).
        load_and_save(&root, &cache_file, &config, Duration::ZERO, &paths);
        let (notes, unread, _) = load_and_save(&root, &cache_file, &config, Duration::ZERO, &paths);
        assert_eq!(unread, 1);
        assert!(!notes[0].0.file.text_is_held() && notes[1].0.file.text_is_held());
    }

    /// Found in review: a file system's clock may be behind this machine's,
    /// so that a file changed after it was read looks settled. Its record
    /// is written only if the file still looks as it did before the read.
    #[cfg(unix)]
    #[test]
    fn a_file_changed_after_it_was_read_gets_no_record() {
        use crate::workspace::{cache_record, load_note_cached, text_reader};
        let (_dir, root, cache_file, config) = vault();
        let note = root.join("note.md");
        std::fs::write(&note, "# Note\n[[one]]\n").unwrap();
        let reader = text_reader(&root, &config).unwrap();
        let open = || {
            let mut cache = IndexCache::open_at(cache_file.clone(), &root).for_config(&config);
            // Every time looks settled, as under a clock an hour behind.
            cache.opened = cache.opened.map(|t| t + Duration::from_secs(3600));
            cache
        };
        let save = |cache: IndexCache, loaded: &crate::workspace::Note| {
            let hashes = HashSet::from([loaded.cached_as.unwrap()]);
            let records = cache_record(&cache, loaded).into_iter().collect();
            let entry = [(loaded.cached_as.unwrap(), &loaded.syntax)];
            cache.save(&hashes, records, |w| w.add(&entry, false));
        };
        let cache = open();
        let (loaded, _) = load_note_cached(&root, &note, &config, Some(&cache), Some(&reader));
        // Changed after the read, before the cache is saved.
        std::fs::write(&note, "# Note\n[[two]]\n").unwrap();
        save(cache, &loaded);
        let cache = open();
        let (again, _) = load_note_cached(&root, &note, &config, Some(&cache), Some(&reader));
        assert_eq!(cache.unread(), 0);
        assert_eq!(again.syntax.links[0].target().unwrap().value, "two");
    }
}
