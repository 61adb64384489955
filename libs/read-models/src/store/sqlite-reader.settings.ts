/**
 * How much of the file a reader maps into memory (SQLite's compiled-in limit, just under 2 GiB). A page it
 * reads there is the operating system's cached page itself, where otherwise it costs a read call and a copy
 * into the connection's own cache — which the projector's every commit (WAL) empties. A page of a search's walk
 * in name order costs 1 µs instead of 3.5 at a million systems (docs/benchmarks.md, "Searches of common
 * texts"). The mapped pages are the page cache's, shared and given back under pressure, but count in the
 * process's resident size. Pages past the limit, and those still in the WAL, are read as before.
 */
export const READER_MMAP_BYTES = 0x7fff0000;
