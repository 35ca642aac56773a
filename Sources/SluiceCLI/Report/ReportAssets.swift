/// The report page's stylesheet and script, inlined by ``ReportHTML`` (no file is fetched at view time).
///
/// The script reads the `#run-data` JSON, draws the graph into `#graph` as SVG, fills the header, the details pane
/// and the tables, and marks `<body data-render="ok" data-nodes="N">` when done; an uncaught script error sets
/// `data-render="error"` and `data-errors` (the Chromium test reads both). Everything from the data is inserted as
/// text (`textContent`, attributes), never as markup.
enum ReportAssets {
    static let css = #"""
        :root { --ok:#18be94; --fail:#e96d76; --error:#c0392b; --skip:#aab4be; --run:#00a2e3; --pend:#f0ad4e;
          --ink:#1d2733; --muted:#5c6b7a; --line:#d5dce3; --bg:#f5f7f9; font-family: system-ui, "DejaVu Sans", sans-serif; }
        * { box-sizing: border-box; }
        body { margin:0; color:var(--ink); background:var(--bg); font-size:14px; }
        header { padding:12px 18px; background:#fff; border-bottom:1px solid var(--line); }
        header h1 { font-size:20px; margin:0 0 6px 0; display:flex; gap:10px; align-items:center; flex-wrap:wrap; }
        .badge { display:inline-block; padding:2px 9px; border-radius:10px; color:#fff; font-size:13px; font-weight:600; }
        .facts { display:flex; flex-wrap:wrap; gap:4px 22px; color:var(--muted); font-size:13px; }
        .facts b { color:var(--ink); font-weight:600; }
        .counts span { margin-right:12px; }
        main { display:flex; height:calc(100vh - 130px); min-height:420px; }
        #graph-pane { flex:1 1 auto; display:flex; flex-direction:column; min-width:0; }
        #toolbar { display:flex; gap:6px; padding:6px 10px; align-items:center; background:#fff; border-bottom:1px solid var(--line); flex-wrap:wrap; }
        #toolbar input { flex:0 1 320px; padding:4px 8px; }
        #legend span { margin-left:10px; font-size:12px; color:var(--muted); }
        #legend i { display:inline-block; width:10px; height:10px; border-radius:2px; margin-right:4px; vertical-align:-1px; }
        #graph { flex:1 1 auto; width:100%; background:#fbfcfd; cursor:grab; }
        #details { flex:0 0 420px; overflow:auto; background:#fff; border-left:1px solid var(--line); padding:10px 14px; }
        #details h2 { font-size:16px; margin:4px 0 8px 0; word-break:break-all; }
        #details h3 { font-size:13px; text-transform:uppercase; letter-spacing:.04em; color:var(--muted); margin:14px 0 4px 0; }
        #details table, #tables table { border-collapse:collapse; width:100%; font-size:12px; }
        #details td, #details th, #tables td, #tables th { text-align:left; padding:3px 6px; border-bottom:1px solid #edf0f3; vertical-align:top; overflow-wrap:anywhere; }
        #details table { table-layout:fixed; }
        #details th:first-child, #details td:first-child { width:32%; }
        code, pre { font-family: "DejaVu Sans Mono", monospace; font-size:12px; }
        pre.logs { background:#111a22; color:#d7e1ea; padding:8px; max-height:320px; overflow:auto; white-space:pre-wrap; word-break:break-all; }
        .hint { color:var(--muted); }
        .refusal { border-left:4px solid var(--error); background:#fdf0ef; padding:6px 8px; margin:4px 0; }
        .lineage ul { list-style:none; padding-left:16px; margin:2px 0; border-left:1px dashed var(--line); }
        .lineage li { margin:3px 0; }
        a.node-link { color:#0a66c2; cursor:pointer; text-decoration:underline; }
        #tables { padding:10px 18px 30px; }
        #tables details { background:#fff; border:1px solid var(--line); border-radius:6px; margin:10px 0; padding:6px 10px; }
        #tables summary { cursor:pointer; font-weight:600; }
        tr.clickable { cursor:pointer; } tr.clickable:hover { background:#eef6ff; }
        svg text { font-size:12px; fill:#fff; pointer-events:none; }
        svg .node rect { stroke:#fff; stroke-width:1.5; }
        svg .node.group rect { opacity:.55; }
        svg .node.refused rect { stroke:#7b0000; stroke-width:3; stroke-dasharray:6 3; }
        svg .node.selected rect { stroke:#1d2733; stroke-width:4; }
        svg .node.lineage rect { stroke:#6f42c1; stroke-width:4; }
        svg .node.dim { opacity:.18; }
        svg .node { cursor:pointer; }
        svg .edge { fill:none; stroke:#9aa7b4; stroke-width:1.2; }
        svg .edge.lineage { stroke:#6f42c1; stroke-width:2.5; }
        svg .block { fill:#eef2f6; stroke:#cfd7df; stroke-dasharray:4 3; }
        svg text.block-label { fill:var(--muted); font-size:12px; }
        """#

    static let script = #"""
        (function () {
          'use strict';
          var errors = [];
          window.addEventListener('error', function (event) {
            errors.push(String(event.message));
            document.body.setAttribute('data-errors', errors.join(' | '));
            document.body.setAttribute('data-render', 'error');
          });
          var data = JSON.parse(document.getElementById('run-data').textContent);
          var SVG = 'http://www.w3.org/2000/svg';
          var NODE_W = 160, NODE_H = 44, BUNDLE = 24;
          var COLOURS = { Succeeded: '#18be94', Failed: '#e96d76', Error: '#c0392b', Skipped: '#aab4be',
            Omitted: '#aab4be', Running: '#00a2e3', Pending: '#f0ad4e' };
          var byId = {};
          data.nodes.forEach(function (node) { byId[node.id] = node; });
          var parents = {};
          data.nodes.forEach(function (node) {
            node.children.forEach(function (child) {
              if (byId[child]) { (parents[child] = parents[child] || []).push(node.id); }
            });
          });
          var shapes = {}, edgesByNode = {};
          var view = { x: 0, y: 0, k: 1 };
          var graph = document.getElementById('graph');
          var viewport = null;

          function colour(phase) { return COLOURS[phase] || '#7a8793'; }
          function html(tag, attrs, text) {
            var element = document.createElement(tag);
            Object.keys(attrs || {}).forEach(function (key) { element.setAttribute(key, attrs[key]); });
            if (text !== undefined && text !== null) { element.textContent = String(text); }
            return element;
          }
          function svg(tag, attrs, text) {
            var element = document.createElementNS(SVG, tag);
            Object.keys(attrs || {}).forEach(function (key) { element.setAttribute(key, attrs[key]); });
            if (text !== undefined) { element.textContent = String(text); }
            return element;
          }
          function add(parent, child) { parent.appendChild(child); return child; }
          function seconds(value) {
            if (value === undefined || value === null) { return '–'; }
            if (value < 60) { return value.toFixed(2) + ' s'; }
            var minutes = Math.floor(value / 60);
            return minutes + ' min ' + Math.round(value - minutes * 60) + ' s';
          }
          function clip(text, length) { text = String(text); return text.length > length ? text.slice(0, length - 1) + '…' : text; }
          function short(digest) { return digest ? clip(digest, 23) : '–'; }

          function renderHeader() {
            var run = data.run, head = document.getElementById('head');
            var title = add(head, html('h1'));
            add(title, html('span', {}, run.name));
            add(title, html('span', { 'class': 'badge', style: 'background:' + colour(run.phase) }, run.phase));
            var verdict = data.verification;
            if (verdict) {
              var text = verdict.verified ? 'Verified: ' + verdict.findings.length + ' check(s) hold'
                : 'Verification FAILED: ' + verdict.failures + ' problem(s)';
              add(title, html('span', { 'class': 'badge', id: 'verdict',
                style: 'background:' + (verdict.verified ? '#18be94' : '#c0392b') }, text));
            }
            var facts = add(head, html('div', { 'class': 'facts' }));
            function fact(label, value) {
              if (value === undefined || value === null) { return; }
              var span = add(facts, html('span'));
              add(span, html('b', {}, label + ' '));
              add(span, document.createTextNode(String(value)));
            }
            fact('Started', run.startedAt); fact('Duration', seconds(run.duration)); fact('Runtime', run.runtime);
            fact('Workflow', run.workflowDigest); fact('Governance', run.governanceDigest); fact('Signer', run.signer);
            if (run.message) { fact('Message', run.message); }
            var counts = {};
            data.nodes.forEach(function (node) { if (!node.group) { counts[node.phase] = (counts[node.phase] || 0) + 1; } });
            var line = add(head, html('div', { 'class': 'facts counts' }));
            Object.keys(counts).sort().forEach(function (phase) {
              add(line, html('span', { style: 'color:' + colour(phase) }, phase + ' ' + counts[phase]));
            });
            var refused = data.nodes.filter(function (node) { return node.refusals.length > 0; }).length;
            if (refused) { add(line, html('span', { style: 'color:#c0392b' }, 'Refused ' + refused)); }
          }

          function renderLegend() {
            var legend = document.getElementById('legend');
            Object.keys(COLOURS).forEach(function (phase) {
              var item = add(legend, html('span'));
              add(item, html('i', { style: 'background:' + COLOURS[phase] }));
              add(item, document.createTextNode(phase));
            });
            var refused = add(legend, html('span'));
            add(refused, html('i', { style: 'background:#fff;border:2px dashed #7b0000' }));
            add(refused, document.createTextNode('refused (check named)'));
          }

          function edgePath(x1, y1, x2, y2) {
            var middle = (y1 + y2) / 2;
            return 'M' + x1 + ',' + y1 + ' C' + x1 + ',' + middle + ' ' + x2 + ',' + middle + ' ' + x2 + ',' + y2;
          }

          function blockOf(layer) {
            return data.layout.blocks.filter(function (block) { return block.layer === layer; })[0];
          }

          function renderGraph() {
            viewport = add(graph, svg('g', { id: 'viewport' }));
            var blocks = add(viewport, svg('g', { id: 'blocks' }));
            data.layout.blocks.forEach(function (block) {
              add(blocks, svg('rect', { 'class': 'block', x: block.x - 6, y: block.y, width: block.width + 12,
                height: block.height, rx: 8 }));
            });
            var edges = add(viewport, svg('g', { id: 'edges' }));
            var bundled = {};
            function connect(from, to, path) {
              var edge = add(edges, svg('path', { 'class': 'edge', d: path }));
              [from, to].forEach(function (id) { if (id) { (edgesByNode[id] = edgesByNode[id] || []).push({ edge: edge, from: from, to: to }); } });
            }
            data.nodes.forEach(function (node) {
              var known = node.children.filter(function (child) { return byId[child]; });
              known.forEach(function (childId) {
                var child = byId[childId];
                var x1 = node.x + NODE_W / 2, y1 = node.y + NODE_H, x2 = child.x + NODE_W / 2, y2 = child.y;
                var block = blockOf(child.layer);
                if (block && known.length > BUNDLE) {
                  var key = node.id + '>' + child.layer;
                  if (!bundled[key]) { bundled[key] = true; connect(node.id, null, edgePath(x1, y1, block.x + block.width / 2, block.y)); }
                  return;
                }
                var from = blockOf(node.layer);
                if (from && (parents[childId] || []).length > BUNDLE) {
                  var into = 'in>' + childId + '<' + node.layer;
                  if (!bundled[into]) { bundled[into] = true; connect(null, childId, edgePath(from.x + from.width / 2, from.y + from.height, x2, y2)); }
                  return;
                }
                connect(node.id, childId, edgePath(x1, y1, x2, y2));
              });
            });
            var layer = add(viewport, svg('g', { id: 'nodes' }));
            data.nodes.forEach(function (node) {
              var classes = 'node' + (node.group ? ' group' : '') + (node.refusals.length ? ' refused' : '');
              var g = add(layer, svg('g', { 'class': classes, 'data-id': node.id, 'data-phase': node.phase,
                transform: 'translate(' + node.x + ',' + node.y + ')' }));
              if (node.refusals.length) { g.setAttribute('data-refused-by', node.refusals[0].check); }
              add(g, svg('title', {}, node.name + ' — ' + node.type + ' ' + node.phase + (node.message ? ': ' + node.message : '')));
              add(g, svg('rect', { width: NODE_W, height: NODE_H, rx: node.group ? 22 : 6, fill: colour(node.phase) }));
              add(g, svg('text', { x: 8, y: 17, 'font-weight': 600 }, clip(node.display, 22)));
              var second = node.refusals.length ? '⊘ ' + node.refusals[0].check
                : (node.group ? node.type : (node.template || node.type) + ' · ' + seconds(node.duration));
              add(g, svg('text', { x: 8, y: 34 }, clip(second, 26)));
              g.addEventListener('click', function (event) { event.stopPropagation(); select(node.id, false); });
              shapes[node.id] = g;
            });
            document.body.setAttribute('data-nodes', String(layer.childNodes.length));
            document.body.setAttribute('data-edges', String(edges.childNodes.length));
          }

          function applyView() { viewport.setAttribute('transform', 'translate(' + view.x + ',' + view.y + ') scale(' + view.k + ')'); }
          function fit() {
            var box = graph.getBoundingClientRect();
            var width = Math.max(box.width, 200), height = Math.max(box.height, 200);
            var k = Math.min(width / (data.layout.width + 40), height / (data.layout.height + 40), 1.5);
            view.k = k;
            view.x = (width - data.layout.width * k) / 2;
            view.y = Math.max(10, (height - data.layout.height * k) / 2);
            applyView();
          }
          function zoom(factor, cx, cy) {
            var box = graph.getBoundingClientRect();
            if (cx === undefined) { cx = box.width / 2; cy = box.height / 2; }
            var k = Math.min(8, Math.max(0.02, view.k * factor));
            view.x = cx - (cx - view.x) * (k / view.k);
            view.y = cy - (cy - view.y) * (k / view.k);
            view.k = k;
            applyView();
          }
          function centre(node) {
            var box = graph.getBoundingClientRect();
            view.k = Math.max(view.k, 0.8);
            view.x = box.width / 2 - (node.x + NODE_W / 2) * view.k;
            view.y = box.height / 2 - (node.y + NODE_H / 2) * view.k;
            applyView();
          }
          function wireViewport() {
            var drag = null;
            graph.addEventListener('wheel', function (event) {
              event.preventDefault();
              var box = graph.getBoundingClientRect();
              zoom(event.deltaY < 0 ? 1.15 : 1 / 1.15, event.clientX - box.left, event.clientY - box.top);
            }, { passive: false });
            graph.addEventListener('mousedown', function (event) { drag = { x: event.clientX - view.x, y: event.clientY - view.y }; });
            window.addEventListener('mousemove', function (event) {
              if (drag) { view.x = event.clientX - drag.x; view.y = event.clientY - drag.y; applyView(); }
            });
            window.addEventListener('mouseup', function () { drag = null; });
            document.getElementById('fit').addEventListener('click', fit);
            document.getElementById('zoom-in').addEventListener('click', function () { zoom(1.3); });
            document.getElementById('zoom-out').addEventListener('click', function () { zoom(1 / 1.3); });
            var search = document.getElementById('search');
            search.addEventListener('input', function () { highlightSearch(search.value); });
            search.addEventListener('keydown', function (event) {
              if (event.key !== 'Enter') { return; }
              var first = matches(search.value)[0];
              if (first) { select(first.id, true); }
            });
          }
          function matches(query) {
            query = query.trim().toLowerCase();
            if (!query) { return []; }
            return data.nodes.filter(function (node) {
              return [node.name, node.display, node.template || '', node.phase, node.type].join(' ').toLowerCase().indexOf(query) >= 0;
            });
          }
          function highlightSearch(query) {
            var found = {};
            matches(query).forEach(function (node) { found[node.id] = true; });
            var active = query.trim().length > 0;
            data.nodes.forEach(function (node) { shapes[node.id].classList.toggle('dim', active && !found[node.id]); });
          }

          function lineageOf(id) {
            var seen = {}, stack = [id];
            while (stack.length) {
              var current = byId[stack.pop()];
              if (!current || seen[current.id]) { continue; }
              seen[current.id] = true;
              current.inputs.forEach(function (input) { if (input.producer && byId[input.producer]) { stack.push(input.producer); } });
            }
            return seen;
          }

          function select(id, recentre) {
            var node = byId[id];
            if (!node) { return; }
            var traced = lineageOf(id);
            data.nodes.forEach(function (other) {
              shapes[other.id].classList.toggle('selected', other.id === id);
              shapes[other.id].classList.toggle('lineage', other.id !== id && !!traced[other.id]);
            });
            Array.prototype.forEach.call(document.querySelectorAll('.edge.lineage'), function (edge) { edge.classList.remove('lineage'); });
            Object.keys(traced).forEach(function (traceId) {
              (edgesByNode[traceId] || []).forEach(function (entry) {
                if (entry.from && entry.to && traced[entry.from] && traced[entry.to]) { entry.edge.classList.add('lineage'); }
              });
            });
            if (recentre) { centre(node); }
            renderDetails(node);
          }

          function nodeLink(id, label) {
            var link = html('a', { 'class': 'node-link' }, label || (byId[id] ? byId[id].display : id));
            link.addEventListener('click', function () { select(id, true); });
            return link;
          }

          function table(container, headers, rows) {
            var element = add(container, html('table'));
            var head = add(element, html('tr'));
            headers.forEach(function (header) { add(head, html('th', {}, header)); });
            rows.forEach(function (row) {
              var line = add(element, html('tr'));
              row.forEach(function (cell) {
                var td = add(line, html('td'));
                if (cell instanceof Node) { add(td, cell); } else { td.textContent = cell === undefined || cell === null ? '–' : String(cell); }
              });
            });
            return element;
          }

          function portRows(ports, self) {
            return ports.map(function (port) {
              var from = port.producer && port.producer !== self ? nodeLink(port.producer, (byId[port.producer] ? byId[port.producer].display : port.producer) + (port.subject ? ' · ' + port.subject : '')) : '–';
              var value = port.kind === 'artifact' ? (port.value || '') : clip(port.value === undefined ? '' : port.value, 120);
              return [port.kind + ' ' + port.name, value, html('code', { title: port.digest || '' }, short(port.digest)), from];
            });
          }

          function lineageTree(node, depth, seen) {
            var list = html('ul');
            node.inputs.forEach(function (input) {
              var item = add(list, html('li'));
              add(item, document.createTextNode(input.kind + ' ' + input.name + ' '));
              add(item, html('code', { title: input.digest || '' }, short(input.digest)));
              if (!input.producer) { add(item, document.createTextNode(' ← source (workflow argument or literal)')); return; }
              add(item, document.createTextNode(' ← '));
              add(item, nodeLink(input.producer));
              if (input.subject) { add(item, document.createTextNode(' ' + input.subject)); }
              var producer = byId[input.producer];
              if (!producer) { add(item, document.createTextNode(' (another run)')); return; }
              if (seen[producer.id] || depth > 40) { add(item, document.createTextNode(' (shown above)')); return; }
              seen[producer.id] = true;
              if (producer.inputs.length) { add(item, lineageTree(producer, depth + 1, seen)); }
            });
            return list;
          }

          function renderDetails(node) {
            var pane = document.getElementById('details');
            pane.textContent = '';
            add(pane, html('h2', {}, node.display));
            var phase = add(pane, html('p'));
            add(phase, html('span', { 'class': 'badge', style: 'background:' + colour(node.phase) }, node.phase));
            add(phase, document.createTextNode(' ' + node.type + (node.template ? ' · template ' + node.template : '')));
            if (node.message) { add(pane, html('p', {}, node.message)); }
            node.refusals.forEach(function (refusal) {
              var box = add(pane, html('div', { 'class': 'refusal' }));
              add(box, html('b', {}, 'Refused by ' + refusal.check + (refusal.input ? ' (input ' + refusal.input + ')' : '') + ': '));
              add(box, document.createTextNode(refusal.message));
            });
            add(pane, html('h3', {}, 'Timing'));
            table(pane, ['started', 'finished', 'duration'], [[node.startedAt, node.finishedAt, seconds(node.duration)]]);
            add(pane, html('p', { 'class': 'hint' }, node.name + ' · ' + node.id));
            if (node.inputs.length) { add(pane, html('h3', {}, 'Inputs')); table(pane, ['input', 'value / path', 'digest', 'from'], portRows(node.inputs, node.id)); }
            if (node.outputs.length) { add(pane, html('h3', {}, 'Outputs')); table(pane, ['output', 'value / path', 'digest', 'from'], portRows(node.outputs, node.id)); }
            var consumers = data.nodes.filter(function (other) {
              return other.inputs.some(function (input) { return input.producer === node.id; });
            });
            if (consumers.length) {
              add(pane, html('h3', {}, 'Consumed by'));
              var list = add(pane, html('p'));
              consumers.slice(0, 200).forEach(function (other, index) { if (index) { add(list, document.createTextNode(', ')); } add(list, nodeLink(other.id)); });
            }
            if (node.envelope) {
              var envelope = node.envelope;
              add(pane, html('h3', {}, 'Envelope'));
              table(pane, ['field', 'value'], [
                ['payload', envelope.payloadDigest], ['signer', envelope.signer],
                ['trust slope', (envelope.trustSlope || []).join(' → ') || undefined],
                ['constraints', envelope.constraintsDigest], ['governance', envelope.governanceDigest],
                ['chain depth', envelope.chainDepth], ['image', envelope.image],
                ['command', (envelope.command || []).join(' ') || undefined]
              ]);
            }
            if (node.inputs.length) {
              add(pane, html('h3', {}, 'Lineage (inputs traced back to their sources)'));
              var tree = add(pane, html('div', { 'class': 'lineage' }));
              var seen = {}; seen[node.id] = true;
              add(tree, lineageTree(node, 0, seen));
            }
            if (node.logs) { add(pane, html('h3', {}, 'Logs')); add(pane, html('pre', { 'class': 'logs' }, node.logs)); }
          }

          function renderTables() {
            var container = document.getElementById('tables');
            var verdict = data.verification;
            if (verdict) {
              var section = add(container, html('details', { open: verdict.verified ? null : 'open' }));
              if (verdict.verified) { section.removeAttribute('open'); }
              add(section, html('summary', {}, 'Verification: ' + (verdict.verified ? 'verified' : verdict.failures + ' problem(s)') + ' (' + verdict.findings.length + ' finding(s))'));
              table(section, ['', 'subject', 'detail'], verdict.findings.map(function (finding) {
                return [finding.ok ? 'ok' : 'FAIL', finding.subject, finding.detail];
              }));
            }
            var nodes = add(container, html('details', { open: 'open' }));
            var leaves = data.nodes.filter(function (node) { return !node.group; });
            add(nodes, html('summary', {}, 'Nodes (' + leaves.length + ')'));
            var element = table(nodes, ['node', 'template', 'phase', 'started', 'duration', 'message'], []);
            leaves.forEach(function (node) {
              var row = add(element, html('tr', { 'class': 'clickable' }));
              [node.display, node.template, node.phase, node.startedAt, seconds(node.duration),
                node.refusals.length ? 'refused by ' + node.refusals[0].check + ': ' + node.refusals[0].message : node.message
              ].forEach(function (cell) { add(row, html('td', {}, cell === undefined || cell === null ? '–' : cell)); });
              row.addEventListener('click', function () { select(node.id, true); window.scrollTo(0, 0); });
            });
          }

          renderHeader();
          renderLegend();
          renderGraph();
          renderTables();
          wireViewport();
          fit();
          var wanted = decodeURIComponent((window.location.hash.match(/^#node=(.+)$/) || [])[1] || '');
          var first = data.nodes.filter(function (node) { return wanted && (node.id === wanted || node.display === wanted); })[0]
            || data.nodes.filter(function (node) { return node.refusals.length; })[0]
            || data.nodes.filter(function (node) { return node.phase === 'Failed' || node.phase === 'Error'; })[0];
          if (first) { select(first.id, false); }
          if (errors.length === 0) { document.body.setAttribute('data-render', 'ok'); }
        })();
        """#
}
