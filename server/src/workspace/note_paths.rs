//! Note ids by path. Keyed by a hash of the path, not by the path: the
//! notes hold their paths already, and a second copy of each would cost
//! 8 MB at 100k notes. A lookup compares the paths of the notes under one
//! hash (almost always one note). The hash is keyed at random, so that no
//! repository can name its files to collide.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::path::Path;

use smallvec::SmallVec;

use super::NoteId;

#[derive(Debug, Default)]
pub struct NotePaths {
    by_hash: HashMap<u64, SmallVec<[NoteId; 1]>>,
    keys: RandomState,
}

impl NotePaths {
    /// The note at `path`; `path_of` gives the path of a note listed.
    pub fn get<'a>(&self, path: &Path, path_of: impl Fn(NoteId) -> &'a Path) -> Option<NoteId> {
        self.by_hash
            .get(&self.keys.hash_one(path))?
            .iter()
            .copied()
            .find(|&id| path_of(id) == path)
    }

    /// Lists note `id` at `path`, which no listed note has.
    pub fn insert(&mut self, path: &Path, id: NoteId) {
        self.by_hash
            .entry(self.keys.hash_one(path))
            .or_default()
            .push(id);
    }

    /// Unlists the note at `path`, and gives its id.
    pub fn remove<'a>(
        &mut self,
        path: &Path,
        path_of: impl Fn(NoteId) -> &'a Path,
    ) -> Option<NoteId> {
        let key = self.keys.hash_one(path);
        let ids = self.by_hash.get_mut(&key)?;
        let at = ids.iter().position(|&id| path_of(id) == path)?;
        let id = ids.remove(at);
        if ids.is_empty() {
            self.by_hash.remove(&key);
        }
        Some(id)
    }

    /// Every listed note, in no particular order.
    pub fn ids(&self) -> impl Iterator<Item = NoteId> + '_ {
        self.by_hash.values().flatten().copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn finds_and_removes_by_path_even_under_one_hash() {
        let paths: Vec<PathBuf> = ["/v/a.md", "/v/b.md", "/v/c.md"]
            .iter()
            .map(PathBuf::from)
            .collect();
        let path_of = |id: NoteId| paths[id].as_path();
        let mut notes = NotePaths::default();
        notes.insert(&paths[0], 0);
        notes.insert(&paths[1], 1);
        // Two paths under one hash, as a collision would put them.
        let key = notes.keys.hash_one(&paths[0]);
        notes.by_hash.entry(key).or_default().push(2);
        assert_eq!(notes.get(&paths[0], path_of), Some(0));
        assert_eq!(notes.get(&paths[1], path_of), Some(1));
        assert_eq!(notes.get(Path::new("/v/d.md"), path_of), None);
        assert_eq!(notes.remove(&paths[0], path_of), Some(0));
        assert_eq!(notes.get(&paths[0], path_of), None);
        let mut ids: Vec<NoteId> = notes.ids().collect();
        ids.sort();
        assert_eq!(ids, [1, 2]);
        assert_eq!(notes.remove(&paths[0], path_of), None);
    }
}
