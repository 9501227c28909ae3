import Glibc

/// `malloc` as the process sees it: in the benchmarks, the Benchmark library's interposer,
/// which counts each call while a benchmark measures.
struct CountedMalloc: HeapFunctions {
    @inline(__always)
    func allocate(_ byteCount: Int) -> UnsafeMutableRawPointer {
        Glibc.malloc(byteCount).unsafelyUnwrapped
    }

    @inline(__always)
    func free(_ memory: UnsafeMutableRawPointer) {
        Glibc.free(memory)
    }
}
