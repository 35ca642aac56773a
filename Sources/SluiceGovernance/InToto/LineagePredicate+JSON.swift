import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// MARK: - JSON form

extension LineagePredicate {
    /// The predicate body in lowerCamelCase JSON; optional fields are omitted when nil.
    ///
    /// Digests appear as digest sets (`{"sha256": "<hex>"}`), timestamps as RFC 3339 UTC strings.
    package var json: CanonicalJSON {
        var producerJSON: [String: CanonicalJSON] = [
            "id": .string(producer.id),
            "version": .string(producer.version),
            "runtime": .string(producer.runtime),
            "command": .array(producer.command.map { .string($0) }),
            "signer": [
                "keyid": .string(producer.signer.keyID),
                "publicKeyDigest": Self.digestSet(producer.signer.publicKeyDigest),
            ],
        ]
        if let image = producer.image { producerJSON["image"] = .string(image) }
        if let isolation = producer.isolation { producerJSON["isolation"] = .string(isolation) }
        if !producer.containers.isEmpty {
            producerJSON["containers"] = .array(
                producer.containers.map { container in
                    var members: [String: CanonicalJSON] = [
                        "kind": .string(container.kind.rawValue), "name": .string(container.name),
                    ]
                    if let image = container.image { members["image"] = .string(image) }
                    return .object(members)
                })
        }
        var nodeJSON: [String: CanonicalJSON] = [
            "id": .string(node.id),
            "name": .string(node.name),
            "templateName": .string(node.templateName),
            "displayName": .string(node.displayName),
            "attempt": .integer(Int64(node.attempt)),
        ]
        if let templateDigest = node.templateDigest { nodeJSON["templateDigest"] = Self.digestSet(templateDigest) }
        if !node.within.isEmpty {
            nodeJSON["within"] = .array(
                node.within.map { ["template": .string($0.template), "task": .string($0.task)] })
        }

        var root: [String: CanonicalJSON] = [
            "workflow": [
                "name": .string(workflow.name),
                "runId": .string(workflow.runID),
                "specDigest": Self.digestSet(workflow.specDigest),
            ],
            "node": .object(nodeJSON),
            "invocationId": .string(invocationID),
            "producer": .object(producerJSON),
            "governance": [
                "specDigest": Self.digestSet(governance.specDigest),
                "constraintsDigest": Self.digestSet(governance.constraintsDigest),
            ],
            "inputs": .array(inputs.map(Self.json(for:))),
            "trustSlope": .array(
                trustSlope.map {
                    [
                        "authority": .string($0.authority), "keyid": .string($0.keyID), "role": .string($0.role),
                        "attestation": Self.digestSet($0.attestation),
                    ]
                }
            ),
            "chainDepth": .integer(Int64(chainDepth)),
            "timing": [
                "startedOn": .string(RFC3339.format(timing.startedOn)),
                "finishedOn": .string(RFC3339.format(timing.finishedOn)),
            ],
        ]
        if let outcome { root["outcome"] = .string(outcome) }
        if let replayed {
            root["replayed"] = [
                "bundle": .string(replayed.bundle), "runId": .string(replayed.runID),
                "envelopePayloadDigest": Self.digestSet(replayed.envelopePayloadDigest),
                "originVerified": .bool(replayed.originVerified),
            ]
        }
        return .object(root)
    }

