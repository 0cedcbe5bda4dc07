'use client';

const SVG_NS = 'http://www.w3.org/2000/svg';

function slug(title: string) {
  return title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'chart';
}

function save(blob: Blob, fileName: string) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  // Revoked later: some browsers read the URL after click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * A standalone SVG document of a recharts chart: a white background, the title on top and the legend
 * (HTML in recharts) redrawn as SVG under the plot, so the file reads on its own.
 */
export function chartSvg(figure: HTMLElement, title: string): { svg: string; width: number; height: number } {
  // Legend icons are small `recharts-surface` SVGs too; the plot is the wrapper's own child.
  const surface = figure.querySelector<SVGSVGElement>('.recharts-wrapper > svg.recharts-surface');
  if (!surface) throw new Error('the chart has not been drawn yet');
  const width = Math.round(surface.getBoundingClientRect().width) || Number(surface.getAttribute('width')) || 600;
  const plotHeight = Math.round(surface.getBoundingClientRect().height) || Number(surface.getAttribute('height')) || 300;
  const legend = [...figure.querySelectorAll<HTMLElement>('.recharts-legend-item')].map((item) => {
    const icon = item.querySelector('path, line');
    return { label: item.querySelector('.recharts-legend-item-text')?.textContent ?? item.textContent ?? '', color: icon?.getAttribute('stroke') || icon?.getAttribute('fill') || '#334155' };
  });
  const top = 28;
  const legendHeight = legend.length ? 24 : 0;
  const height = top + plotHeight + legendHeight;

  const doc = document.implementation.createDocument(SVG_NS, 'svg', null);
  const root = doc.documentElement;
  root.setAttribute('xmlns', SVG_NS);
  root.setAttribute('width', String(width));
  root.setAttribute('height', String(height));
  root.setAttribute('viewBox', `0 0 ${width} ${height}`);
  root.setAttribute('font-family', 'system-ui, sans-serif');
  const el = (name: string, attrs: Record<string, string | number>, text?: string) => {
    const node = doc.createElementNS(SVG_NS, name);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    return node;
  };
  root.appendChild(el('rect', { x: 0, y: 0, width, height, fill: '#ffffff' }));
  root.appendChild(el('text', { x: 8, y: 18, 'font-size': 14, fill: '#334155' }, title));
  const plot = surface.cloneNode(true) as SVGSVGElement;
  plot.setAttribute('x', '0');
  plot.setAttribute('y', String(top));
  plot.setAttribute('width', String(width));
  plot.setAttribute('height', String(plotHeight));
  plot.removeAttribute('style');
  root.appendChild(doc.importNode(plot, true));
  let x = 8;
  for (const item of legend) {
    const y = top + plotHeight + 14;
    root.appendChild(el('line', { x1: x, y1: y - 4, x2: x + 16, y2: y - 4, stroke: item.color, 'stroke-width': 3 }));
    root.appendChild(el('text', { x: x + 20, y, 'font-size': 12, fill: '#334155' }, item.label));
    x += 28 + item.label.length * 7;
  }
  return { svg: new XMLSerializer().serializeToString(doc), width, height };
}

export function downloadChartSvg(figure: HTMLElement, title: string, prefix: string) {
  const { svg } = chartSvg(figure, title);
  save(new Blob([svg], { type: 'image/svg+xml' }), `${prefix}-${slug(title)}.svg`);
}

/** PNG at twice the on-screen size: the SVG drawn onto a canvas, no library needed. */
export async function downloadChartPng(figure: HTMLElement, title: string, prefix: string) {
  const { svg, width, height } = chartSvg(figure, title);
  const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    img.decoding = 'async';
    await new Promise<void>((resolve, reject) => {
      img.onload = () => resolve();
      img.onerror = () => reject(new Error('the browser could not render the chart SVG'));
      img.src = url;
    });
    const scale = 2;
    const canvas = document.createElement('canvas');
    canvas.width = width * scale;
    canvas.height = height * scale;
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('no 2D canvas in this browser');
    ctx.scale(scale, scale);
    ctx.drawImage(img, 0, 0, width, height);
    const png = await new Promise<Blob>((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('PNG encoding failed'))), 'image/png'));
    save(png, `${prefix}-${slug(title)}.png`);
  } finally {
    URL.revokeObjectURL(url);
  }
}
