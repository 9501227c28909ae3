#ifndef C_FUTEX_H
#define C_FUTEX_H

#include <stdint.h>

// The two futex operations a lock needs, for Swift, which cannot call the variadic
// syscall(2). Both are process-private.

// Sleeps while *word == expected (returns at once if it differs), or until woken; may
// also return spuriously: callers re-check their condition.
void mycelium_futex_wait(uint32_t *_Nonnull word, uint32_t expected);

// Wakes up to `count` threads sleeping on `word`.
void mycelium_futex_wake(uint32_t *_Nonnull word, int count);

// Tells the core this thread is spinning (x86 `pause`, arm64 `yield`), so a spin-wait
// neither starves the other hardware thread of its core nor floods the memory system.
static inline void mycelium_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

#endif
