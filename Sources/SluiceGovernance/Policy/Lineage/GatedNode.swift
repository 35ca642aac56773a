/// The node about to run, as constraints see it.
package struct GatedNode: Sendable {
    package var displayName: String
    package var templateName: String
    /// The task or step name the node runs as (its display name without a loop suffix).
    package var taskName: String
    package var image: String?
    package var runtime: String
    /// The steps and DAG calls the node runs under, innermost first.
    package var within: [LineagePredicate.Node.Call]
    /// The pod's containers other than the main one (init containers, sidecars, a containerSet's others).
    package var otherContainers: [LineagePredicate.Producer.Container] = []
    /// The isolation the node runs (or ran) under: `bubblewrap`, `container` or `none`; nil when not recorded.
    package var isolation: String? = nil

    package init(
        displayName: String, templateName: String, image: String? = nil, runtime: String,
        within: [LineagePredicate.Node.Call] = []
    ) {
        self.displayName = displayName
        self.templateName = templateName
        self.within = within
        self.taskName = displayName.firstIndex(of: "(").map { String(displayName[..<$0]) } ?? displayName
        self.image = image
        self.runtime = runtime
    }
}
