package import SluiceGovernance

/// The revocations the signer read (its `sluice-revocations` ConfigMap) as it hands them to the wrapper's gate in
/// the session's `facts` message: `{"entries":[{kind, value, reason}]}`, or `{"unreadable": reason}` when the list
/// was there but did not verify (the gate then fails closed).
extension LineagePolicy.Revocations {
    /// The message form.
    package var sessionJSON: CanonicalJSON {
        switch self {
        case .unreadable(let reason): ["unreadable": .string(reason)]
        case .listed(let entries):
            [
                "entries": .array(
                    entries.map { entry in
                        [
                            "kind": .string(entry.kind.rawValue), "value": .string(entry.value),
                            "reason": .string(entry.reason),
                        ]
                    })
            ]
        }
    }

    /// Reads the message form back (absent: no revocations).
    ///
    /// - Throws: ``KubeError/session(reason:)`` when an entry is malformed.
    package init(sessionJSON json: CanonicalJSON?) throws(KubeError) {
        guard let json, !json.isNull else {
            self = .listed([])
            return
        }
        if let reason = json["unreadable"]?.stringValue {
            self = .unreadable(reason: reason)
            return
        }
        var entries: [Entry] = []
        for entry in json["entries"]?.arrayValue ?? [] {
            guard let kindText = entry["kind"]?.stringValue,
                let kind = GovernanceDocument.Revocation.Kind(rawValue: kindText),
                let value = entry["value"]?.stringValue
            else { throw .session(reason: "a revocation of the facts message is malformed") }
            entries.append(Entry(kind: kind, value: value, reason: entry["reason"]?.stringValue ?? ""))
        }
        self = .listed(entries)
    }
}
