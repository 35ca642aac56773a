// Parts of running a workflow that stand on their own: planning (rendering, loops, DAG scheduling, node state,
// errors), a run's lineage governance (admission, gate, signer, outcome) and Argo's status JSON. Every importer
// of the engine sees them as before.
@_exported import SluiceLineage
@_exported import SluicePlan
@_exported import SluiceStatus
