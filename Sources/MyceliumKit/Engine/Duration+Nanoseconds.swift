extension Duration {
    /// The duration in whole nanoseconds, for the engine's monotonic clock readings; a
    /// negative duration is a programmer error.
    package var wholeNanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        precondition(seconds >= 0 && attoseconds >= 0, "a negative duration has no nanosecond count: \(self)")
        return UInt64(seconds) * 1_000_000_000 + UInt64(attoseconds / 1_000_000_000)
    }
}
