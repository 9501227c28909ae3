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

#endif
