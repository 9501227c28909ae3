import Benchmark
import BenchmarkSupport
import MyceliumContracts
import MyceliumKit

/// Encoding and decoding the bundled `PoolStateUpdate` (224 bytes: an Address, two uint256s,
/// a uint128, a FixedStr<32> and four Addresses): time and heap allocations per message, into
/// and out of one preallocated payload. `PoolStateUpdate.copy` hands the same value to the
/// black hole without coding it: the floor the loop and the black hole put under the others.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .mycelium
    let update = PoolStateUpdate(
        poolAddress: Address(hex: "0x8ad599c3a0ff1de082011efddc58f1908eb6e6d8")!, reserve0: .max,
        reserve1: UInt256("123456789012345678901234567890")!, liquidity: 1 << 100, tick: -887_272,
        blockNumber: 19_000_000, symbol: "WETH/USDC",
        path: FixedArray(repeating: Address(hex: "0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2")!))
    let payload = UnsafeMutableRawBufferPointer.allocate(byteCount: PoolStateUpdate.payloadSize, alignment: 16)
    update.encode(into: payload)

    Benchmark("PoolStateUpdate.copy") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(identity(update))
        }
    }
    Benchmark("PoolStateUpdate.encode") { benchmark in
        for _ in benchmark.scaledIterations {
            identity(update).encode(into: payload)
        }
    }
    Benchmark("PoolStateUpdate.decode") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try PoolStateUpdate(payload: UnsafeRawBufferPointer(identity(payload))))
        }
    }
}
