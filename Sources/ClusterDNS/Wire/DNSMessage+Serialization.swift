extension DNSMessage {
    /// The UDP payload every DNS client accepts without EDNS (RFC 1035 §4.2.1).
    public static let classicUDPPayloadSize = 512

    /// The message in wire form, at most `maxSize` octets (clamped to 12…65,535).
    ///
    /// - Names are compressed (`DNSWriter`), except SRV targets.
    /// - Questions and records that fail `validate()` are left out, and the counts say so: an
    ///   invalid value in a message to send is a programming error, and writing it would produce
    ///   bytes no one can parse. Check with `validate()` first where that matters (the server
    ///   does, and answers SERVFAIL).
    /// - When the message does not fit, records are dropped from the end (additionals first,
    ///   then authorities, then answers) and TC is set, as a UDP server must for a 512-octet
    ///   limit. The OPT record stays if it fits after that (RFC 6891 §7); if not even the
    ///   questions fit, the header goes alone.
    /// - With `ednsUDPPayloadSize` set, an OPT record ends the additional section; a response code
    ///   above 15 puts its high bits there. Without it, only the low 4 bits are written.
    public func serialized(maxSize: Int = 65535) -> [UInt8] {
        let limit = min(max(maxSize, Self.headerLength), 65535)
        var writer = DNSWriter()
        writer.write(id)
        writer.write(UInt16(0))  // flags, set at the end
        for _ in 0..<4 { writer.write(UInt16(0)) }

        var questionCount = 0
        for question in questions {
            guard let labels = DNSName.labels(of: question.name) else { continue }
            writer.writeName(labels, compressed: true)
            writer.write(question.type.rawValue)
            writer.write(question.class)
            questionCount += 1
        }
        let questionsEnd = writer.count

        // Where each written record ends, and its section (0 answer, 1 authority, 2 additional).
        var recordEnds: [(section: Int, end: Int)] = []
        for (section, records) in [answers, authorities, additionals].enumerated() {
            for record in records {
                guard let labels = DNSName.labels(of: record.name),
                    let data = try? DNSRecordDataEncoding.check(record.data, type: record.type)
                else { continue }
                writer.writeName(labels, compressed: true)
                writer.write(record.type.rawValue)
                writer.write(record.class)
                writer.write(record.ttl)
                let lengthOffset = writer.count
                writer.write(UInt16(0))
                DNSRecordDataEncoding.write(data, into: &writer)
                writer.set(UInt16(clamping: writer.count - lengthOffset - 2), at: lengthOffset)
                recordEnds.append((section, writer.count))
            }
        }

        let optLength = 11
        var hasOPT = ednsUDPPayloadSize != nil
        var truncated = isTruncated
        var kept = recordEnds.count
        if writer.count + (hasOPT ? optLength : 0) > limit {
            truncated = true
            let room = limit - (hasOPT ? optLength : 0)
            kept = recordEnds.lastIndex { $0.end <= room }.map { $0 + 1 } ?? 0
            var cut = kept > 0 ? recordEnds[kept - 1].end : questionsEnd
            if hasOPT, cut + optLength > limit { hasOPT = false }
            if cut > limit {
                cut = Self.headerLength
                questionCount = 0
            }
            writer.truncate(to: cut)
        }

        if hasOPT, let payloadSize = ednsUDPPayloadSize {
            writer.write(UInt8(0))  // root owner
            writer.write(DNSRecordType.opt.rawValue)
            writer.write(payloadSize)
            writer.write(UInt32(responseCode.rawValue >> 4) << 24)  // extended RCODE, version 0, no flags
            writer.write(UInt16(0))
        }

        let keptEnds = recordEnds.prefix(kept)
        writer.set(headerFlags(truncated: truncated, extendedRCODE: hasOPT), at: 2)
        writer.set(UInt16(questionCount), at: 4)
        writer.set(UInt16(keptEnds.count { $0.section == 0 }), at: 6)
        writer.set(UInt16(keptEnds.count { $0.section == 1 }), at: 8)
        writer.set(UInt16(keptEnds.count { $0.section == 2 } + (hasOPT ? 1 : 0)), at: 10)
        return writer.bytes
    }

    private func headerFlags(truncated: Bool, extendedRCODE: Bool) -> UInt16 {
        var flags = UInt16(opcode & 0x0F) << 11 | UInt16(responseCode.rawValue & 0x0F)
        if isResponse { flags |= 0x8000 }
        if isAuthoritative { flags |= 0x0400 }
        if truncated { flags |= 0x0200 }
        if recursionDesired { flags |= 0x0100 }
        if recursionAvailable { flags |= 0x0080 }
        return flags
    }
}
