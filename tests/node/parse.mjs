// Parses Mermaid diagrams with the real Mermaid library, for tests/test_render_mermaid.py.
// stdin: a JSON array of diagram sources. stdout: a JSON array, one result per diagram:
// {"ok": true, "type": "...", "labels": {"<node id>": "<label text>"}} or {"ok": false, "error": "..."};
// an xychart's also "chart": its data as Mermaid holds it, its colours and the y axis' ticks,
// and "xychart": its axes and plots as Mermaid read them, with its title.
import { scaleLinear } from "d3";
import { JSDOM } from "jsdom";

const dom = new JSDOM("<!doctype html><html><body></body></html>");
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import("mermaid");
mermaid.initialize({ startOnLoad: false, securityLevel: "strict" });

let input = "";
for await (const chunk of process.stdin) input += chunk;
const results = [];
for (const source of JSON.parse(input)) {
  try {
    const parsed = await mermaid.parse(source);
    const diagram = await mermaid.mermaidAPI.getDiagramFromText(source);
    const labels = {};
    const vertices = diagram.db.getVertices ? diagram.db.getVertices() : new Map();
    for (const [id, vertex] of vertices instanceof Map ? vertices : Object.entries(vertices)) {
      labels[id] = vertex.text;
    }
    const result = { ok: true, type: parsed.diagramType, labels };
    if (diagram.db.getXYChartData) {
      const data = diagram.db.getXYChartData();
      result.chart = {
        data,
        palette: diagram.db.getChartThemeConfig().plotColorPalette,
        // As Mermaid's linear axis draws them: d3's ticks of the y axis' range.
        ticks: scaleLinear().domain([data.yAxis.min, data.yAxis.max]).ticks(),
      };
      result.xychart = { ...data, title: diagram.db.getDiagramTitle() };
    }
    results.push(result);
  } catch (error) {
    results.push({ ok: false, error: String(error && error.message ? error.message : error) });
  }
}
process.stdout.write(JSON.stringify(results));
