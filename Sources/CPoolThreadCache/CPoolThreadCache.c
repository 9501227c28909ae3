#include "CPoolThreadCache.h"

__thread mycelium_pool_thread_cache_entry mycelium_pool_thread_cache = {0, (void *)0};
