//! One workspace lifecycle. [`build`] creates or rebuilds a workspace,
//! whatever asked for it (the editor's folders at start-up or later, a
//! `gloss.toml` that changed, a note opened outside every folder): it loads
//! the configuration, applies the editor's settings, takes over every open
//! document under its root, and returns the one [`IndexJob`] that reads the
//! rest. [`index`] runs that job on its own thread and stops as soon as a
//! newer build of the same workspace exists. Parsing runs on rayon's pool,
//! but the world's lock is only ever taken on the job's thread: a request
//! holding the read lock may itself be waiting for the pool.

use std::path::{Path, PathBuf};
use std::sync::RwLock;

use rayon::prelude::*;

use super::outbox::{Outbox, Progress};
use super::world::{Origin, Refresh, Slot, World};
use crate::workspace::cache::{record_order, Hash, IndexCache, Record, RecordsDigest};
use crate::workspace::{
    cache_record, load_bibliography, load_config_file, load_note_names_first, parse_names_only,
    text_reader, walk_files, Config, Found, Note, NoteId, Workspace,
};

/// Notes parsed per batch while indexing; each batch becomes visible to
/// requests as soon as it is in.
const INDEX_BATCH: usize = 1000;

/// Reading every note and bibliography of one build of a workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexJob {
    pub root: PathBuf,
    pub generation: u64,
}

/// A root no workspace should have: the home folder or the file system
/// root, which would make gloss read the whole disk.
pub fn too_broad(root: &Path) -> bool {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    root.parent().is_none() || home.is_some_and(|h| h == root)
}

/// The configuration at `root`, with the editor's settings applied, and
/// the message to show if `gloss.toml` is broken (the defaults are used).
pub fn configuration(root: &Path, world: &World) -> (Config, Option<String>) {
    let (mut config, error) = match Config::load(root) {
        Ok(config) => (config, None),
        Err(e) => (
            Config::default(),
            Some(format!("{}: {}", e.path.display(), e.message)),
        ),
    };
    world.settings.apply(&mut config);
    config.index_cache = world.cache && world.settings.cache();
    // Open notes hold the editor's text; the others are read again for
    // the few requests that need theirs (a hover's excerpt, a position).
    config.texts_on_disk = true;
    (config, error)
}

/// Creates or rebuilds the workspace at `root` with `config`, holding the
/// notes of the open documents under it (`notes`, built by the caller
/// from its documents). Workspaces discovered for single notes under a
/// folder's root are folded into it. Returns the index job, unless the
/// workspace is a single note's.
pub fn build(
    world: &mut World,
    root: PathBuf,
    origin: Origin,
    config: Config,
    notes: Vec<Note>,
) -> Option<IndexJob> {
    let mut workspace = Workspace::new(root.clone(), config, load_config_file(&root));
    for note in notes {
        workspace.set_note(note);
    }
    if origin == Origin::Folder {
        world.slots.retain(|s| {
            s.origin == Origin::Folder
                || s.workspace.root == root
                || !s.workspace.root.starts_with(&root)
        });
    }
    let generation = world.slots.iter().map(|s| s.generation).max().unwrap_or(0) + 1;
    let mut slot = Slot {
        workspace,
        previous: None,
        origin,
        generation,
        indexed: origin == Origin::Alone,
        names_read: origin == Origin::Alone,
        pending_nested: Vec::new(),
        baseline: std::sync::OnceLock::new(),
    };
    // A vault inside another that now has a workspace of its own.
    for other in &mut world.slots {
        other.pending_nested.retain(|n| *n != root);
    }
    match world.slot_at(&root) {
        Some(i) => {
            // Requests keep reading the last complete build until this one
            // is read.
            let old = std::mem::replace(&mut world.slots[i], slot);
            world.slots[i].previous = match old.indexed {
                true => Some(old.workspace),
                false => old.previous,
            };
        }
        None => {
            slot.previous = None;
            world.slots.push(slot);
        }
    }
    (origin != Origin::Alone).then_some(IndexJob { root, generation })
}

/// Whether `job` is still the current build of its workspace.
fn current(world: &World, job: &IndexJob) -> Option<usize> {
    world
        .slot_at(&job.root)
        .filter(|&i| world.slots[i].generation == job.generation)
}

fn read(world: &RwLock<World>) -> std::sync::RwLockReadGuard<'_, World> {
    world.read().unwrap_or_else(|e| e.into_inner())
}

fn write(world: &RwLock<World>) -> std::sync::RwLockWriteGuard<'_, World> {
    world.write().unwrap_or_else(|e| e.into_inner())
}

