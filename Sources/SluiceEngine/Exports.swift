// The engine's planning types (rendering, loops, DAG scheduling, node state, errors) live in SluicePlan; every
// importer of the engine sees them as before.
@_exported import SluicePlan
