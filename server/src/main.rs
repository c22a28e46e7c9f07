fn main() {
    return_large_blocks_to_the_system();
    std::process::exit(gloss::cli::main())
}

/// Keeps glibc's allocator giving blocks of 1 MiB and more their own
/// mapping, returned to the system when freed. By default glibc raises
/// that threshold (up to 32 MiB) each time such a block is freed; after
/// the first large buffers of a start (the index cache's names and
/// records, a batch of notes) every later one came from the heap and
/// stayed there as holes: at 100k notes the language server peaked 20 MB
/// higher through indexing and 75 MB higher once two 1 MB notes were open.
/// At 128 KiB (glibc's own start) the peaks were a few MB lower still, but
/// every keystroke in a 1 MB note paid for fresh pages (p50 +1.5 ms).
fn return_large_blocks_to_the_system() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a parameter of the allocator; it is called
    // before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}
