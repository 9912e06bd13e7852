// Display helpers. Prices and quantities arrive as exact decimal strings; they are padded or
// cut as text, so what the page shows is what venuekit holds (floats are used only to draw).

/** Decimal places of a decimal string, ignoring trailing zeros. */
export function decimalsOf(text) {
  const dot = text.indexOf('.');
  if (dot < 0) return 0;
  let end = text.length;
  while (end > dot + 1 && text[end - 1] === '0') end--;
  return end - dot - 1;
}

/** `text` with exactly `places` decimals (padded with zeros, or cut). */
export function fixed(text, places) {
  if (text === undefined || text === null || text === '') return '—';
  const negative = text.startsWith('-');
  const body = negative ? text.slice(1) : text;
  const [whole, fraction = ''] = body.split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const frac = places > 0 ? `.${fraction.padEnd(places, '0').slice(0, places)}` : '';
  return `${negative ? '-' : ''}${grouped}${frac}`;
}

/** Large amounts in short form (1.2K, 3.4M), for volumes and totals. */
export function compact(value) {
  const n = typeof value === 'number' ? value : Number.parseFloat(value);
  if (!Number.isFinite(n)) return '—';
  const abs = Math.abs(n);
  if (abs >= 1e9) return `${(n / 1e9).toFixed(2)}B`;
  if (abs >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (abs >= 1e4) return `${(n / 1e3).toFixed(1)}K`;
  if (abs >= 100) return n.toFixed(1);
  if (abs >= 1) return n.toFixed(3);
  return n.toPrecision(3);
}

/** `+1.23%` / `-0.40%` from a percent decimal string. */
export function percent(text) {
  const n = Number.parseFloat(text);
  if (!Number.isFinite(n)) return '';
  return `${n >= 0 ? '+' : ''}${n.toFixed(2)}%`;
}

export function clockTime(ms) {
  const d = new Date(ms);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

export function ago(ms) {
  if (ms === undefined || ms === null) return '—';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)}s`;
  return `${Math.round(ms / 60_000)}m`;
}

const HTML = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => HTML[c]);
}