    /// Reads a predicate body strictly; unknown fields are ignored.
    ///
    /// - Throws: `GovernanceError.malformedPredicate` naming the dotted field path and what is wrong with it.
    package init(json: CanonicalJSON) throws(GovernanceError) {
        let root = try FieldReader(json, path: "")
        let workflow = try root.object("workflow")
        let node = try root.object("node")
        let producer = try root.object("producer")
        let signer = try producer.object("signer")
        let governance = try root.object("governance")
        let timing = try root.object("timing")

        var inputs: [Input] = []
        for (index, element) in try root.array("inputs").enumerated() {
            let input = try FieldReader(element, path: "inputs[\(index)]")
            let kindText = try input.string("kind")
            guard let kind = Input.Kind(rawValue: kindText) else {
                throw .malformedPredicate(
                    field: input.path("kind"), reason: "is '\(kindText)', not artifact or parameter")
            }
            inputs.append(
                Input(
                    name: try input.string("name"),
                    kind: kind,
                    digest: try input.stringMap("digest"),
                    producerNode: try input.optionalString("producerNode"),
                    subjectName: try input.optionalString("subjectName"),
                    envelopePayloadDigest: try input.optionalDigest("envelopePayloadDigest"),
                    origin: try input.optionalObject("origin").map { origin throws(GovernanceError) in
                        Input.Origin(uri: try origin.string("uri"), commit: try origin.optionalString("commit"))
                    },
                    source: try input.optionalObject("source").map { source throws(GovernanceError) in
                        Input.Source(kind: try source.string("kind"), name: try source.optionalString("name"))
                    }
                )
            )
        }
        var trustSlope: [TrustHop] = []
        for (index, element) in try root.array("trustSlope").enumerated() {
            let hop = try FieldReader(element, path: "trustSlope[\(index)]")
            trustSlope.append(
                TrustHop(
                    authority: try hop.string("authority"), keyID: try hop.string("keyid"),
                    role: try hop.string("role"),
                    attestation: try hop.digest("attestation")
                )
            )
        }
        let command = try producer.array("command").enumerated().map { (index, element) throws(GovernanceError) in
            guard let text = element.stringValue else {
                throw GovernanceError.malformedPredicate(field: "producer.command[\(index)]", reason: "is not a string")
            }
            return text
        }
        let chainDepth = try root.integer("chainDepth")
        guard chainDepth >= 1 else { throw .malformedPredicate(field: "chainDepth", reason: "is less than 1") }
        let attempt = try node.integer("attempt")
        guard attempt >= 0 else { throw .malformedPredicate(field: "node.attempt", reason: "is negative") }
        var containers: [Producer.Container] = []
        for (index, element) in try producer.optionalArray("containers").enumerated() {
            let container = try FieldReader(element, path: "producer.containers[\(index)]")
            let kindText = try container.string("kind")
            guard let kind = Producer.Container.Kind(rawValue: kindText), kind != .main else {
                throw .malformedPredicate(
                    field: container.path("kind"), reason: "is '\(kindText)', not init container, sidecar or container")
            }
            containers.append(
                Producer.Container(
                    kind: kind, name: try container.string("name"), image: try container.optionalString("image")))
        }
        var within: [Node.Call] = []
        for (index, element) in try node.optionalArray("within").enumerated() {
            let call = try FieldReader(element, path: "node.within[\(index)]")
            within.append(Node.Call(template: try call.string("template"), task: try call.string("task")))
        }

        let isolation = try producer.optionalString("isolation")
        if let isolation, !["bubblewrap", "container", "none"].contains(isolation) {
            throw .malformedPredicate(
                field: "producer.isolation", reason: "is '\(isolation)', not bubblewrap, container or none")
        }
        self.init(
            workflow: Workflow(
                name: try workflow.string("name"),
                runID: try workflow.string("runId"),
                specDigest: try workflow.digest("specDigest")
            ),
            node: Node(
                id: try node.string("id"),
                name: try node.string("name"),
                templateName: try node.string("templateName"),
                displayName: try node.string("displayName"),
                attempt: Int(attempt),
                within: within,
                templateDigest: try node.optionalDigest("templateDigest")
            ),
            invocationID: try root.string("invocationId"),
            producer: Producer(
                id: try producer.string("id"),
                version: try producer.string("version"),
                runtime: try producer.string("runtime"),
                command: command,
                image: try producer.optionalString("image"),
                signer: Signer(
                    keyID: try signer.string("keyid"), publicKeyDigest: try signer.digest("publicKeyDigest")),
                containers: containers
            ),
            governance: Governance(
                specDigest: try governance.digest("specDigest"),
                constraintsDigest: try governance.digest("constraintsDigest")
            ),
            inputs: inputs,
            trustSlope: trustSlope,
            chainDepth: Int(chainDepth),
            timing: Timing(
                startedOn: try timing.timestamp("startedOn"), finishedOn: try timing.timestamp("finishedOn")),
            replayed: try root.optionalObject("replayed").map { replayed throws(GovernanceError) in
                guard let verified = replayed.members["originVerified"]?.boolValue else {
                    throw .malformedPredicate(field: replayed.path("originVerified"), reason: "is not a boolean")
                }
                return Replayed(
                    bundle: try replayed.string("bundle"), runID: try replayed.string("runId"),
                    envelopePayloadDigest: try replayed.digest("envelopePayloadDigest"), originVerified: verified)
            }
        )
        outcome = try root.optionalString("outcome")
        self.producer.isolation = isolation
    }

    private static func digestSet(_ digest: Digest) -> CanonicalJSON {
        ["sha256": .string(digest.hex)]
    }

    private static func json(for input: Input) -> CanonicalJSON {
        var members: [String: CanonicalJSON] = [
            "name": .string(input.name),
            "kind": .string(input.kind.rawValue),
            "digest": .object(input.digest.mapValues { .string($0) }),
        ]
        if let producerNode = input.producerNode { members["producerNode"] = .string(producerNode) }
        if let subjectName = input.subjectName { members["subjectName"] = .string(subjectName) }
        if let payloadDigest = input.envelopePayloadDigest {
            members["envelopePayloadDigest"] = digestSet(payloadDigest)
        }
        if let origin = input.origin {
            var fields: [String: CanonicalJSON] = ["uri": .string(origin.uri)]
            if let commit = origin.commit { fields["commit"] = .string(commit) }
            members["origin"] = .object(fields)
        }
        if let source = input.source {
            var fields: [String: CanonicalJSON] = ["kind": .string(source.kind)]
            if let name = source.name { fields["name"] = .string(name) }
            members["source"] = .object(fields)
        }
        return .object(members)
    }
}

