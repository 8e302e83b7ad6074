/** The map's picture: the real WASM Graphviz lays out the DOT, resvg draws it; the PNG must decode. */
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { graphToPng, graphToSvg } from '../../../src/render/graph-png.js';

const DOT = 'digraph "policy map shop" { rankdir=LR; node [shape=box, style=rounded, fontname="DejaVu Sans"]; "web" -> "db" [label="TCP 5432"]; "web" -> "cache" [label="TCP 6379"]; "db"; }';

describe('graph → PNG', () => {
  it('the SVG Graphviz lays out has a node per workload and the edge labels', async () => {
    const svg = await graphToSvg({ dot: DOT });
    expect(svg).toMatch(/^<\?xml|<svg/);
    for (const text of ['web', 'db', 'cache', 'TCP 5432', 'TCP 6379']) expect(svg).toContain(`>${text}</text>`);
    expect(svg.match(/class="edge"/g)).toHaveLength(2);
    expect(svg.match(/class="node"/g)).toHaveLength(3);
  });

  it('is a PNG that decodes, drawn at twice the layout size on white', async () => {
    const png = await graphToPng({ dot: DOT });
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    const img = PNG.sync.read(png);
    const svg = await graphToSvg({ dot: DOT });
    const width = Number(/width="(\d+)pt"/.exec(svg)![1]);
    // Graphviz sizes in points (1/72 in), resvg draws at 96 px per inch; then the zoom of 2.
    expect(img.width).toBe(Math.round((width * 96) / 72) * 2);
    expect(img.height).toBeGreaterThan(50);
    // A corner is background (white); somewhere there is ink (the boxes and labels).
    expect([...img.data.subarray(0, 4)]).toEqual([255, 255, 255, 255]);
    let dark = 0;
    for (let i = 0; i < img.data.length; i += 4) if (img.data[i]! < 100) dark += 1;
    expect(dark).toBeGreaterThan(200);
  });
});
