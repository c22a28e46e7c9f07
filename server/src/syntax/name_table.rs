//! How the index cache writes names (link targets, anchors, citation
//! keys): each as its place in a table of the file's names, which the file
//! holds once.
//!
//! A warm start decodes about 1.5 million names at 100k notes. Decoded
//! as text, each was looked up among the names decoded before to keep one
//! copy: a hash, a comparison and a count, all in a copy allocated
//! somewhere among 300 MB of notes, so a cache miss each (a fifth of the
//! start). Decoded as places, the table's names are made once, one after
//! another, and each name decoded is a count raised in that table.
//!
//! The serde attributes of [`super::Packed`] call [`encode_name`] and
//! [`decode_name`], which find the table the cache set for the thread
//! ([`encoding_with`], [`decoding_with`]); with none set, a name does
//! not encode or decode (the entry is a miss).

use std::cell::Cell;
use std::hash::BuildHasher;
use std::sync::Mutex;

use arcstr::ArcStr;

/// The names a cache file being written holds, in the order of their
/// places.
#[derive(Debug, Default)]
pub struct NameTable {
    /// Each name's place, found by the address of its text: the notes
    /// being written share their names, so the address finds the name
    /// without reading it. A copy at another address gets a place of its
    /// own, which the reader folds into one ([`read_table`]). Places
    /// alone, hashed by address: 5 bytes a name where a map of addresses
    /// took 17 (300k names at 100k notes).
    places: hashbrown::HashTable<u32>,
    /// Each name, held so that no other name takes its address while the
    /// file is written.
    names: Vec<ArcStr>,
}

impl NameTable {
    /// The place of `name`, given it now if it had none; None past 4
    /// billion names.
    fn place(&mut self, name: &ArcStr) -> Option<u32> {
        let address = |name: &ArcStr| name.as_ptr() as usize;
        let hash = |address: usize| rustc_hash::FxBuildHasher.hash_one(address);
        let names = &self.names;
        let at = |place: &u32| address(&names[*place as usize]);
        let entry = self.places.entry(
            hash(address(name)),
            |place| at(place) == address(name),
            |place| hash(at(place)),
        );
        match entry {
            hashbrown::hash_table::Entry::Occupied(found) => Some(*found.get()),
            hashbrown::hash_table::Entry::Vacant(vacant) => {
                let place = u32::try_from(names.len()).ok()?;
                vacant.insert(place);
                self.names.push(ArcStr::clone(name));
                Some(place)
            }
        }
    }

    /// Writes the table to `out`, as postcard encodes a list of strings
    /// (without making the list: 300k names at 100k notes).
    pub fn write<W: std::io::Write>(&self, mut out: W) -> std::io::Result<()> {
        postcard::to_io(&self.names.len(), &mut out).map_err(std::io::Error::other)?;
        for name in &self.names {
            postcard::to_io(name.as_str(), &mut out).map_err(std::io::Error::other)?;
        }
        Ok(())
    }
}

/// The names of a table as [`NameTable::write`] wrote it to `bytes`, in
/// the order of their places, each text made once (two places with the
/// same text share one copy). None if `bytes` are not such a table, or it
/// has more than `at_most` places: a table that asks for memory out of
/// proportion to the file is not one gloss wrote.
pub fn read_table(bytes: &[u8], at_most: usize) -> Option<Vec<ArcStr>> {
    let (count, mut rest) = postcard::take_from_bytes::<usize>(bytes).ok()?;
    if count > at_most {
        return None;
    }
    let mut made: std::collections::HashMap<&str, ArcStr> = std::collections::HashMap::new();
    let mut names = Vec::new();
    for _ in 0..count {
        let (name, after) = postcard::take_from_bytes::<&str>(rest).ok()?;
        rest = after;
        let name = made.entry(name).or_insert_with(|| ArcStr::from(name));
        names.push(ArcStr::clone(name));
    }
    rest.is_empty().then_some(names)
}

thread_local! {
    /// The table names are encoded into on this thread now, if any.
    static ENCODING: Cell<*const Mutex<NameTable>> = const { Cell::new(std::ptr::null()) };
    /// The table names are decoded from on this thread now, if any.
    static DECODING: Cell<*const [ArcStr]> =
        const { Cell::new(std::ptr::slice_from_raw_parts(std::ptr::null(), 0)) };
}

/// Puts a thread-local back as it was, even on a panic.
struct Restore<T: Copy + 'static> {
    key: &'static std::thread::LocalKey<Cell<T>>,
    was: T,
}

impl<T: Copy + 'static> Drop for Restore<T> {
    fn drop(&mut self) {
        self.key.set(self.was);
    }
}

