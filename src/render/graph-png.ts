import type { AnswerGraph } from '../core/policy-verdict.js';

/**
 * An Answer's graph as a PNG: Graphviz (its WASM build, @hpcc-js/wasm-graphviz) lays the DOT out as SVG,
 * resvg (@resvg/resvg-js) rasterises it. No system binary is needed. Both are loaded on first use only,
 * so that answers without a picture never pay for them.
 */

type Layout = { dot(source: string): string };
let graphviz: Promise<Layout> | undefined;

async function layout(): Promise<Layout> {
  graphviz ??= import('@hpcc-js/wasm-graphviz').then((m) => m.Graphviz.load());
  return graphviz;
}

/** How much larger than Graphviz's 72-dpi points the PNG is drawn: sharp on high-density screens. */
const ZOOM = 2;

export async function graphToSvg(graph: Pick<AnswerGraph, 'dot'>): Promise<string> {
  return (await layout()).dot(graph.dot);
}

export async function graphToPng(graph: Pick<AnswerGraph, 'dot'>): Promise<Buffer> {
  const svg = await graphToSvg(graph);
  const { Resvg } = await import('@resvg/resvg-js');
  // System fonts (DejaVu in the image) draw the labels; white, because Slack's dark theme would hide black on transparent.
  const png = new Resvg(svg, { fitTo: { mode: 'zoom', value: ZOOM }, background: 'white', font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } }).render().asPng();
  return Buffer.from(png);
}
