/// Producer on the calling thread, consumer (releasing) on a worker thread.
public protocol Handoff: Sendable {
    /// Produces `iterations` values here while the worker releases them.
    func run(_ iterations: Int) throws
}

/// Moves what `produce` makes through a ring to a worker thread, which hands it to `dispose`.
final class ProducerConsumer<Element: ~Copyable>: Handoff, @unchecked Sendable {
    private let produce: @Sendable (Int) throws -> Element
    private let ring = HandoffRing<Element>(capacity: 256)
    private let consumer: Worker

    init(produce: @escaping @Sendable (Int) throws -> Element, dispose: @escaping @Sendable (consuming Element) -> Void) {
        self.produce = produce
        consumer = Worker { [ring] iterations in
            for _ in 0..<iterations { dispose(ring.pop()) }
        }
    }

    public func run(_ iterations: Int) throws {
        consumer.start(iterations)
        for index in 0..<iterations { ring.push(try produce(index)) }
        consumer.wait()
    }
}
