import Glibc

/// The C library's own malloc and free, looked up in `libc.so.6` itself: the interposer is a
/// shared library loaded ahead of it, so `malloc` (and `dlsym(RTLD_NEXT, "malloc")` from
/// the executable) name the interposer's.
struct CLibraryMalloc: HeapFunctions {
    private let allocateFunction: @convention(c) (Int) -> UnsafeMutableRawPointer?
    private let freeFunction: @convention(c) (UnsafeMutableRawPointer?) -> Void

    init() {
        guard let libc = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD),
            let allocate = dlsym(libc, "malloc"), let free = dlsym(libc, "free")
        else { preconditionFailure("no malloc and free in libc.so.6: \(String(cString: dlerror()))") }
        allocateFunction = unsafeBitCast(allocate, to: (@convention(c) (Int) -> UnsafeMutableRawPointer?).self)
        freeFunction = unsafeBitCast(free, to: (@convention(c) (UnsafeMutableRawPointer?) -> Void).self)
    }

    @inline(__always)
    func allocate(_ byteCount: Int) -> UnsafeMutableRawPointer {
        allocateFunction(byteCount).unsafelyUnwrapped
    }

    @inline(__always)
    func free(_ memory: UnsafeMutableRawPointer) {
        freeFunction(memory)
    }
}
