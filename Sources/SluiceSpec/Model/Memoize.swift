/// `memoize` of a template: reuse the outputs of an earlier node that ran with the same key (Argo's `Memoize`).
///
/// Entries live in the state directory's database, keyed by the cache name and the rendered key; an entry older than
/// `maxAge` is not used. Only a Succeeded node's outputs are saved.
package struct Memoize: Sendable, Decodable, Equatable {
    /// The cache key, usually rendered from the template's inputs (`"{{inputs.parameters.num}}"`).
    package var key: String
    /// The most an entry may age and still be used: a Go duration (`"10s"`, `"1h"`) or seconds; nil means no limit.
    package var maxAge: String?
    /// Where Argo keeps the entries; its `configMap.name` names the cache here.
    package var cache: MemoizationCache?

    /// The cache's name (`cache.configMap.name`); `"default"` when none is given.
    package var cacheName: String { cache?.configMap?.name ?? "default" }
}

/// `memoize.cache`: Argo keeps entries in a ConfigMap; its name is the cache's name.
package struct MemoizationCache: Sendable, Decodable, Equatable {
    package var configMap: ConfigMapKeySelector?
}

/// A reference to a ConfigMap (and optionally one of its keys), Kubernetes' `ConfigMapKeySelector`.
package struct ConfigMapKeySelector: Sendable, Decodable, Equatable {
    package var name: String
    package var key: String?
    package var optional: Bool?
}