/// Runs `encode` with the names it encodes given places in `table`.
pub fn encoding_with<T>(table: &Mutex<NameTable>, encode: impl FnOnce() -> T) -> T {
    let _restore = Restore {
        key: &ENCODING,
        was: ENCODING.replace(table),
    };
    encode()
}

/// Runs `decode` with the names it decodes taken from `table`.
pub fn decoding_with<T>(table: &[ArcStr], decode: impl FnOnce() -> T) -> T {
    let _restore = Restore {
        key: &DECODING,
        was: DECODING.replace(table),
    };
    decode()
}

pub(super) fn encode_name<S: serde::Serializer>(name: &ArcStr, s: S) -> Result<S::Ok, S::Error> {
    let table = ENCODING.get();
    // SAFETY: a non-null pointer was set by `encoding_with` on this
    // thread, from a reference that outlives the call it made (the guard
    // puts the old pointer back before it returns).
    let place = unsafe { table.as_ref() }
        .and_then(|table| table.lock().ok()?.place(name))
        .ok_or_else(|| serde::ser::Error::custom("a name with no table to encode it into"))?;
    s.serialize_u32(place)
}

pub(super) fn decode_name<'de, D: serde::Deserializer<'de>>(d: D) -> Result<ArcStr, D::Error> {
    let place = <u32 as serde::Deserialize>::deserialize(d)?;
    let table = DECODING.get();
    // SAFETY: as in `encode_name`, set by `decoding_with` from a slice
    // that outlives the call (the null default is an empty slice).
    let table: &[ArcStr] = match table.is_null() {
        true => &[],
        false => unsafe { &*table },
    };
    let name = usize::try_from(place).ok().and_then(|at| table.get(at));
    name.cloned()
        .ok_or_else(|| serde::de::Error::custom("a name out of the table"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shared_name_has_one_place_and_a_copy_another_which_reading_folds() {
        let shared = ArcStr::from("Attention 注意力");
        let copy = ArcStr::from("Attention 注意力");
        let table = Mutex::new(NameTable::default());
        let places: Vec<u32> = encoding_with(&table, || {
            [&shared, &shared, &copy]
                .iter()
                .map(|name| table.lock().unwrap().place(name).unwrap())
                .collect()
        });
        assert_eq!(places, [0, 0, 1]);
        let mut bytes = Vec::new();
        table.into_inner().unwrap().write(&mut bytes).unwrap();
        let read = read_table(&bytes, 2).unwrap();
        assert_eq!(read.len(), 2);
        assert!(ArcStr::ptr_eq(&read[0], &read[1]));
        // More places than the file could refer to, or bytes left over.
        assert!(read_table(&bytes, 1).is_none());
        bytes.push(0);
        assert!(read_table(&bytes, 2).is_none());
    }

    #[test]
    fn a_name_dropped_while_written_leaves_its_address_to_no_other() {
        let mut table = NameTable::default();
        let first = ArcStr::from(String::from("[[a]] 注意力"));
        assert_eq!(table.place(&first), Some(0));
        drop(first);
        // The allocator would give a name of the same size the freed
        // address, but the table still holds it.
        let second = ArcStr::from(String::from("[[b]] 注意力"));
        assert_eq!(table.place(&second), Some(1));
        let mut bytes = Vec::new();
        table.write(&mut bytes).unwrap();
        let read = read_table(&bytes, 2).unwrap();
        assert_eq!(read, ["[[a]] 注意力", "[[b]] 注意力"]);
    }

    #[test]
    fn with_no_table_a_name_neither_encodes_nor_decodes() {
        #[derive(serde::Serialize, serde::Deserialize)]
        struct Named(
            #[serde(serialize_with = "encode_name", deserialize_with = "decode_name")] ArcStr,
        );
        assert!(postcard::to_stdvec(&Named(ArcStr::from("x"))).is_err());
        let table = Mutex::new(NameTable::default());
        let bytes = encoding_with(&table, || postcard::to_stdvec(&Named("x".into()))).unwrap();
        assert!(postcard::from_bytes::<Named>(&bytes).is_err());
        let mut table_bytes = Vec::new();
        table.into_inner().unwrap().write(&mut table_bytes).unwrap();
        let names = read_table(&table_bytes, 1).unwrap();
        let decoded = decoding_with(&names, || postcard::from_bytes::<Named>(&bytes)).unwrap();
        assert_eq!(decoded.0, "x");
        // A place past the table's end is an error, not a panic.
        assert!(decoding_with(&[], || postcard::from_bytes::<Named>(&bytes)).is_err());
    }
}