/// Reads every note and bibliography of `job`'s workspace in batches,
/// leaving open documents as the editor has them, then marks it indexed and
/// asks for every open document's diagnostics. Stops, without a trace, when
/// a newer build replaces the workspace.
/// Returns the vaults found inside the workspace's root, which get
/// workspaces of their own.
/// With the index cache on, also returns it, for [`save_cache`] once the
/// caller has done what waits for it.
pub fn index(
    world: &RwLock<World>,
    job: &IndexJob,
    outbox: &Outbox,
) -> (Vec<PathBuf>, Option<IndexCache>) {
    let Some(config) = ({
        let world = read(world);
        current(&world, job).map(|i| world.slots[i].workspace.config.clone())
    }) else {
        return (Vec::new(), None);
    };
    let root = job.root.clone();
    outbox.progress(Progress::Begin { root: root.clone() });
    let (found, mut cache) = rayon::join(
        || walk_files(&root, &config),
        || config.index_cache.then(|| IndexCache::open(&root, &config)),
    );
    let mut hits = 0;
    let notes_read = read_notes(
        world,
        job,
        &config,
        &found.notes,
        cache.as_ref(),
        &mut hits,
        outbox,
    );
    // The notes left to parse were not in the cache: its entries and
    // records go before the bibliographies are read, which would
    // otherwise need memory on top of them.
    cache.iter_mut().for_each(IndexCache::loaded);
    let names_read =
        notes_read.and_then(|total| read_the_rest(world, job, &config, found, total, outbox));
    let finished = names_read.and_then(|(total, nested)| {
        parse_the_rest(world, job, &config, outbox, total)?;
        let mut world = write(world);
        let i = current(&world, job)?;
        let slot = &mut world.slots[i];
        slot.indexed = true;
        slot.previous = None;
        Some((total, nested))
    });
    let total = finished.as_ref().map_or(0, |(total, _)| *total);
    let reused = cache.as_ref().map(|cache| (hits, cache.unread()));
    outbox.progress(Progress::End {
        root,
        total,
        reused,
    });
    match finished {
        Some((_, nested)) => {
            outbox.refresh(Refresh::All);
            (nested, cache)
        }
        None => (Vec::new(), None),
    }
}

/// Writes the index cache anew from the notes loaded through it, unless
/// it holds just those. The notes are read a batch at a time, so edits
/// wait for one batch at most, and encoded on this thread alone, so
/// requests keep a core; a note that changed meanwhile is left out.
pub fn save_cache(world: &RwLock<World>, job: &IndexJob, cache: IndexCache) {
    let cached: Vec<(NoteId, Hash)> = {
        let world = read(world);
        let Some(i) = current(&world, job) else {
            return;
        };
        let workspace = &world.slots[i].workspace;
        let mut cached: Vec<(NoteId, Hash)> = workspace
            .notes()
            .filter_map(|(id, note)| Some((id, note.cached_as?)))
            .collect();
        let path = |id: NoteId| workspace.note(id).file.path.as_path();
        cached.sort_unstable_by(|a, b| record_order(path(a.0), path(b.0)));
        cached
    };
    let hashes = cached.iter().map(|(_, hash)| *hash).collect();
    // What each note's file looks like, looked at a batch at a time too:
    // first only hashed, and written only if the file does not hold them.
    let records_of = |keep: &mut dyn FnMut(PathBuf, Record)| {
        for batch in cached.chunks(INDEX_BATCH) {
            let world = read(world);
            let i = current(&world, job)?;
            let workspace = &world.slots[i].workspace;
            for &(id, hash) in batch {
                let record = (workspace.live_note(id))
                    .filter(|n| n.cached_as == Some(hash))
                    .and_then(|note| cache_record(&cache, note));
                if let Some((path, record)) = record {
                    keep(path, record);
                }
            }
        }
        Some(())
    };
    let mut digest = RecordsDigest::default();
    if records_of(&mut |path, record| {
        digest.add(&path, &record);
    })
    .is_none()
        || cache.is_current(&hashes, &digest)
    {
        return;
    }
    // Given again once the entries are written, and written as they come:
    // a note that changed meanwhile is left out, as its entry is.
    let again = |add: &mut dyn FnMut(&Path, &Record)| {
        records_of(&mut |path, record| add(&path, &record));
    };
    let fill = |writer: &mut crate::workspace::cache::Writer| {
        for batch in cached.chunks(INDEX_BATCH) {
            let world = read(world);
            let Some(i) = current(&world, job) else {
                // A newer build of the workspace writes its own.
                return writer.abandon();
            };
            let workspace = &world.slots[i].workspace;
            let notes: Vec<_> = batch
                .iter()
                .filter_map(|&(id, hash)| {
                    let note = workspace.live_note(id)?;
                    (note.cached_as == Some(hash)).then_some((hash, &note.syntax))
                })
                .collect();
            writer.add(&notes, false);
        }
    };
    cache.save_records(&hashes, digest, fill, Box::new(again));
}

