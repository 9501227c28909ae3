/// The malloc and free a heap subject calls. A subject's loops are specialized for each
/// conforming type, so ``CountedMalloc`` is called directly, as in plain C.
protocol HeapFunctions: Sendable {
    func allocate(_ byteCount: Int) -> UnsafeMutableRawPointer
    func free(_ memory: UnsafeMutableRawPointer)
}