/// Typed field access over a JSON object that reports the dotted path of whatever is missing or wrong.
private struct FieldReader {
    let members: [String: CanonicalJSON]
    let prefix: String

    init(_ json: CanonicalJSON, path: String) throws(GovernanceError) {
        guard let members = json.objectValue else {
            throw .malformedPredicate(field: path.isEmpty ? "predicate" : path, reason: "is not an object")
        }
        self.members = members
        self.prefix = path
    }

    func path(_ key: String) -> String { prefix.isEmpty ? key : prefix + "." + key }

    private func value(_ key: String) throws(GovernanceError) -> CanonicalJSON {
        guard let value = members[key] else { throw .malformedPredicate(field: path(key), reason: "is missing") }
        return value
    }

    func object(_ key: String) throws(GovernanceError) -> FieldReader {
        try FieldReader(try value(key), path: path(key))
    }

    func optionalObject(_ key: String) throws(GovernanceError) -> FieldReader? {
        guard let value = members[key], !value.isNull else { return nil }
        return try FieldReader(value, path: path(key))
    }

    func string(_ key: String) throws(GovernanceError) -> String {
        guard let text = try value(key).stringValue else {
            throw .malformedPredicate(field: path(key), reason: "is not a string")
        }
        return text
    }

    func optionalString(_ key: String) throws(GovernanceError) -> String? {
        guard let value = members[key], !value.isNull else { return nil }
        guard let text = value.stringValue else {
            throw .malformedPredicate(field: path(key), reason: "is not a string")
        }
        return text
    }

    func integer(_ key: String) throws(GovernanceError) -> Int64 {
        guard let number = try value(key).integerValue else {
            throw .malformedPredicate(field: path(key), reason: "is not an integer")
        }
        return number
    }

    func array(_ key: String) throws(GovernanceError) -> [CanonicalJSON] {
        guard let elements = try value(key).arrayValue else {
            throw .malformedPredicate(field: path(key), reason: "is not an array")
        }
        return elements
    }

    func optionalArray(_ key: String) throws(GovernanceError) -> [CanonicalJSON] {
        guard let value = members[key], !value.isNull else { return [] }
        guard let elements = value.arrayValue else {
            throw .malformedPredicate(field: path(key), reason: "is not an array")
        }
        return elements
    }

    func stringMap(_ key: String) throws(GovernanceError) -> [String: String] {
        let object = try self.object(key)
        var out: [String: String] = [:]
        for (name, value) in object.members {
            guard let text = value.stringValue else {
                throw .malformedPredicate(field: object.path(name), reason: "is not a string")
            }
            out[name] = text
        }
        return out
    }

    func digest(_ key: String) throws(GovernanceError) -> Digest {
        let set = try stringMap(key)
        guard let hex = set["sha256"] else {
            throw .malformedPredicate(field: path(key) + ".sha256", reason: "is missing")
        }
        do {
            return try Digest(hex: hex)
        } catch {
            throw .malformedPredicate(field: path(key) + ".sha256", reason: "is not 64 lowercase hex characters")
        }
    }

    func optionalDigest(_ key: String) throws(GovernanceError) -> Digest? {
        guard let value = members[key], !value.isNull else { return nil }
        return try digest(key)
    }

    func timestamp(_ key: String) throws(GovernanceError) -> Date {
        let text = try string(key)
        guard let date = RFC3339.parse(text) else {
            throw .malformedPredicate(
                field: path(key), reason: "is '\(text)', not an RFC 3339 UTC time like 2026-01-01T00:00:00Z")
        }
        return date
    }
}

/// RFC 3339 UTC timestamps with whole seconds: `2026-01-01T00:00:05Z`.
enum RFC3339 {
    static func truncated(_ date: Date) -> Date {
        Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
    }

    static func format(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))"
            + "T\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))Z"
    }

    static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        // YYYY-MM-DDTHH:MM:SSZ
        guard bytes.count == 20, bytes[4] == 0x2d, bytes[7] == 0x2d, bytes[10] == UInt8(ascii: "T"),
            bytes[13] == 0x3a, bytes[16] == 0x3a, bytes[19] == UInt8(ascii: "Z")
        else { return nil }
        func number(_ range: Range<Int>) -> Int32? {
            var value: Int32 = 0
            for byte in bytes[range] {
                guard (0x30...0x39).contains(byte) else { return nil }
                value = value * 10 + Int32(byte - 0x30)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 60
        else { return nil }
        var parts = tm()
        parts.tm_year = year - 1900
        parts.tm_mon = month - 1
        parts.tm_mday = day
        parts.tm_hour = hour
        parts.tm_min = minute
        parts.tm_sec = second
        let seconds = timegm(&parts)
        let date = Date(timeIntervalSince1970: TimeInterval(seconds))
        // Refuse dates that timegm normalised (e.g. February 30).
        return format(date) == text ? date : nil
    }
}
