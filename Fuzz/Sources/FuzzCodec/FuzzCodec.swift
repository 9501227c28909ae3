import ContractStore

/// A catalog whose messages use every field type the contracts know, made once.
private let codecs: [MessageCodec] = {
    let yaml = """
        messages:
          Scalars:
            tlv_type: 1000
            fields:
              a: uint8
              b: int8
              c: bool
              d: uint16
              e: int16
              f: uint32
              g: int32
              h: float32
              i: uint64
              j: int64
              k: float64
          Wide:
            tlv_type: 1001
            fields:
              a: uint128
              b: int128
              c: uint256
              d: Address
          Text:
            tlv_type: 1002
            fields:
              a: { type: "FixedStr<12>" }
              b: { type: "[u8; 7]" }
              c: { type: "FixedVec<int16, 3>" }
              d: { type: "FixedVec<Address, 2>" }
              e: { type: "FixedVec<bool, 2>" }
        """
    do {
        return try ContractParser.parse(yaml: yaml, file: "fuzz.yaml").set.messages.map(MessageCodec.init)
    } catch {
        preconditionFailure("the fuzz contracts are invalid: \(error)")
    }
}()

/// One input: its first byte picks a message and a direction, the rest is a payload to decode
/// or JSON text to encode. Neither direction may crash, and what one direction produces the
/// other must take back: encode(decode(p)) is stable after one round.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCodec(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size > 0 else { return 0 }
    let codec = codecs[Int(data[0] >> 1) % codecs.count]
    let rest = UnsafeBufferPointer(start: data + 1, count: size - 1)
    if data[0] & 1 == 0 {
        guard let json = try? codec.decode(rest) else { return 0 }
        checkRoundTrip(codec, json)
    } else {
        let text = String(decoding: rest, as: UTF8.self)
        guard let value = try? JSONValue(parsing: text), let payload = try? codec.encode(value) else { return 0 }
        precondition(payload.count == codec.message.maxPayload, "encode wrote \(payload.count) bytes")
        guard let json = try? codec.decode(payload) else {
            preconditionFailure("\(codec.message.name): a payload the codec encoded does not decode")
        }
        checkRoundTrip(codec, json)
    }
    return 0
}

/// Decoded JSON encodes, and that payload decodes to the same JSON.
private func checkRoundTrip(_ codec: MessageCodec, _ json: JSONValue) {
    do {
        let payload = try codec.encode(json)
        let again = try codec.decode(payload)
        precondition(again == json, "\(codec.message.name): \(json.text) came back as \(again.text)")
    } catch {
        preconditionFailure("\(codec.message.name): decoded JSON \(json.text) does not encode: \(error)")
    }
}
