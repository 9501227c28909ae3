#ifndef C_THREAD_AFFINITY_H
#define C_THREAD_AFFINITY_H

// Pins the calling thread to the process's `index`-th CPU (counting the CPUs it was allowed
// when it started). Returns 0 when pinned, -1 when the process has no such CPU (the thread
// stays where it is), or an error number. Swift's Glibc module does not import the GNU
// affinity calls (they need _GNU_SOURCE), hence this C target.
int mycelium_bench_pin_to_cpu(int index);

#endif
