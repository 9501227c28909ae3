#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>

#include "CThreadAffinity.h"

// Taken before any thread is pinned: later, the calling thread's own mask may be one CPU.
static cpu_set_t allowed;
static int allowed_known;

__attribute__((constructor)) static void record_allowed_cpus(void) {
    allowed_known = sched_getaffinity(0, sizeof(allowed), &allowed) == 0;
}

int mycelium_bench_pin_to_cpu(int index) {
    if (!allowed_known) return -1;
    int seen = 0;
    for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
        if (!CPU_ISSET(cpu, &allowed) || seen++ != index) continue;
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(cpu, &set);
        return pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
    }
    return -1;
}
