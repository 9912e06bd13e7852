// Small canvas charts: candles with volume, and the depth of the book. No library: the page
// must work offline, and these are all it needs.

const COLORS = {
  grid: 'rgba(125, 139, 163, 0.10)',
  axis: '#7d8ba3',
  up: '#1fc77e',
  down: '#f6465d',
  upFill: 'rgba(31, 199, 126, 0.16)',
  downFill: 'rgba(246, 70, 93, 0.16)',
  upVol: 'rgba(31, 199, 126, 0.32)',
  downVol: 'rgba(246, 70, 93, 0.32)',
  text: '#dbe2ee',
  faint: '#4d5b73',
  cross: 'rgba(219, 226, 238, 0.35)',
};
const FONT = '11px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace';

/** Sizes the canvas to its box at the device's pixel ratio; returns a context in CSS pixels. */
function prepare(canvas) {
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth;
  const height = canvas.clientHeight;
  if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
  }
  const ctx = canvas.getContext('2d');
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, width, height);
  ctx.font = FONT;
  return { ctx, width, height };
}

/** Round numbers for axis ticks: 1, 2, 2.5, 5 × 10^k. */
function niceStep(range, count) {
  const raw = range / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 2.5, 5, 10]) if (raw <= m * power) return m * power;
  return 10 * power;
}

/** Decimal places that show every tick of a step exactly (0.025 → 3). */
function decimalsFor(step) {
  for (let d = 0; d < 10; d++) {
    const scaled = step * 10 ** d;
    if (Math.abs(Math.round(scaled) - scaled) < 1e-6 * Math.max(1, scaled)) return d;
  }
  return 10;
}

function timeLabel(ms, withSeconds) {
  const d = new Date(ms);
  const hh = String(d.getHours()).padStart(2, '0');
  const mm = String(d.getMinutes()).padStart(2, '0');
  const ss = String(d.getSeconds()).padStart(2, '0');
  return withSeconds ? `${hh}:${mm}:${ss}` : `${hh}:${mm}`;
}

function message(ctx, width, height, text) {
  ctx.fillStyle = COLORS.faint;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.fillText(text, width / 2, height / 2);
}

/**
 * Draws candles (open time `t`, and `o h l c v` as decimal strings) with a volume strip.
 * Returns the layout, so the caller can map a mouse position to a candle.
 */
