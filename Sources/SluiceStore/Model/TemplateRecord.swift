package import Foundation

/// A WorkflowTemplate or ClusterWorkflowTemplate registered in the state directory (`sluice template create`).
///
/// The store keeps the document's YAML text as given; parsing it is the caller's job (SluiceStore does not know
/// Argo's model). Kind and name together identify a record.
package struct TemplateRecord: Sendable, Equatable {
    /// `WorkflowTemplate` or `ClusterWorkflowTemplate`.
    package var kind: String
    /// The document's `metadata.name`.
    package var name: String
    /// The YAML text of this one document.
    package var documentYAML: String
    /// The file it was registered from, for `sluice template list`.
    package var sourcePath: String
    /// When it was registered; truncated to whole milliseconds so it round-trips through the store.
    package var createdAt: Date

    /// Creates a record; `createdAt` is truncated to whole milliseconds.
    package init(kind: String, name: String, documentYAML: String, sourcePath: String, createdAt: Date) {
        self.kind = kind
        self.name = name
        self.documentYAML = documentYAML
        self.sourcePath = sourcePath
        self.createdAt = StoreTimestamp.truncated(createdAt)
    }
}
