import CSodium

/// One-time libsodium initialisation shared by every entry point of the module.
enum Sodium {
    /// Whether `sodium_init()` succeeded; Swift initialises globals and statics once, thread-safely.
    static let isReady: Bool = sodium_init() >= 0

    /// Throws unless libsodium is initialised.
    static func ensureReady() throws(GovernanceError) {
        guard isReady else { throw .sodiumInitFailed }
    }

    /// Stops the program when libsodium cannot initialise and the caller's API has no way to report it.
    ///
    /// libsodium 1.0.18 itself aborts when it cannot reach a random source, so this only makes that explicit.
    static func requireReady() {
        precondition(isReady, "libsodium failed to initialise (sodium_init returned -1)")
    }
}
