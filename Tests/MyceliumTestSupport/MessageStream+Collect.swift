package import MyceliumKit

extension MessageStream {
    /// Reads `count` messages and returns their types and copies of their payloads.
    ///
    /// - Throws: ``TimedOut`` when they do not all come within `seconds`, or what the stream
    ///   ends with before `count` messages.
    package func collect(_ count: Int, seconds: Double = 20) async throws -> [(typeID: UInt16, payload: [UInt8])] {
        let stream = self
        return try await within(seconds, "reading \(count) messages") {
            var iterator = stream.makeAsyncIterator()
            var received: [(UInt16, [UInt8])] = []
            while received.count < count, let message = try await iterator.next() {
                received.append((message.typeID, message.copyBytes()))
            }
            return received
        }
    }
}
