import CSodium

/// Incremental SHA-256, the single backend behind every `Digest`.
///
/// Backed by libsodium's `crypto_hash_sha256` today; a hardware-accelerated implementation can replace the body of
/// this type without changing any caller.
struct SHA256Hasher {
    private var state = crypto_hash_sha256_state()

    init() {
        Sodium.requireReady()
        crypto_hash_sha256_init(&state)
    }

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        crypto_hash_sha256_update(&state, base.assumingMemoryBound(to: UInt8.self), UInt64(bytes.count))
    }

    mutating func update(_ bytes: some Sequence<UInt8>) {
        let handled: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            update(UnsafeRawBufferPointer(buffer))
        }
        if handled == nil {
            let copy = Array(bytes)
            copy.withUnsafeBytes { update($0) }
        }
    }

    mutating func finalize() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(crypto_hash_sha256_BYTES))
        crypto_hash_sha256_final(&state, &out)
        return out
    }
}
