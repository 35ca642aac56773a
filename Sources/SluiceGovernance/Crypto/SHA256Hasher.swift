import COpenSSL

/// Incremental SHA-256, the single backend behind every `Digest`.
///
/// Backed by OpenSSL's libcrypto through its EVP interface, which uses the CPU's SHA instructions (x86 SHA-NI,
/// ARMv8 SHA2) when present: about 4 times libsodium's portable code on this project's machines. The hasher owns an
/// `EVP_MD_CTX`, so it cannot be copied; `finalize()` consumes it and the context is freed when it goes away.
package struct SHA256Hasher: ~Copyable {
    /// SHA-256 fetched once from the default provider, as OpenSSL 3 recommends for repeated use (an implicit
    /// fetch on every `EVP_DigestInit_ex` costs a lookup under a lock); `EVP_sha256()` where fetching is not
    /// available.
    ///
    /// `nonisolated(unsafe)` because `OpaquePointer` is not `Sendable`: a fetched `EVP_MD` is immutable and
    /// OpenSSL documents it as safe to share between threads; it is never freed.
    private nonisolated(unsafe) static let algorithm: OpaquePointer = EVP_MD_fetch(nil, "SHA256", nil) ?? EVP_sha256()

    /// The digest length in bytes.
    package static let byteCount = 32

    private let context: OpaquePointer

    package init() {
        guard let context = EVP_MD_CTX_new() else { preconditionFailure("OpenSSL could not allocate a digest context") }
        precondition(
            EVP_DigestInit_ex(context, Self.algorithm, nil) == 1, "OpenSSL could not initialise SHA-256")
        self.context = context
    }

    deinit {
        EVP_MD_CTX_free(context)
    }

    package mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        // SHA-256 update in the default provider only fails on a context that was never initialised.
        precondition(EVP_DigestUpdate(context, base, bytes.count) == 1, "OpenSSL SHA-256 update failed")
    }

    package mutating func update(_ bytes: some Sequence<UInt8>) {
        let handled: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            update(UnsafeRawBufferPointer(buffer))
        }
        if handled == nil {
            let copy = Array(bytes)
            copy.withUnsafeBytes { update($0) }
        }
    }

    package consuming func finalize() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Self.byteCount)
        var length: UInt32 = 0
        let status = out.withUnsafeMutableBufferPointer { EVP_DigestFinal_ex(context, $0.baseAddress, &length) }
        precondition(status == 1 && length == UInt32(Self.byteCount), "OpenSSL SHA-256 final failed")
        return out
    }
}
