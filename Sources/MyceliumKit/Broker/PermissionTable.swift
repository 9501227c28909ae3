/// ``Authorization`` as the loops check it: per user, one byte per message type (by dense
/// index, as in ``RoutingTable``) saying whether the user may publish it, and one saying
/// whether they may subscribe to it; plus an all-zero row for connections without a HELLO.
///
/// A connection holds pointers to its user's rows, so a publish costs one byte load.
/// Immutable after start.
final class PermissionTable: @unchecked Sendable {
    let authorization: Authorization
    /// `users.count * 2 + 1` rows of `rowLength` bytes: user i's publish row at `2i`, their
    /// subscribe row at `2i + 1`, the zero row last.
    private let rows: UnsafeMutablePointer<UInt8>
    private let rowLength: Int

    init(_ authorization: Authorization, routing: RoutingTable, types: MessageTypeTable) {
        self.authorization = authorization
        rowLength = max(1, routing.typeCount)
        let count = (authorization.users.count * 2 + 1) * rowLength
        rows = .allocate(capacity: count)
        rows.initialize(repeating: 0, count: count)
        for (index, user) in authorization.users.enumerated() {
            for entry in types.entries {
                let dense = Int(routing.slots[Int(entry.id)].dense)
                if user.publish.permits(entry.id) { rows[2 * index * rowLength + dense] = 1 }
                if user.subscribe.permits(entry.id) { rows[(2 * index + 1) * rowLength + dense] = 1 }
            }
        }
    }

    deinit { rows.deallocate() }

    /// The row of a connection that has not yet sent a valid HELLO: nothing is permitted.
    var unauthenticated: UnsafePointer<UInt8> {
        UnsafePointer(rows + authorization.users.count * 2 * rowLength)
    }

    /// User `index`'s publish row.
    func publishRow(_ index: Int) -> UnsafePointer<UInt8> { UnsafePointer(rows + 2 * index * rowLength) }

    /// User `index`'s subscribe row.
    func subscribeRow(_ index: Int) -> UnsafePointer<UInt8> { UnsafePointer(rows + (2 * index + 1) * rowLength) }
}
