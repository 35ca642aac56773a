/// Argo's node naming: node names are dotted paths from the workflow name, node ids are the workflow name plus
/// the FNV-1a 32-bit hash of the node name (the root node's id is the workflow name itself).
package enum NodeIdentity {
    /// The id Argo gives the node named `nodeName` in workflow `workflowName`.
    package static func id(workflowName: String, nodeName: String) -> String {
        if nodeName == workflowName { return workflowName }
        return "\(workflowName)-\(fnv1a32(nodeName))"
    }

    /// FNV-1a, 32 bits, over the UTF-8 bytes.
    package static func fnv1a32(_ text: String) -> UInt32 {
        var hash: UInt32 = 2_166_136_261
        for byte in text.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 16_777_619
        }
        return hash
    }

    /// A random suffix for `generateName`, drawn like Kubernetes' `utilrand.String(5)`.
    package static func generatedSuffix() -> String {
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        return String((0..<5).map { _ in alphabet[Int.random(in: 0..<alphabet.count)] })
    }
}