/// Reads the `notes` the walk found, for their names first; the caller
/// then reads the bibliographies ([`read_the_rest`]), which asks for the
/// open notes' diagnostics, and parses the rest ([`parse_the_rest`]).
/// Notes are loaded through `cache` when given; `hits` counts those whose
/// syntax came from it. Returns the number of notes.
///
/// Names first: an open note's diagnostics need every note's names
/// (titles, aliases, glossary entries) and the bibliographies, but only
/// the anchors of the notes it links to. So notes are first read for
/// their names, parsed only where their names need it (a glossary) or the
/// cache has them; then open notes' diagnostics are asked for; then the
/// rest is parsed, a note an answer waits for first.
fn read_notes(
    world: &RwLock<World>,
    job: &IndexJob,
    config: &Config,
    notes: &[PathBuf],
    cache: Option<&IndexCache>,
    hits: &mut usize,
    outbox: &Outbox,
) -> Option<usize> {
    let root = &job.root;
    let total = notes.len();
    let sharer = {
        let mut world = write(world);
        let i = current(&world, job)?;
        world.slots[i].workspace.reserve_notes(total);
        crate::syntax::NameSharer::new()
    };
    let reader = text_reader(root, config);
    let load = |batch: &[PathBuf]| -> Vec<(Note, bool)> {
        batch
            .par_iter()
            .map(|p| {
                let (mut note, hit) =
                    load_note_names_first(root, p, config, cache, reader.as_ref());
                if let Some(reader) = &reader {
                    note.leave_text_on_disk(reader);
                }
                note.share_names(&sharer);
                (note, hit)
            })
            .collect()
    };
    // Adding notes to the workspace is serial: the next batches are read
    // and parsed meanwhile, on a thread of their own. Locks are taken here
    // only, never on the pool's threads: a request holding the read lock
    // may be waiting for them.
    std::thread::scope(|s| {
        let (sender, parsed) = std::sync::mpsc::sync_channel(1);
        s.spawn(move || {
            for batch in notes.chunks(INDEX_BATCH) {
                // The receiver is gone once a newer build takes over.
                if sender.send(load(batch)).is_err() {
                    break;
                }
            }
        });
        let mut done = 0;
        for notes in parsed {
            {
                let mut world = write(world);
                let i = current(&world, job)?;
                let World { slots, open, .. } = &mut *world;
                for (note, hit) in notes {
                    // An open document's text wins over the file on disk.
                    if open.contains_key(&note.file.path) {
                        done += 1;
                    } else {
                        *hits += usize::from(hit);
                        done += usize::from(!note.is_names_only());
                        slots[i].workspace.set_note(note);
                    }
                }
            }
            outbox.progress(Progress::Report {
                root: root.clone(),
                done,
                total,
            });
        }
        Some(())
    })?;
    Some(total)
}

/// Reads what else the workspace holds once its `total` notes are in:
/// bibliographies, Quarto projects, the other files. Returns the note
/// count and the nested workspaces found, or None when a newer build
/// replaces the workspace.
fn read_the_rest(
    world: &RwLock<World>,
    job: &IndexJob,
    config: &Config,
    mut found: Found,
    total: usize,
    outbox: &Outbox,
) -> Option<(usize, Vec<PathBuf>)> {
    let root = &job.root;
    let wanted = {
        let mut world = write(world);
        let i = current(&world, job)?;
        let workspace = &mut world.slots[i].workspace;
        workspace.record_walk(&mut found);
        workspace.bibliographies_to_load(found.bibliographies)
    };
    let bibliographies = std::thread::scope(|s| {
        let parsing = s.spawn(|| {
            wanted
                .par_iter()
                .map(|w| load_bibliography(root, w, config))
                .collect()
        });
        // Meanwhile, what the first diagnostics would otherwise wait for.
        prepare_suggestions(world, job);
        parsing
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    });
    let nested: Vec<PathBuf> = {
        let mut world = write(world);
        let i = current(&world, job)?;
        let nested: Vec<PathBuf> = found
            .nested
            .into_iter()
            .filter(|n| world.slot_at(n).is_none())
            .collect();
        let slot = &mut world.slots[i];
        slot.workspace.set_bibliographies(bibliographies);
        slot.names_read = true;
        slot.pending_nested = nested.clone();
        nested
    };
    outbox.refresh(Refresh::All);
    Some((total, nested))
}

