/// The connections of one loop subscribed to one type, in raw memory (read per frame).
struct SubscriberList {
    private(set) var members: UnsafeMutablePointer<UnsafeMutablePointer<Connection>>?
    private(set) var count = 0
    private var capacity = 0

    mutating func add(_ connection: UnsafeMutablePointer<Connection>) {
        if count == capacity {
            let newCapacity = max(4, capacity * 2)
            let grown = UnsafeMutablePointer<UnsafeMutablePointer<Connection>>.allocate(capacity: newCapacity)
            if let members { grown.moveInitialize(from: members, count: count) }
            members?.deallocate()
            members = grown
            capacity = newCapacity
        }
        members.unsafelyUnwrapped[count] = connection
        count += 1
    }

    mutating func remove(_ connection: UnsafeMutablePointer<Connection>) {
        for index in 0..<count where members.unsafelyUnwrapped[index] == connection {
            count -= 1
            members.unsafelyUnwrapped[index] = members.unsafelyUnwrapped[count]
            return
        }
    }

    mutating func free() {
        members?.deallocate()
        members = nil
        count = 0
        capacity = 0
    }
}
