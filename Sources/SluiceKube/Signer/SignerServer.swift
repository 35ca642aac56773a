import Foundation
package import SluiceGovernance

/// `sluice signer`: serves exactly one session on a Unix socket, then exits.
///
/// The session: the wrapper says hello and receives the run's and node's facts (for its gate); it sends the
/// inputs it verified and the command it will run (the signer stamps the start); after the command it sends the
/// outputs' digests and receives the signed envelope. The listening socket is gone once the session is accepted,
/// so the user's command cannot open another.
package struct SignerServer: Sendable {
    package let signer: PodSigner
    package let socketPath: String
    /// The revocations in force for this pod, handed to the wrapper's gate.
    package var revocations: LineagePolicy.Revocations = .listed([])

    package init(signer: PodSigner, socketPath: String) {
        self.signer = signer
        self.socketPath = socketPath
    }

    /// Accepts one session and serves it to its end.
    ///
    /// - Throws: ``KubeError/session(reason:)`` when the wrapper breaks the protocol or disappears.
    package func serve() throws(KubeError) {
        let socket = try UnixSocket.acceptOne(path: socketPath)
        do {
            try serve(socket)
        } catch {
            try? socket.send(CanonicalJSON.object(["type": "error", "reason": .string(error.description)]).bytes)
            throw error
        }
    }

    private func serve(_ socket: UnixSocket) throws(KubeError) {
        _ = try Self.expect("hello", from: socket)
        try socket.send(
            CanonicalJSON.object([
                "type": "facts", "run": signer.run.json, "node": signer.node.json,
                "revocations": revocations.sessionJSON,
            ]).bytes)
        let inputs = try SessionInputs(json: try Self.expect("inputs", from: socket))
        let startedOn = Date()
        try socket.send(CanonicalJSON.object(["type": "started"]).bytes)
        let outputs = try SessionOutputs(json: try Self.expect("outputs", from: socket))
        let envelope = signer.sign(inputs: inputs, outputs: outputs, startedOn: startedOn, finishedOn: Date())
        let envelopeJSON = (try? CanonicalJSON(parsing: envelope.jsonBytes())) ?? .null
        try socket.send(CanonicalJSON.object(["type": "envelope", "envelope": envelopeJSON]).bytes)
    }

    /// The next message, which must be of `type`.
    static func expect(_ type: String, from socket: UnixSocket) throws(KubeError) -> CanonicalJSON {
        guard let bytes = try socket.receive() else {
            throw .session(reason: "the peer closed the session before '\(type)'")
        }
        let message: CanonicalJSON
        do {
            message = try CanonicalJSON(parsing: bytes)
        } catch {
            throw .session(reason: "a message is not JSON: \(error.description)")
        }
        if message["type"]?.stringValue == "error" {
            throw .session(reason: message["reason"]?.stringValue ?? "the peer reported an error")
        }
        guard message["type"]?.stringValue == type else {
            throw .session(reason: "expected '\(type)', got '\(message["type"]?.stringValue ?? "?")'")
        }
        return message
    }
}
