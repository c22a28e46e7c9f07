fn main() {
    return_large_blocks_to_the_system();
    std::process::exit(gloss::cli::main())
}

/// Keeps glibc's allocator giving blocks of 128 KiB and more their own
/// mapping, returned to the system when freed. By default glibc raises
/// that threshold (up to 32 MiB) each time such a block is freed; after
/// the first large buffer of a start (the index cache's section, a batch
/// of notes) every later one, such as an open 1 MB note's text and the
/// JSON of its diagnostics, came from the heap and stayed there as holes:
/// at 100k notes the server peaked 20–75 MB higher, and no faster.
fn return_large_blocks_to_the_system() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a parameter of the allocator; it is called
    // before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}