export function drawCandles(canvas, candles, options = {}) {
  const { ctx, width, height } = prepare(canvas);
  const axisW = 74;
  const axisH = 18;
  const top = 8;
  const plotW = Math.max(10, width - axisW);
  const plotH = Math.max(10, height - axisH - top);
  const volH = plotH * 0.18;
  const priceH = plotH - volH - 6;
  if (candles.length === 0) {
    message(ctx, plotW, height, 'waiting for candles…');
    return undefined;
  }
  const slot = Math.max(5, Math.min(14, plotW / 60));
  const count = Math.min(candles.length, Math.floor(plotW / slot));
  const shown = candles.slice(-count);
  const parsed = shown.map((c) => ({
    t: c.t,
    o: Number.parseFloat(c.o),
    h: Number.parseFloat(c.h),
    l: Number.parseFloat(c.l),
    c: Number.parseFloat(c.c),
    v: Number.parseFloat(c.v),
    src: c,
  }));
  let lo = Math.min(...parsed.map((c) => c.l));
  let hi = Math.max(...parsed.map((c) => c.h));
  if (hi === lo) {
    hi += hi * 0.0005 || 1;
    lo -= lo * 0.0005 || 1;
  }
  const pad = (hi - lo) * 0.08;
  lo -= pad;
  hi += pad;
  const maxVol = Math.max(...parsed.map((c) => c.v), 1e-12);
  const y = (price) => top + ((hi - price) / (hi - lo)) * priceH;
  const x0 = plotW - count * slot;
  const xOf = (i) => x0 + i * slot + slot / 2;

  // Grid and price axis.
  const step = niceStep(hi - lo, 6);
  const places = decimalsFor(step);
  ctx.textAlign = 'left';
  ctx.textBaseline = 'middle';
  for (let p = Math.ceil(lo / step) * step; p <= hi; p += step) {
    const py = Math.round(y(p)) + 0.5;
    ctx.strokeStyle = COLORS.grid;
    ctx.beginPath();
    ctx.moveTo(0, py);
    ctx.lineTo(plotW, py);
    ctx.stroke();
    ctx.fillStyle = COLORS.axis;
    ctx.fillText(p.toFixed(places), plotW + 8, py);
  }
  // Time axis.
  const withSeconds = shown.length > 1 && shown[1].t - shown[0].t < 60_000;
  const labelEvery = Math.max(1, Math.ceil(90 / slot));
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  for (let i = parsed.length - 1; i >= 0; i -= labelEvery) {
    const px = xOf(i);
    ctx.strokeStyle = COLORS.grid;
    ctx.beginPath();
    ctx.moveTo(Math.round(px) + 0.5, top);
    ctx.lineTo(Math.round(px) + 0.5, top + plotH);
    ctx.stroke();
    ctx.fillStyle = COLORS.axis;
    ctx.fillText(timeLabel(parsed[i].t, withSeconds), px, top + plotH + 4);
  }

  // Volume, then candles.
  const body = Math.max(1, Math.floor(slot * 0.68));
  parsed.forEach((c, i) => {
    const up = c.c >= c.o;
    const px = Math.round(xOf(i));
    const vh = (c.v / maxVol) * volH;
    ctx.fillStyle = up ? COLORS.upVol : COLORS.downVol;
    ctx.fillRect(px - body / 2, top + plotH - vh, body, vh);
    ctx.strokeStyle = up ? COLORS.up : COLORS.down;
    ctx.beginPath();
    ctx.moveTo(px + 0.5, Math.round(y(c.h)));
    ctx.lineTo(px + 0.5, Math.round(y(c.l)));
    ctx.stroke();
    const yo = y(c.o);
    const yc = y(c.c);
    ctx.fillStyle = up ? COLORS.up : COLORS.down;
    ctx.fillRect(px - body / 2 + 0.5, Math.min(yo, yc), body, Math.max(1, Math.abs(yc - yo)));
  });

  // The last price, across the chart and on the axis.
  const last = parsed[parsed.length - 1];
  const lastUp = last.c >= last.o;
  const ly = Math.round(y(last.c)) + 0.5;
  ctx.setLineDash([3, 3]);
  ctx.strokeStyle = lastUp ? COLORS.up : COLORS.down;
  ctx.beginPath();
  ctx.moveTo(0, ly);
  ctx.lineTo(plotW, ly);
  ctx.stroke();
  ctx.setLineDash([]);
  ctx.fillStyle = lastUp ? COLORS.up : COLORS.down;
  ctx.fillRect(plotW + 2, ly - 9, axisW - 4, 18);
  ctx.fillStyle = '#05080d';
  ctx.textAlign = 'left';
  ctx.textBaseline = 'middle';
  ctx.fillText(options.lastLabel ?? last.src.c, plotW + 7, ly);

  // Crosshair.
  let hovered;
  if (options.hoverX !== undefined && options.hoverX >= x0 && options.hoverX < plotW) {
    const i = Math.min(parsed.length - 1, Math.max(0, Math.floor((options.hoverX - x0) / slot)));
    hovered = shown[i];
    const px = Math.round(xOf(i)) + 0.5;
    ctx.strokeStyle = COLORS.cross;
    ctx.setLineDash([2, 3]);
    ctx.beginPath();
    ctx.moveTo(px, top);
    ctx.lineTo(px, top + plotH);
    ctx.stroke();
    ctx.setLineDash([]);
  }
  return { hovered, last: shown[shown.length - 1], count };
}

/**
 * Draws the cumulative depth of both sides around the mid price. `bids` and `asks` are
 * [price, quantity] decimal-string pairs, best first.
 */
