#include "hfbatch/core/memory_reuse.h"

#include <climits>
#include <cstdlib>  // defines __GLIBC__ on glibc
#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace hfbatch::core {

void reuse_freed_memory() {
#if defined(__GLIBC__)
  mallopt(M_MMAP_MAX, 0);               // large blocks from the heap, not fresh mmaps
  mallopt(M_TRIM_THRESHOLD, INT_MAX);   // and freed heap memory is kept for the next batch
#endif
}

}  // namespace hfbatch::core
