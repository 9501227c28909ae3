#ifndef C_POOL_THREAD_CACHE_H
#define C_POOL_THREAD_CACHE_H

#include <stdint.h>

// The calling thread's per-class states in the pool it used last, so a pool finds its
// per-thread state with a thread-local load instead of a pthread_getspecific call per buffer. Swift
// has no thread-local variables but reads and writes a C __thread variable directly, with
// an %fs-relative access once linked into an executable.
//
// `pool` is a pool's unique id (never reused, unlike addresses and pthread keys), so a
// stale entry can never match another pool; 0 matches none.
typedef struct {
    uint64_t pool;
    void *_Nullable classes;
} mycelium_pool_thread_cache_entry;

// Thread-local, so no two threads share it: Swift may touch it without isolation.
extern __thread mycelium_pool_thread_cache_entry mycelium_pool_thread_cache
    __attribute__((swift_attr("nonisolated(unsafe)")));

// The calling thread's entry: reading both fields through it computes the thread-local
// address once.
static inline mycelium_pool_thread_cache_entry *_Nonnull mycelium_pool_thread_cache_entry_address(void) {
    return &mycelium_pool_thread_cache;
}

#endif