/// Parses the notes of `job`'s workspace that were read for their names
/// only, in path order, but those an answer waits for first (their
/// anchors were asked for): after each batch that parsed such a note, the
/// open documents' diagnostics are asked for again. Returns None when a
/// newer build replaces the workspace.
fn parse_the_rest(
    world: &RwLock<World>,
    job: &IndexJob,
    config: &Config,
    outbox: &Outbox,
    total: usize,
) -> Option<()> {
    let (mut rest, mut done, sharer) = {
        let world = read(world);
        let i = current(&world, job)?;
        let workspace = &world.slots[i].workspace;
        let rest: Vec<NoteId> = workspace
            .notes()
            .filter(|(_, n)| n.is_names_only())
            .map(|(id, _)| id)
            .collect();
        let done = total.saturating_sub(rest.len());
        (rest.into_iter(), done, crate::syntax::NameSharer::new())
    };
    let reader = text_reader(&job.root, config);
    let mut refresh;
    loop {
        // Copied out, so that no lock is held while the pool parses.
        let (sources, waited_for) = {
            let world = read(world);
            let i = current(&world, job)?;
            let workspace = &world.slots[i].workspace;
            let wanted = workspace.take_wanted();
            let waited_for = !wanted.is_empty();
            refresh = waited_for;
            let batch: Vec<NoteId> = match waited_for {
                true => wanted,
                false => rest
                    .by_ref()
                    .filter(|&id| workspace.live_note(id).is_some_and(Note::is_names_only))
                    .take(INDEX_BATCH)
                    .collect(),
            };
            let sources: Vec<_> = batch
                .into_iter()
                .filter_map(|id| workspace.live_note(id).map(|note| (id, note)))
                .filter(|(_, note)| note.is_names_only())
                .map(|(id, note)| {
                    // Its text is read on the pool, not under the lock.
                    let key = note.names_only_cache_key();
                    (id, note.file.clone(), key, note.read_as.clone())
                })
                .collect();
            (sources, waited_for)
        };
        if sources.is_empty() && !waited_for {
            return Some(());
        }
        let parsed: Vec<(NoteId, Note)> = sources
            .into_par_iter()
            .filter_map(|(id, file, key, read_as)| {
                // Read again as it was read for its names. A file changed
                // since is left as it is: the session reloads it whole.
                let text = file.with_text(str::to_owned);
                if file.changed_since_parsed() {
                    return None;
                }
                let mut note = parse_names_only(&job.root, file.path, text, config, key);
                note.read_as = read_as;
                if let Some(reader) = &reader {
                    note.leave_text_on_disk(reader);
                }
                note.share_names(&sharer);
                Some((id, note))
            })
            .collect();
        {
            let mut world = write(world);
            let i = current(&world, job)?;
            let workspace = &mut world.slots[i].workspace;
            for (id, note) in parsed {
                // Not if it changed meanwhile (opened, or changed on disk):
                // it was read again, whole.
                let Some(old) = workspace.live_note(id).filter(|n| n.is_names_only()) else {
                    continue;
                };
                // What other notes' answers used of it: the same by
                // construction (tests hold the reading before parsing to
                // it), but if not, answers are given again now rather
                // than when indexing ends.
                let same = old.keys() == note.keys()
                    && old.syntax.labels == note.syntax.labels
                    && old.syntax.front_matter == note.syntax.front_matter;
                debug_assert!(
                    same,
                    "names read apart from the parse of {:?}",
                    old.file.rel
                );
                refresh |= !same;
                workspace.set_note(note);
                // Replacing a note forgets the bibliographies it declares
                // that are missing; they are what they were.
                workspace.declared_bibliographies(id);
                done += 1;
            }
        }
        if refresh {
            outbox.refresh(Refresh::All);
        }
        outbox.progress(Progress::Report {
            root: job.root.clone(),
            done,
            total,
        });
    }
}

/// Builds the index of names "did you mean" searches, if an open note of
/// `job`'s workspace has a link to nothing: its first diagnostics need it
/// (0.16 s at 100k notes). Otherwise it waits for a first
/// use, as it may never have one.
fn prepare_suggestions(world: &RwLock<World>, job: &IndexJob) {
    let world = read(world);
    let Some(i) = current(&world, job) else {
        return;
    };
    let workspace = &world.slots[i].workspace;
    let needed = world
        .open
        .keys()
        .filter_map(|path| workspace.note_by_path(path))
        .any(|note| workspace.has_unresolved_links(note));
    if needed {
        workspace.prepare_name_suggestions();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_the_home_folder_or_the_file_system_root() {
        assert!(too_broad(Path::new("/")));
        if let Some(home) = std::env::var_os("HOME") {
            assert!(too_broad(Path::new(&home)));
        }
        assert!(!too_broad(Path::new("/home/u/notes")));
    }
}
