import MyceliumContracts

/// The `Trade` the typed benchmarks publish.
enum BundledTrade {
    static let sample = Trade(instrumentID: 7, price: 101_25, quantity: 10, side: 1, timestampNs: 1_700_000_000_000_000_000)
}
