import Benchmark
import BenchmarkSupport
import MyceliumContracts
import MyceliumKit

/// Encoding and decoding the bundled `PoolStateUpdate` (224 bytes: an Address, two uint256s,
/// a uint128, a FixedStr<32> and four Addresses): time and heap allocations per message, into
/// and out of one preallocated payload.
///
/// Every iteration takes the message and the payload through `opaque(_:)` and hands what it
/// wrote to `sink(_:)`, as pointers: both are compiled without optimization and never
/// inlined, so the optimizer can neither fold the coding into a constant nor drop it, and
/// they cost a plain call each. (The library's generic `identity` and `blackHole` cost 19 ns
/// per iteration with the 240-byte message passed through them, more than the coding.) A
/// decoded message is stored through a pointer that `sink` sees, so every field is written.
/// `PoolStateUpdate.copy` is the floor: the message copied from the source to that
/// destination without coding.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .mycelium
    let update = PoolStateUpdate(
        poolAddress: Address(hex: "0x8ad599c3a0ff1de082011efddc58f1908eb6e6d8")!, reserve0: .max,
        reserve1: UInt256("123456789012345678901234567890")!, liquidity: 1 << 100, tick: -887_272,
        blockNumber: 19_000_000, symbol: "WETH/USDC",
        path: FixedArray(repeating: Address(hex: "0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2")!))
    let source = UnsafeMutablePointer<PoolStateUpdate>.allocate(capacity: 1)
    source.initialize(to: update)
    let destination = UnsafeMutablePointer<PoolStateUpdate>.allocate(capacity: 1)
    destination.initialize(to: update)
    let payload = UnsafeMutableRawBufferPointer.allocate(byteCount: PoolStateUpdate.payloadSize, alignment: 16)
    update.encode(into: payload)

    Benchmark("PoolStateUpdate.copy") { benchmark in
        for _ in benchmark.scaledIterations {
            destination.pointee = opaque(source).pointee
            sink(destination)
        }
    }
    Benchmark("PoolStateUpdate.encode") { benchmark in
        for _ in benchmark.scaledIterations {
            opaque(source).pointee.encode(into: opaque(payload))
            sink(payload.baseAddress.unsafelyUnwrapped)
        }
    }
    Benchmark("PoolStateUpdate.decode") { benchmark in
        for _ in benchmark.scaledIterations {
            destination.pointee = try PoolStateUpdate(payload: UnsafeRawBufferPointer(opaque(payload)))
            sink(destination)
        }
    }
}

/// Returns its argument; the optimizer cannot see that.
@_optimize(none) @inline(never)
func opaque(_ pointer: UnsafeMutablePointer<PoolStateUpdate>) -> UnsafeMutablePointer<PoolStateUpdate> {
    pointer
}

/// Returns its argument; the optimizer cannot see that.
@_optimize(none) @inline(never)
func opaque(_ payload: UnsafeMutableRawBufferPointer) -> UnsafeMutableRawBufferPointer {
    payload
}

/// Does nothing with what `pointer` points at; the optimizer must assume it reads it.
@_optimize(none) @inline(never)
func sink(_ pointer: UnsafeMutableRawPointer) {}

/// Does nothing with the message `pointer` points at; the optimizer must assume it reads it.
@_optimize(none) @inline(never)
func sink(_ pointer: UnsafeMutablePointer<PoolStateUpdate>) {}
