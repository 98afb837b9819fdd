/**
 * LevelDB's settings for a node's data directory (classic-level's options,
 * passed through datastore-level). classic-level's defaults are sized for a
 * database that is the application: an 8 MiB block cache, 4 MiB write
 * buffers (two can be in memory at once) and up to 1,000 table files open,
 * each memory-mapped, whose pages then count in the process's RSS.
 * A toyrrent node's values are at most 64 KiB items, read mostly once per
 * request, and most of its memory should go to the network.
 */
export interface LevelOptions {
  cacheSize: number
  writeBufferSize: number
  maxOpenFiles: number
}

const MiB = 1024 * 1024

/**
 * One daemon (`--replicas 1`) taking a 256 MiB `POST /v1/files`, same run
 * (load ~9 on 2 cores): peak growth 45–51 MiB anonymous + 61–64 MiB
 * file-backed at the defaults, 36–41 + 38–41 MiB with 1 MiB cache and
 * write buffers and 64 open files, in the same time (47–57 s either way);
 * with 100 open files (as set) 34–36 + 39–40 MiB in two later runs.
 *
 * What these cannot bound: LevelDB 1.20 (classic-level 3) reads every table
 * through mmap (util/env_posix.cc: the first 1,000 open files, a limit no
 * option reaches), and a compaction reads its inputs whole, so a compaction's
 * inputs count in RSS until they are deleted. With random keys (SHA-256) a
 * level-0 compaction takes all of level 1 (10 MiB, fixed), a deeper one a
 * table and the ~10 it overlaps below; at 1 GiB the mapped, touched tables
 * sampled every 2 s were 5–10 MiB most of the time and 20–39 MiB in bursts.
 * The table cache (maxOpenFiles, at least 74 after LevelDB's clamp) does not
 * bound that. maxFileSize 1 MiB (LevelDB's minimum, default 2) halves the
 * expanded-compaction limit (25 × file size): one 512 MiB run each, mapped
 * tables at the VmRSS peak 35.6 MiB against 56.1, daemon CPU 36.5 s against
 * 34 — one pair, within the spread seen between runs, so not set.
 *
 * Since then a daemon keeps item bodies in a value log (value-log.ts), not
 * in LevelDB: its tables hold ~100-byte metadata records, so the mapped
 * tables above are ~1 MiB instead of 42–61 MiB at the peaks of a 1 GiB POST.
 */
export const LEVEL_OPTIONS: LevelOptions = {
  // values come from the mapped table files anyway; the cache saves a copy, not a disk read
  cacheSize: 1 * MiB,
  // a flush every ~16 blocks of 64 KiB: more level-0 files, compacted in the background
  writeBufferSize: 1 * MiB,
  // each open table is mapped and its touched pages count in RSS; reopening one costs a file open and an index read
  maxOpenFiles: 100
}
