extension WorkflowDocument {
    /// The annotation that carries the governance document for clusters whose schema rejects `spec.governance`.
    package static let governanceAnnotation = "sluice.dev/governance"

    /// The workflow's governance section: `spec.governance`, else the `sluice.dev/governance` annotation parsed as
    /// YAML (JSON is YAML too); nil when the workflow carries neither.
    ///
    /// - Throws: ``SpecError`` when both are given, or when the annotation is not valid YAML.
    package func governanceTree() throws(SpecError) -> YAMLValue? {
        let inSpec = tree["spec"]?["governance"]
        guard let annotation = tree["metadata"]?["annotations"]?[Self.governanceAnnotation] else { return inSpec }
        if inSpec != nil {
            throw .invalidValue(
                message: "governance is given twice: in spec.governance and in the annotation "
                    + "\(Self.governanceAnnotation); keep one",
                at: annotation.location, path: SpecPath())
        }
        guard let text = annotation.scalarText else {
            throw .invalidValue(
                message: "annotation \(Self.governanceAnnotation) must be a string holding YAML or JSON",
                at: annotation.location, path: SpecPath())
        }
        do {
            let composed = try YAMLComposer.document(
                in: text, file: "\(file) (annotation \(Self.governanceAnnotation))")
            if let error = composed.errors.first { throw error }
            return composed.document?.tree
        } catch let error as SpecError {
            throw error
        } catch {
            throw .invalidValue(
                message: "annotation \(Self.governanceAnnotation) is not valid YAML: \(error)",
                at: annotation.location, path: SpecPath())
        }
    }
}
