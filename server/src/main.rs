fn main() {
    tune_the_allocator();
    std::process::exit(gloss::cli::main())
}

/// Tunes glibc's allocator for a process whose threads hand data to each
/// other (indexing threads build notes that the session thread keeps and
/// edits):
///
/// - Blocks of 1 MiB and more keep their own mapping, returned to the
///   system when freed. By default glibc raises that threshold (up to
///   32 MiB) each time such a block is freed; after the first large
///   buffers of a start (the index cache's names and records, a batch of
///   notes) every later one came from the heap and stayed there as holes:
///   at 100k notes the language server peaked 20 MB higher through
///   indexing and 75 MB higher once two 1 MB notes were open. At 128 KiB
///   (glibc's own start) the peaks were a few MB lower still, but every
///   keystroke in a 1 MB note paid for fresh pages (p50 +1.5 ms).
/// - As many arenas as cores, not glibc's eight per core: memory the
///   indexing threads freed is then reused by the thread that opens and
///   edits notes, instead of sitting in an arena only they use. At 100k
///   notes with two 1 MB notes open the server peaked at 430 MB with the
///   default and 396 MB with two arenas on two cores; one arena peaked at
///   382 MB but made indexing 70% slower (threads waiting for its lock).
fn tune_the_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let arenas = libc::c_int::try_from(cores.max(2)).unwrap_or(libc::c_int::MAX);
        // SAFETY: mallopt only sets parameters of the allocator; it is
        // called before any other thread exists.
        unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
            libc::mallopt(libc::M_ARENA_MAX, arenas);
        }
    }
}
