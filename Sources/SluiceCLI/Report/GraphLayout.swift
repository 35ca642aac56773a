/// Places a run's nodes in layers for drawing, like the Argo UI's DAG view: each node below every node that lists it
/// as a child, parents' order kept, and a layer wider than a screen wrapped into a block of rows.
///
/// Pure: the report's script only draws what this computes. Hostile status files may hold cycles or unknown
/// children; nodes on a cycle are placed below the rest, unknown children are ignored.
struct GraphLayout: Equatable {
    /// A node's cell: layer, row inside its layer's block and column.
    struct Cell: Equatable {
        var layer: Int
        var row: Int
        var column: Int
        var x: Double
        var y: Double
    }

    /// A layer wrapped into several rows: the rectangle that holds it.
    struct Block: Equatable {
        var layer: Int
        var x: Double
        var y: Double
        var width: Double
        var height: Double
    }

    static let cellWidth = 180.0
    static let cellHeight = 64.0
    static let layerGap = 40.0

    /// Cells by node id.
    var cells: [String: Cell]
    /// Wrapped layers.
    var blocks: [Block]
    var width: Double
    var height: Double

    /// Lays out `nodes` (id and children ids) in the order given.
    ///
    /// - Parameter maxColumns: the widest a row may be before its layer wraps; by default chosen from the widest
    ///   layer so that a wrapped block is about twice as wide as it is tall.
    init(nodes: [(id: String, children: [String])], maxColumns: Int? = nil) {
        let layers = Self.layers(nodes)
        let widest = layers.map(\.count).max() ?? 0
        let columns =
            maxColumns ?? max(12, Int((Double(widest) * 2 * Self.cellHeight / Self.cellWidth).squareRoot()) + 1)
        let rowCounts = layers.map { max(1, ($0.count + columns - 1) / columns) }
        let maxWidth = Double(min(widest, columns)) * Self.cellWidth
        var cells: [String: Cell] = [:]
        var blocks: [Block] = []
        var y = 0.0
        for (index, layer) in layers.enumerated() {
            let rows = rowCounts[index]
            let layerTop = y
            for (position, id) in layer.enumerated() {
                let row = position / columns
                let column = position % columns
                let inRow = row == rows - 1 ? layer.count - row * columns : min(columns, layer.count)
                let offset = (maxWidth - Double(inRow) * Self.cellWidth) / 2
                cells[id] = Cell(
                    layer: index, row: row, column: column, x: offset + Double(column) * Self.cellWidth,
                    y: layerTop + Double(row) * Self.cellHeight)
            }
            if rows > 1 {
                blocks.append(
                    Block(
                        layer: index, x: 0, y: layerTop - 8, width: maxWidth, height: Double(rows) * Self.cellHeight + 4
                    ))
            }
            y += Double(rows) * Self.cellHeight + Self.layerGap
        }
        self.cells = cells
        self.blocks = blocks
        width = max(maxWidth, Self.cellWidth)
        height = max(y - Self.layerGap, Self.cellHeight)
    }

    /// Node ids by layer: a node's layer is one more than its deepest parent's (Kahn's algorithm over the children
    /// edges); inside a layer, nodes keep the order of their first parent, then the input order.
    static func layers(_ nodes: [(id: String, children: [String])]) -> [[String]] {
        let order = Dictionary(nodes.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
        var children: [String: [String]] = [:]
        var indegree: [String: Int] = Dictionary(nodes.map { ($0.id, 0) }, uniquingKeysWith: { first, _ in first })
        for node in nodes where children[node.id] == nil {
            let known = Array(Set(node.children.filter { order[$0] != nil && $0 != node.id }))
                .sorted { order[$0, default: 0] < order[$1, default: 0] }
            children[node.id] = known
            for child in known { indegree[child, default: 0] += 1 }
        }
        var layerOf: [String: Int] = [:]
        var firstParent: [String: Int] = [:]
        var ready = nodes.map(\.id).filter { indegree[$0] == 0 }
        var remaining = indegree
        var cursor = 0
        while cursor < ready.count {
            let id = ready[cursor]
            cursor += 1
            let layer = layerOf[id] ?? 0
            layerOf[id] = layer
            for child in children[id] ?? [] {
                layerOf[child] = max(layerOf[child] ?? 0, layer + 1)
                if firstParent[child] == nil { firstParent[child] = order[id] }
                remaining[child, default: 0] -= 1
                if remaining[child] == 0 { ready.append(child) }
            }
        }
        let placedDepth = (layerOf.values.max() ?? -1) + 1
        var layers: [[String]] = Array(repeating: [], count: placedDepth)
        var cyclic: [String] = []
        var seen: Set<String> = []
        for node in nodes where seen.insert(node.id).inserted {
            if layerOf[node.id] != nil, remaining[node.id, default: 0] <= 0 {
                layers[layerOf[node.id] ?? 0].append(node.id)
            } else {
                cyclic.append(node.id)
            }
        }
        for index in layers.indices {
            layers[index].sort {
                (firstParent[$0] ?? -1, order[$0, default: 0]) < (firstParent[$1] ?? -1, order[$1, default: 0])
            }
        }
        if !cyclic.isEmpty { layers.append(cyclic) }
        return layers.filter { !$0.isEmpty }
    }
}
