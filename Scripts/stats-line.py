#!/usr/bin/env python3
"""One line from a STATS document on stdin: pool, hit rate, acquires, messages."""
import json
import sys

stats = json.load(sys.stdin)
pool = stats["pool"]
print(
    "stats pool=%s hit_rate=%.6f acquires=%d hits=%d allocations=%d misses=%d in_use=%d messages_in=%d messages_out=%d"
    % (sys.argv[1], pool["hit_rate"], pool["acquires"], pool["hits"], pool["allocations"], pool["misses"],
       pool["in_use"], stats["messages_in"], stats["messages_out"]))