export function drawDepth(canvas, bids, asks) {
  const { ctx, width, height } = prepare(canvas);
  const axisH = 18;
  const axisW = 64;
  const top = 6;
  const plotW = Math.max(10, width - axisW);
  const plotH = Math.max(10, height - axisH - top);
  if (bids.length === 0 || asks.length === 0) {
    message(ctx, plotW, height, 'waiting for the order book…');
    return;
  }
  const cumulative = (levels) => {
    let total = 0;
    return levels.map(([p, q]) => {
      total += Number.parseFloat(q);
      return [Number.parseFloat(p), total];
    });
  };
  const b = cumulative(bids);
  const a = cumulative(asks);
  const mid = (b[0][0] + a[0][0]) / 2;
  // The range that holds most levels of both sides: a few far-away orders do not squash the
  // rest of the book into the middle (they are past the edge, their size in the edge's total).
  const reach = (points) =>
    Math.abs(points[Math.min(points.length - 1, Math.floor(points.length * 0.8))][0] - mid);
  const span = Math.max(Math.max(reach(b), reach(a)) * 1.05, mid * 1e-6);
  const lo = mid - span;
  const hi = mid + span;
  const shownBids = b.filter(([p]) => p >= lo);
  const shownAsks = a.filter(([p]) => p <= hi);
  const maxTotal = Math.max(shownBids[shownBids.length - 1][1], shownAsks[shownAsks.length - 1][1]) * 1.08;
  const x = (p) => ((p - lo) / (hi - lo)) * plotW;
  const y = (v) => top + plotH - (v / maxTotal) * plotH;

  // Grid and axes.
  const vStep = niceStep(maxTotal, 4);
  ctx.textAlign = 'left';
  ctx.textBaseline = 'middle';
  for (let v = vStep; v < maxTotal; v += vStep) {
    const py = Math.round(y(v)) + 0.5;
    ctx.strokeStyle = COLORS.grid;
    ctx.beginPath();
    ctx.moveTo(0, py);
    ctx.lineTo(plotW, py);
    ctx.stroke();
    ctx.fillStyle = COLORS.axis;
    ctx.fillText(v >= 1000 ? `${(v / 1000).toFixed(1)}K` : v.toFixed(decimalsFor(vStep)), plotW + 8, py);
  }
  const pStep = niceStep(hi - lo, 6);
  const places = decimalsFor(pStep);
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  for (let p = Math.ceil(lo / pStep) * pStep; p <= hi; p += pStep) {
    const px = x(p);
    const label = p.toFixed(places);
    const half = ctx.measureText(label).width / 2;
    if (px - half < 0 || px + half > plotW) continue;
    ctx.fillStyle = COLORS.axis;
    ctx.fillText(label, px, top + plotH + 4);
  }

  const side = (points, stroke, fill, toLeft) => {
    ctx.beginPath();
    ctx.moveTo(x(points[0][0]), y(0));
    let prev = y(0);
    for (const [p, v] of points) {
      ctx.lineTo(x(p), prev);
      ctx.lineTo(x(p), y(v));
      prev = y(v);
    }
    const edge = toLeft ? 0 : plotW;
    ctx.lineTo(edge, prev);
    ctx.strokeStyle = stroke;
    ctx.lineWidth = 1.5;
    ctx.stroke();
    ctx.lineTo(edge, y(0));
    ctx.closePath();
    ctx.fillStyle = fill;
    ctx.fill();
    ctx.lineWidth = 1;
  };
  side(shownBids, COLORS.up, COLORS.upFill, true);
  side(shownAsks, COLORS.down, COLORS.downFill, false);

  const mx = Math.round(x(mid)) + 0.5;
  ctx.setLineDash([3, 3]);
  ctx.strokeStyle = COLORS.cross;
  ctx.beginPath();
  ctx.moveTo(mx, top);
  ctx.lineTo(mx, top + plotH);
  ctx.stroke();
  ctx.setLineDash([]);
}
