import Foundation
import Testing

/// `sluice report RUN|BUNDLE -o FILE`: one self-contained HTML page, rendered by headless Chromium in these tests
/// (its DOM after the scripts ran, its console, and a screenshot kept under .build/test-output/).
@Suite("HTML run report", .timeLimit(.minutes(4)))
struct ReportCLITests {
    /// What Chromium made of a page: the `<body>` tag after the scripts ran, the whole DOM, and its stderr.
    struct Rendered {
        var body: String
        var dom: String
        var console: String
    }

    /// Renders `page` in headless Chromium, saves a screenshot to `screenshot`, and returns the DOM it built.
    static func render(_ page: String, in directory: String, screenshot: String, select: String? = nil)
        async throws -> Rendered
    {
        let url = "file://" + page + (select.map { "#node=" + $0 } ?? "")
        let common = [
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars",
            "--user-data-dir=\(directory)/chromium-profile", "--virtual-time-budget=10000", "--enable-logging=stderr",
            "--v=0",
        ]
        let dump = try await HostTool.offPool {
            try HostTool.run("chromium", common + ["--dump-dom", url], in: directory)
        }
        #expect(dump.status == 0, "\(dump.stderr)")
        let shot = try await HostTool.offPool {
            try HostTool.run(
                "chromium", common + ["--window-size=1500,950", "--screenshot=\(screenshot)", url], in: directory)
        }
        #expect(shot.status == 0, "\(shot.stderr)")
        let png = try #require(FileManager.default.contents(atPath: screenshot), "no screenshot at \(screenshot)")
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]), "the screenshot is not a PNG")
        #expect(png.count > 10_000, "the screenshot is nearly empty (\(png.count) bytes)")
        let body = dump.stdout.range(of: "<body[^>]*>", options: .regularExpression).map { String(dump.stdout[$0]) }
        return Rendered(body: body ?? "", dom: dump.stdout, console: dump.stderr + shot.stderr)
    }

    /// Checks that the scripts drew `nodes` nodes and reported no error, in the DOM and on the console.
    static func expectDrawn(_ rendered: Rendered, nodes: Int) {
        #expect(rendered.body.contains("data-render=\"ok\""), "\(rendered.body)\n\(rendered.console)")
        #expect(rendered.body.contains("data-nodes=\"\(nodes)\""), "\(rendered.body)")
        #expect(!rendered.body.contains("data-errors"), "\(rendered.body)")
        #expect(!rendered.console.contains("Uncaught"), "\(rendered.console)")
        let drawn = rendered.dom.components(separatedBy: "<g class=\"node").count - 1
        #expect(drawn == nodes, "\(drawn) node shapes in the DOM")
    }

    @Test("the ML pipeline's report draws its DAG, verdict, lineage and logs in Chromium")
    func mlPipeline() async throws {
        try await SluiceCLI.withScratch { cli in
            let run = try await cli.detached(["run", SluiceCLI.repository + "/examples/ml-pipeline.yaml"])
            #expect(run.status == 0, "\(run)")
            let result = try await cli.detached(["report", "@latest", "-o", "report.html"])
            #expect(result.status == 0, "\(result)")
            #expect(result.stdout.hasPrefix("report of run ml-pipeline-"), "\(result)")
            #expect(result.stdout.hasSuffix(" (Succeeded, 4 nodes, verified) written to report.html\n"), "\(result)")
            let page = try String(contentsOfFile: cli.directory + "/report.html", encoding: .utf8)
            // Self-contained: nothing to fetch, and a policy that forbids fetching.
            #expect(
                page.contains("content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'"))
            #expect(page.range(of: "<(link|img|iframe)|\\ssrc=", options: .regularExpression) == nil)
            let output = try HostTool.outputDirectory("report-ml-pipeline")
            let rendered = try await Self.render(
                cli.directory + "/report.html", in: cli.directory, screenshot: output + "/report.png",
                select: "register")
            Self.expectDrawn(rendered, nodes: 5)
            #expect(rendered.dom.contains("Verified: 4 check(s) hold"), "no verdict")
            // The selected node's details: its lineage traced back through evaluate and train to preprocess.
            #expect(rendered.dom.contains("Lineage (inputs traced back to their sources)"))
            for producer in ["train", "evaluate", "preprocess"] {
                #expect(
                    rendered.dom.contains("<a class=\"node-link\">\(producer)</a>"), "\(producer) not in the lineage")
            }
            #expect(rendered.dom.contains("registered model sha256:"), "the register node's logs are missing")
            #expect(rendered.dom.contains("run-key/submit"), "the trust slope is missing")
        }
    }

    @Test("a refused node is marked with the refusing check; hostile output stays text")
    func refused() async throws {
        try await SluiceCLI.withScratch { cli in
            let file = try cli.write(ReportWorkflows.mixed, name: "mixed.yaml")
            #expect(try await cli.detached(["run", file]).status == 3)
            let result = try await cli.detached(["report", "@latest", "-o", "mixed.html"])
            #expect(result.stdout.hasSuffix(" (Error, 4 nodes, verified) written to mixed.html\n"), "\(result)")
            let output = try HostTool.outputDirectory("report-refused")
            let rendered = try await Self.render(
                cli.directory + "/mixed.html", in: cli.directory, screenshot: output + "/report.png")
            Self.expectDrawn(rendered, nodes: 5)
            // The refused node is selected first (class "selected" too), marked, and names the check.
            #expect(rendered.dom.contains("<g class=\"node refused selected\" data-id=\""), "no node is marked refused")
            #expect(rendered.dom.contains("data-refused-by=\"constraint 'from-builders'\""), "the check is not named")
            #expect(rendered.dom.contains("<text x=\"8\" y=\"34\">⊘ constraint 'from-builde…</text>"))
            // Its refusal is in the details pane.
            #expect(rendered.dom.contains("Refused by constraint 'from-builders' (input produce.outputs/result): "))
            // `</script><b>` printed by a node is data: the page still rendered, and no <b> element came of it.
            #expect(!rendered.dom.contains("<b>&amp;value</b>"), "node output became markup")
        }
    }

    @Test("a report from an exported bundle carries the bundle's verdict")
    func bundle() async throws {
        try await SluiceCLI.withScratch { cli in
            let file = try cli.write(CLIWorkflows.hello, name: "hello.yaml")
            #expect(try await cli.detached(["run", file]).status == 0)
            #expect(try await cli.detached(["export", "@latest", "-o", "run.tar.gz"]).status == 0)
            let result = try await cli.detached(["report", "run.tar.gz", "-o", "bundle.html"])
            #expect(result.status == 0, "\(result)")
            #expect(
                result.stdout == "report of run hello-cli (Succeeded, 2 nodes, verified) written to bundle.html\n",
                "\(result)")
            let missing = try await cli.detached(["report", "nope", "-o", "x.html"])
            #expect(missing.status == 1, "\(missing)")
            #expect(missing.stderr == "error: no run has the name or id 'nope'\n", "\(missing)")
        }
    }

    @Test("a 1,000-node fan-out stays drawable: every node drawn, wide layers wrapped, few edges")
    func thousandNodes() async throws {
        try await SluiceCLI.withScratch { cli in
            let file = try cli.write(ReportWorkflows.fanOut(width: 1000), name: "fan.yaml")
            let run = try await cli.detached(["run", file, "--isolation", "none", "--quiet"])
            #expect(run.status == 0, "\(run)")
            let started = Date()
            let result = try await cli.detached(["report", "@latest", "-o", "fan.html"])
            let seconds = Date().timeIntervalSince(started)
            #expect(result.status == 0, "\(result)")
            let output = try HostTool.outputDirectory("report-1000-nodes")
            try Data(String(format: "sluice report of 1,002 pods: %.2f s\n", seconds).utf8)
                .write(to: URL(fileURLWithPath: output + "/timing.txt"))
            let rendered = try await Self.render(
                cli.directory + "/fan.html", in: cli.directory, screenshot: output + "/report.png")
            // 1,002 pods, the DAG and the shard TaskGroup.
            Self.expectDrawn(rendered, nodes: 1004)
            #expect(rendered.body.contains("data-edges=\"4\""), "\(rendered.body)")
            #expect(rendered.dom.contains("<rect class=\"block\""), "the 1,000-wide layer is not wrapped")
        }
    }
}
