import MyceliumContracts
import MyceliumKit

/// One value of each bundled message type, with every field away from zero, so that a field
/// lost or misplaced on the way shows.
enum BundledSamples {
    static let address = Address(hex: "0x8ad599c3a0ff1de082011efddc58f1908eb6e6d8")!

    static let trade = Trade(instrumentID: 7, price: -101_25, quantity: .max, side: 1, timestampNs: 1_700_000_000_000_000_000)
    static let quote = Quote(instrumentID: 8, bidPrice: -1, askPrice: .max, bidSize: 3, askSize: .max, timestampNs: 9)
    static let poolStateUpdate = PoolStateUpdate(
        poolAddress: address, reserve0: .max, reserve1: UInt256("0x1234567890abcdef1234567890abcdef")!, liquidity: .max,
        tick: -887_272, blockNumber: 19_000_000, symbol: "WETH/USDC", path: FixedArray([address, address])!)
    static let orderBookSnapshot = OrderBookSnapshot(
        instrumentID: 1, sequence: 2, bidPrices: FixedArray([100, 99, 98])!, bidSizes: FixedArray([1, 2])!,
        askPrices: FixedArray(repeating: .min), askSizes: FixedArray(repeating: 5), venue: "XNAS")
    static let tradingSignal = TradingSignal(
        strategy: "momentum-16-byte", instrumentID: 3, direction: -1, strength: 0.75, confidence: 0.5, horizonMs: -5,
        expiresAtNs: 11, features: FixedArray([1.5, -2.5])!)
    static let riskLimitBreach = RiskLimitBreach(
        account: FixedArray(address.bytes)!, limitID: 65_535, exposure: .min, limit: .max, pnl: -1, breached: true,
        txHash: FixedArray(repeating: 0xAB))
    static let playerState = PlayerState(
        playerID: 42, name: "Ünïcode ok", position: FixedArray([1, 2, 3])!, velocity: FixedArray([-1, 0, 0.5])!,
        health: 100, armor: -3, level: 9, alive: true, inventory: FixedArray([1, 2, 3])!, sessionKey: FixedArray(repeating: 7))
    static let mapChunk = MapChunk(chunkX: -1, chunkY: 2, revision: 3, tiles: FixedArray(repeating: 0x5A))
    static let sensorReading = SensorReading(
        deviceID: 77, sensorKind: 2, status: -1, temperatureC: 21.5, offsetMv: -300, samples: FixedArray([1, -1, 32_767])!,
        label: "probe-1", checksum: 0xDEAD_BEEF)
    static let benchFrame = BenchFrame(data: FixedArray([1, 2, 3, 4, 5, 6, 7, 8])!)
}
