// Process-wide allocator setting for the CLI: every layer allocates its activations afresh (tens to
// hundreds of MiB per batch), and glibc serves blocks over 32 MiB with mmap, returning them to the OS on
// free — so each batch paid page faults and page zeroing again (≈17% of the default job's time in the
// kernel). Keeping freed memory in the heap makes the next batch reuse it; peak RSS stays bounded by the
// largest batch, as before.
#pragma once

namespace hfbatch::core {

// No-op where the C library is not glibc. Call once, before the model loads.
void reuse_freed_memory();

}  // namespace hfbatch::core
