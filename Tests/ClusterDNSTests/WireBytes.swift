// Hand-written DNS wire bytes for tests that need messages the encoder would never produce.

enum WireBytes {
    static func header(
        id: UInt16 = 0x1234, flags: UInt16 = 0x0100, questions: UInt16 = 1, answers: UInt16 = 0, authorities: UInt16 = 0,
        additionals: UInt16 = 0
    ) -> [UInt8] {
        [id, flags, questions, answers, authorities, additionals].flatMap(u16)
    }

    /// An uncompressed name; "" is the root.
    static func name(_ dotted: String) -> [UInt8] {
        dotted.split(separator: ".").flatMap { [UInt8($0.utf8.count)] + Array($0.utf8) } + [0]
    }

    static func pointer(to offset: Int) -> [UInt8] {
        [0xC0 | UInt8(offset >> 8), UInt8(offset & 0xFF)]
    }

    static func question(_ dotted: String, type: UInt16 = 1, class: UInt16 = 1) -> [UInt8] {
        name(dotted) + u16(type) + u16(`class`)
    }

    /// A record after its owner name.
    static func recordTail(type: UInt16, class: UInt16 = 1, ttl: UInt32 = 60, data: [UInt8]) -> [UInt8] {
        u16(type) + u16(`class`) + u16(UInt16(ttl >> 16)) + u16(UInt16(ttl & 0xFFFF)) + u16(UInt16(data.count)) + data
    }

    static func u16(_ value: UInt16) -> [UInt8] {
        [UInt8(value >> 8), UInt8(value & 0xFF)]
    }

    /// A standard query for `name`, as a resolver sends it.
    static func query(_ dotted: String, type: UInt16 = 1, id: UInt16 = 0x1234) -> [UInt8] {
        header(id: id) + question(dotted, type: type)
    }
}
