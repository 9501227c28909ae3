import MyceliumCore
import Testing

@Suite struct FrameHeaderTests {
    @Test func encodesLittleEndianTypeThenLength() {
        #expect(FrameHeader(typeID: 1001, length: 0x0102_0304).bytes == [0xE9, 0x03, 0x04, 0x03, 0x02, 0x01])
    }

    @Test func readsWhatItWrites() {
        let header = FrameHeader(typeID: 65535, length: 4 << 20)
        let bytes = header.bytes
        #expect(bytes.withUnsafeBytes { FrameHeader(readingFrom: $0.baseAddress!) } == header)
    }
}
