/// A step of the example that did not do what it should; the text says which and what
/// happened.
struct ExampleError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
