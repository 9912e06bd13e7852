// The venuekit demo dashboard. Everything comes from the demo server: a WebSocket at /ws
// pushes the picture (see apps/demo/src/wire.ts for the message shapes), and the page calls
// /api/orders, /api/orders/cancel and /api/faults to act.
import { drawCandles, drawDepth } from './charts.js';
import { ago, clockTime, compact, decimalsOf, escapeHtml, fixed, percent } from './format.js';

const $ = (id) => document.getElementById(id);

const state = {
  hello: undefined,
  symbol: undefined,
  interval: '1s',
  tickers: new Map(),
  candles: [],
  trades: [],
  book: undefined,
  users: [],
  health: undefined,
  incidents: [],
  /** Decimal places seen per symbol, so prices line up: { price, qty }. */
  precision: new Map(),
  hoverX: undefined,
  linkState: 'connecting',
};

const dirty = new Set();
let frame = 0;
function invalidate(...parts) {
  for (const part of parts) dirty.add(part);
  if (!frame) frame = requestAnimationFrame(render);
}

// ------------------------------------------------------------------ connection

let socket;
let retryMs = 500;

function connect() {
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
  socket = new WebSocket(url);
  setLink('connecting');
  socket.addEventListener('open', () => {
    retryMs = 500;
    setLink('open');
  });
  socket.addEventListener('message', (event) => {
    let message;
    try {
      message = JSON.parse(event.data);
    } catch {
      return;
    }
    receive(message);
  });
  socket.addEventListener('close', () => {
    setLink('closed');
    setTimeout(connect, retryMs);
    retryMs = Math.min(5000, retryMs * 2);
  });
}

function setLink(linkState) {
  state.linkState = linkState;
  const link = $('link');
  link.dataset.state = linkState;
  link.querySelector('.label').textContent =
    linkState === 'open' ? 'live' : linkState === 'closed' ? 'reconnecting…' : 'connecting';
}

function send(message) {
  if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
}

function watch(symbol, interval) {
  state.symbol = symbol;
  state.interval = interval;
  state.candles = [];
  state.trades = [];
  state.book = undefined;
  if (location.hash !== `#${symbol}`) history.replaceState(null, '', `#${symbol}`);
  send({ type: 'watch', symbol, interval });
  invalidate('markets', 'chart', 'book', 'tape', 'header', 'desks');
}

// ------------------------------------------------------------------ messages

function receive(message) {
  switch (message.type) {
    case 'hello':
      onHello(message);
      break;
    case 'market':
      if (message.symbol !== state.symbol || message.interval !== state.interval) return;
      state.candles = message.candles;
      state.trades = message.trades.slice().reverse();
      state.book = message.book;
      state.bookArrivedAt = Date.now();
      if (message.book) learnPrecision(message.symbol, message.book);
      invalidate('chart', 'book', 'tape');
      break;
    case 'update':
      onUpdate(message);
      break;
    case 'error':
      console.warn('demo server:', message.error);
      break;
  }
}

function onHello(hello) {
  state.hello = hello;
  const venue = $('venue');
  venue.dataset.venue = hello.venue;
  const names = { fake: 'fake Binance', live: 'Binance live', testnet: 'Binance testnet' };
  venue.textContent = `${names[hello.venue] ?? hello.venue} · ${hello.bus} bus`;
  buildIntervals();
  buildFaults();
  const wanted = decodeURIComponent(location.hash.slice(1));
  const symbol =
    state.symbol && hello.symbols.includes(state.symbol)
      ? state.symbol
      : hello.symbols.includes(wanted)
        ? wanted
        : hello.symbols[0];
  const interval = hello.intervals.includes(state.interval) ? state.interval : hello.intervals[0];
  watch(symbol, interval);
}

function onUpdate(update) {
  if (update.tickers) {
    for (const ticker of update.tickers) state.tickers.set(ticker.symbol, ticker);
    invalidate('markets', 'header');
  }
  if (update.symbol === state.symbol) {
    if (update.candles) {
      for (const candle of update.candles) upsertCandle(candle);
      invalidate('chart');
    }
    if (update.trades) {
      for (const trade of update.trades) state.trades.unshift(trade);
      state.trades.length = Math.min(state.trades.length, 80);
      state.freshTrades = update.trades.length;
      invalidate('tape');
    }
    if (update.book) {
      state.book = update.book;
      state.bookArrivedAt = Date.now();
      learnPrecision(update.symbol, update.book);
      invalidate('book');
    }
  }
  if (update.users) {
    state.users = update.users;
    invalidate('desks');
  }
  if (update.health) {
    state.health = update.health;
    invalidate('health');
  }
  if (update.incidents) {
    state.incidents.push(...update.incidents);
    if (state.incidents.length > 120) state.incidents.splice(0, state.incidents.length - 120);
    invalidate('incidents');
  }
}

function upsertCandle(candle) {
  const candles = state.candles;
  const last = candles[candles.length - 1];
  if (last && last.t === candle.t) candles[candles.length - 1] = candle;
  else if (!last || last.t < candle.t) {
    candles.push(candle);
    if (candles.length > 300) candles.shift();
  } else {
    const i = candles.findIndex((c) => c.t === candle.t);
    if (i >= 0) candles[i] = candle;
  }
}

function learnPrecision(symbol, book) {
  const known = state.precision.get(symbol) ?? { price: 0, qty: 0 };
  for (const [p, q] of [...book.bids.slice(0, 20), ...book.asks.slice(0, 20)]) {
    known.price = Math.max(known.price, decimalsOf(p));
    known.qty = Math.max(known.qty, decimalsOf(q));
  }
  known.price = Math.min(known.price, 8);
  known.qty = Math.min(known.qty, 6);
  state.precision.set(symbol, known);
}

function pricePlaces(symbol) {
  const known = state.precision.get(symbol);
  if (known && known.price > 0) return known.price;
  const last = state.tickers.get(symbol)?.last;
  return last ? Math.max(2, Math.min(8, decimalsOf(last))) : 2;
}

function qtyPlaces(symbol) {
  return Math.max(2, state.precision.get(symbol)?.qty ?? 4);
}

// ------------------------------------------------------------------ rendering

function render() {
  frame = 0;
  const parts = new Set(dirty);
  dirty.clear();
  if (parts.has('markets')) renderMarkets();
  if (parts.has('header')) renderHeader();
  if (parts.has('chart')) renderChart();
  if (parts.has('book')) renderBook();
  if (parts.has('tape')) renderTape();
  if (parts.has('desks')) renderDesks();
  if (parts.has('health')) renderHealth();
  if (parts.has('incidents')) renderIncidents();
}

function renderMarkets() {
  const nav = $('markets');
  const symbols = state.hello?.symbols ?? [];
  if (nav.children.length !== symbols.length) {
    nav.replaceChildren(
      ...symbols.map((symbol) => {
        const button = document.createElement('button');
        button.type = 'button';
        button.className = 'market';
        button.dataset.symbol = symbol;
        button.dataset.testid = `market-${symbol}`;
        button.innerHTML = '<span class="sym"></span><span class="chg"></span><span class="px"></span>';
        button.querySelector('.sym').textContent = symbol;
        button.addEventListener('click', () => watch(symbol, state.interval));
        return button;
      }),
    );
  }
  for (const button of nav.children) {
    const symbol = button.dataset.symbol;
    const ticker = state.tickers.get(symbol);
    button.classList.toggle('active', symbol === state.symbol);
    const px = button.querySelector('.px');
    const chg = button.querySelector('.chg');
    if (!ticker) continue;
    const previous = px.dataset.last;
    px.textContent = fixed(ticker.last, pricePlaces(symbol));
    if (previous !== undefined && previous !== ticker.last) {
      px.className = `px ${Number.parseFloat(ticker.last) >= Number.parseFloat(previous) ? 'up' : 'down'}`;
    }
    px.dataset.last = ticker.last;
    chg.textContent = percent(ticker.changePercent);
    chg.className = `chg ${Number.parseFloat(ticker.changePercent) >= 0 ? 'up' : 'down'}`;
  }
}

function renderHeader() {
  const symbol = state.symbol;
  $('chart-symbol').textContent = symbol ?? '—';
  const ticker = symbol ? state.tickers.get(symbol) : undefined;
  const price = $('last-price');
  if (!ticker) {
    price.textContent = '—';
    return;
  }
  const places = pricePlaces(symbol);
  const up = Number.parseFloat(ticker.changePercent) >= 0;
  price.textContent = fixed(ticker.last, places);
  price.dataset.value = ticker.last;
  price.className = `big-price ${up ? 'up' : 'down'}`;
  const change = $('last-change');
  change.textContent = percent(ticker.changePercent);
  change.className = `change ${up ? 'up' : 'down'}`;
  const [, quote] = symbol.split('/');
  $('last-stats').innerHTML =
    `24h high <b>${escapeHtml(fixed(ticker.high, places))}</b> · low <b>${escapeHtml(fixed(ticker.low, places))}</b> · ` +
    `vol <b>${escapeHtml(compact(ticker.volume))}</b> · <b>${escapeHtml(compact(ticker.quoteVolume))}</b> ${escapeHtml(quote)}`;
}

function renderChart() {
  const canvas = $('candles');
  const places = state.symbol ? pricePlaces(state.symbol) : 2;
  const last = state.candles[state.candles.length - 1];
  const layout = drawCandles(canvas, state.candles, {
    hoverX: state.hoverX,
    lastLabel: last ? fixed(last.c, places) : undefined,
  });
  canvas.dataset.count = String(state.candles.length);
  const candle = layout?.hovered ?? layout?.last;
  $('ohlc').innerHTML = candle
    ? `${['O', 'H', 'L', 'C']
        .map((k) => `${k} <b>${escapeHtml(fixed(candle[k.toLowerCase()], places))}</b>`)
        .join('  ')}  V <b>${escapeHtml(compact(candle.v))}</b>`
    : '';
}

function renderBook() {
  const book = state.book;
  const symbol = state.symbol;
  const badge = $('book-state');
  const bidsEl = $('bids');
  const asksEl = $('asks');
  if (!book || !symbol) {
    badge.dataset.state = 'waiting';
    badge.textContent = 'waiting';
    bidsEl.replaceChildren();
    asksEl.replaceChildren();
    $('spread').textContent = '—';
    drawDepth($('depth'), [], []);
    return;
  }
  // A book in sync that stopped changing is stale all the same (a stalled connection looks like this).
  const quietMs = Date.now() - (state.bookArrivedAt ?? Date.now());
  const quiet = book.state === 'synced' && quietMs > 4000;
  badge.dataset.state = quiet ? 'resyncing' : book.state;
  badge.textContent = quiet
    ? `no update for ${ago(quietMs)}`
    : book.state === 'synced'
      ? 'in sync'
      : book.state;
  const places = pricePlaces(symbol);
  const qp = qtyPlaces(symbol);
  const depth = 14;
  const ladder = (levels) => {
    let total = 0;
    const rows = levels.slice(0, depth).map(([p, q]) => {
      total += Number.parseFloat(q);
      return { p, q, total };
    });
    return rows;
  };
  const bids = ladder(book.bids);
  const asks = ladder(book.asks);
  const max = Math.max(bids[bids.length - 1]?.total ?? 0, asks[asks.length - 1]?.total ?? 0, 1e-12);
  fillLadder(bidsEl, bids, depth, max, places, qp);
  fillLadder(asksEl, asks, depth, max, places, qp);
  const bestBid = book.bids[0]?.[0];
  const bestAsk = book.asks[0]?.[0];
  if (bestBid && bestAsk) {
    const bid = Number.parseFloat(bestBid);
    const ask = Number.parseFloat(bestAsk);
    const spread = ask - bid;
    const bps = (spread / ((ask + bid) / 2)) * 10_000;
    $('spread').innerHTML =
      `<span class="mid">${escapeHtml(fixed(String(((ask + bid) / 2).toFixed(places + 1)), places))}</span>` +
      `<span class="muted small">spread ${escapeHtml(spread.toFixed(places))} · ${bps.toFixed(2)} bps</span>`;
  }
  $('book-foot').textContent =
    `update ${book.updateId} · ${book.updates.toLocaleString()} updates · ${book.resyncs} resync${book.resyncs === 1 ? '' : 's'} · ` +
    `${book.bids.length + book.asks.length} levels shown`;
  $('depth-note').textContent =
    `${symbol} · top ${book.bids.length} bids / ${book.asks.length} asks, cumulative`;
  drawDepth($('depth'), book.bids, book.asks);
}

/** Updates a ladder's rows in place (the page's CSP allows no inline styles, so bars are sized through the CSSOM). */
function fillLadder(el, rows, depth, max, places, qp) {
  while (el.children.length < depth) {
    const row = document.createElement('div');
    row.className = 'row';
    row.innerHTML =
      '<div class="bar"></div><span class="px"></span><span class="qty"></span><span class="total"></span>';
    el.append(row);
  }
  for (let i = 0; i < depth; i++) {
    const row = el.children[i];
    const r = rows[i];
    row.hidden = !r;
    if (!r) continue;
    const price = fixed(r.p, places);
    const px = row.children[1];
    const priceChanged = px.textContent !== price;
    if (priceChanged) {
      px.textContent = price;
      row.dataset.price = r.p;
    }
    const qty = fixed(r.q, qp);
    const qtyEl = row.children[2];
    if (qtyEl.textContent !== qty) {
      // A size that changed at a price that did not: flash it.
      if (qtyEl.textContent !== '' && !priceChanged) {
        row.classList.remove('flash');
        void row.offsetWidth;
        row.classList.add('flash');
      }
      qtyEl.textContent = qty;
    }
    row.children[3].textContent = compact(r.total);
    row.children[0].style.width = `${((r.total / max) * 100).toFixed(1)}%`;
  }
}

function renderTape() {
  const symbol = state.symbol;
  const places = symbol ? pricePlaces(symbol) : 2;
  const qp = symbol ? qtyPlaces(symbol) : 4;
  const fresh = state.freshTrades ?? 0;
  state.freshTrades = 0;
  $('tape').innerHTML = state.trades
    .slice(0, 60)
    .map(
      (t, i) =>
        `<div class="trade ${t.side}${i < fresh ? ' new' : ''}"><span class="px">${escapeHtml(fixed(t.price, places))}</span>` +
        `<span>${escapeHtml(fixed(t.quantity, qp))}</span><span>${escapeHtml(clockTime(t.timestamp))}</span></div>`,
    )
    .join('');
  const recent = state.trades.filter((t) => t.timestamp > Date.now() - 10_000).length;
  $('tape-rate').textContent = state.trades.length ? `${(recent / 10).toFixed(1)} trades/s` : '';
}

// ------------------------------------------------------------------ user desks

const desks = new Map();

function renderDesks() {
  const container = $('desks');
  if (state.hello && !state.hello.trading) {
    if (!container.querySelector('.no-trading')) {
      const note = document.createElement('article');
      note.className = 'panel no-trading';
      note.innerHTML = '<div class="panel-head"><h2>Trading</h2></div><p class="muted"></p>';
      note.querySelector('p').textContent = state.hello.tradingNote ?? 'No trading users in this demo.';
      container.replaceChildren(note);
    }
    return;
  }
  for (const user of state.users) {
    let desk = desks.get(user.id);
    if (!desk) {
      desk = createDesk(user.id);
      desks.set(user.id, desk);
      container.append(desk.root);
    }
    updateDesk(desk, user);
  }
}

function createDesk(userId) {
  const root = $('desk-template').content.firstElementChild.cloneNode(true);
  root.dataset.user = userId;
  root.dataset.testid = `desk-${userId}`;
  root.querySelector('.user-name').textContent = userId;
  const form = root.querySelector('.order-form');
  const desk = {
    userId,
    root,
    form,
    side: 'buy',
    type: 'limit',
    outcome: root.querySelector('.outcome'),
    lastSymbol: undefined,
  };
  for (const button of form.querySelectorAll('[data-side]')) {
    button.addEventListener('click', () => {
      desk.side = button.dataset.side;
      syncForm(desk);
    });
  }
  for (const button of form.querySelectorAll('[data-type]')) {
    button.addEventListener('click', () => {
      desk.type = button.dataset.type;
      syncForm(desk);
    });
  }
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    placeOrder(desk);
  });
  root.querySelector('.open-orders tbody').addEventListener('click', (event) => {
    const button = event.target.closest('button.cancel');
    if (button) cancelOrder(desk, button.dataset.symbol, button.dataset.order);
  });
  syncForm(desk);
  return desk;
}

const DEFAULT_QUANTITY = { BTC: '0.01', ETH: '0.2', BNB: '1' };

function syncForm(desk) {
  const { form } = desk;
  for (const b of form.querySelectorAll('[data-side]'))
    b.classList.toggle('active', b.dataset.side === desk.side);
  for (const b of form.querySelectorAll('[data-type]'))
    b.classList.toggle('active', b.dataset.type === desk.type);
  const price = form.elements.price;
  price.disabled = desk.type === 'market';
  const base = state.symbol?.split('/')[0] ?? '';
  const submit = form.querySelector('.place');
  submit.className = `place ${desk.side}`;
  submit.textContent = `${desk.side === 'buy' ? 'Buy' : 'Sell'} ${base}`;
  if (state.symbol && desk.lastSymbol !== state.symbol) {
    const ticker = state.tickers.get(state.symbol);
    if (ticker) {
      desk.lastSymbol = state.symbol;
      price.value = fixed(ticker.last, pricePlaces(state.symbol)).replaceAll(',', '');
      form.elements.quantity.value = DEFAULT_QUANTITY[base] ?? '1';
    }
  }
}

function updateDesk(desk, user) {
  const { root } = desk;
  syncForm(desk);
  const sessionBadge = root.querySelector('.session-badge');
  const dataBadge = root.querySelector('.userdata-badge');
  if (user.state !== 'ready') {
    sessionBadge.textContent = user.state;
    sessionBadge.dataset.tone = user.state === 'connecting' ? 'warn' : 'bad';
    dataBadge.hidden = true;
    if (user.problem) setOutcome(desk, 'error', user.problem);
  } else {
    sessionBadge.textContent = `session ${user.session}`;
    sessionBadge.dataset.tone = user.session === 'active' ? 'ok' : 'warn';
    dataBadge.hidden = false;
    dataBadge.textContent = `user data ${user.userData}`;
    dataBadge.dataset.tone = user.userData === 'connected' ? 'ok' : 'warn';
  }
  // Balances across: one column per asset, free above locked.
  const head = root.querySelector('.balances thead tr');
  const body = root.querySelector('.balances tbody');
  if (user.balances.length) {
    head.innerHTML = `<th></th>${user.balances.map((b) => `<th class="num">${escapeHtml(b.asset)}</th>`).join('')}`;
    body.innerHTML =
      `<tr><td class="muted">free</td>${user.balances.map((b) => `<td class="num" data-asset="${escapeHtml(b.asset)}">${escapeHtml(trimAmount(b.free))}</td>`).join('')}</tr>` +
      `<tr><td class="muted">locked</td>${user.balances.map((b) => `<td class="num muted">${escapeHtml(trimAmount(b.locked))}</td>`).join('')}</tr>`;
  } else {
    head.innerHTML = '';
    body.innerHTML = '<tr class="empty"><td>none</td></tr>';
  }
  const orders = root.querySelector('.open-orders tbody');
  root.querySelector('.open-count').textContent = user.openOrders.length ? `${user.openOrders.length}` : '';
  orders.innerHTML = user.openOrders.length
    ? user.openOrders
        .map((o) => {
          const places = pricePlaces(o.symbol);
          return (
            `<tr data-order="${escapeHtml(o.id)}" data-client-order="${escapeHtml(o.clientOrderId)}" data-price="${escapeHtml(o.price ?? '')}">` +
            `<td>${escapeHtml(o.symbol)}</td><td class="side-${o.side}">${o.side} ${escapeHtml(o.type.replace('_', ' '))}</td>` +
            `<td class="num">${escapeHtml(o.price ? fixed(o.price, places) : 'market')}</td>` +
            `<td class="num">${escapeHtml(trimAmount(o.quantity))}</td><td class="num muted">${escapeHtml(trimAmount(o.filledQuantity))}</td>` +
            `<td class="num"><button type="button" class="cancel" data-symbol="${escapeHtml(o.symbol)}" data-order="${escapeHtml(o.id)}" title="Cancel">Cancel</button></td></tr>`
          );
        })
        .join('')
    : '<tr class="empty"><td colspan="6">no open orders</td></tr>';
  const fills = root.querySelector('.fills tbody');
  fills.innerHTML = user.fills.length
    ? user.fills
        .slice(0, 6)
        .map(
          (f) =>
            `<tr><td class="muted">${escapeHtml(clockTime(f.timestamp))}</td><td>${escapeHtml(f.symbol)}</td>` +
            `<td class="side-${f.side}">${f.side}${f.isMaker ? ' · maker' : ''}</td>` +
            `<td class="num">${escapeHtml(fixed(f.price, pricePlaces(f.symbol)))}</td><td class="num">${escapeHtml(trimAmount(f.quantity))}</td>` +
            `<td class="num muted">${escapeHtml(trimAmount(f.fee))} ${escapeHtml(f.feeAsset)}</td></tr>`,
        )
        .join('')
    : '<tr class="empty"><td colspan="6">no fills yet</td></tr>';
}

/** An amount without trailing zeros, grouped: 150000.00000000 → 150,000. */
function trimAmount(text) {
  return fixed(text, Math.min(8, decimalsOf(text)));
}

function setOutcome(desk, kind, text, code) {
  desk.outcome.className = `outcome ${kind}`;
  desk.outcome.dataset.kind = kind;
  desk.outcome.textContent = text;
  if (code) {
    const span = document.createElement('span');
    span.className = 'code';
    span.textContent = code;
    desk.outcome.append(span);
  }
}

async function post(path, body) {
  const response = await fetch(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return response.json();
}

async function placeOrder(desk) {
  const { form } = desk;
  const body = {
    user: desk.userId,
    symbol: state.symbol,
    side: desk.side,
    type: desk.type,
    quantity: form.elements.quantity.value.replaceAll(',', '').trim(),
  };
  if (desk.type === 'limit') {
    body.price = form.elements.price.value.replaceAll(',', '').trim();
    body.timeInForce = 'GTC';
  }
  const submit = form.querySelector('.place');
  submit.disabled = true;
  setOutcome(desk, 'pending', `placing ${body.side} ${body.type} ${body.quantity} ${body.symbol}…`);
  try {
    const answer = await post('/api/orders', body);
    if (answer.ok) {
      const o = answer.result;
      const at = o.price
        ? ` @ ${fixed(o.price, pricePlaces(o.symbol))}`
        : o.averagePrice
          ? ` avg ${o.averagePrice}`
          : '';
      setOutcome(
        desk,
        'ok',
        `order ${o.id} ${o.status.replace('_', ' ')}: ${o.side} ${trimAmount(o.quantity)} ${o.symbol}${at}`,
      );
    } else {
      setOutcome(
        desk,
        'error',
        answer.error.userMessage,
        answer.error.field ? `${answer.error.code} · ${answer.error.field}` : answer.error.code,
      );
    }
  } catch (error) {
    setOutcome(desk, 'error', `the demo server did not answer (${error.message})`);
  } finally {
    submit.disabled = false;
  }
}

async function cancelOrder(desk, symbol, orderId) {
  setOutcome(desk, 'pending', `canceling order ${orderId}…`);
  try {
    const answer = await post('/api/orders/cancel', { user: desk.userId, symbol, orderId });
    if (answer.ok) setOutcome(desk, 'ok', `order ${answer.result.id} ${answer.result.status}`);
    else setOutcome(desk, 'error', answer.error.userMessage, answer.error.code);
  } catch (error) {
    setOutcome(desk, 'error', `the demo server did not answer (${error.message})`);
  }
}

// ------------------------------------------------------------------ health

const RULES = {
  R1: 'no component was checked',
  R2: 'a critical component is unhealthy',
  R3: 'every component is unknown',
  R4: 'some component is degraded or unknown',
  R5: 'every component is healthy',
};
const FRESH_KINDS = ['ticker', 'trades', 'orderBook', 'klines'];

function renderHealth() {
  const health = state.health;
  if (!health) return;
  const pill = $('health-pill');
  pill.dataset.status = health.status;
  pill.querySelector('.label').textContent = health.status;
  const badge = $('health-status');
  badge.dataset.status = health.status;
  badge.textContent = health.status;
  const causes = health.causes.length ? ` (${health.causes.join(', ')})` : '';
  $('health-rule').textContent =
    `${health.rule ?? ''} · ${RULES[health.rule] ?? ''}${causes} · checked ${clockTime(health.checkedAt)}`;
  $('components').innerHTML = health.components
    .map(
      (c) =>
        `<li data-component="${escapeHtml(c.name)}" data-status="${escapeHtml(c.status)}" data-testid="component-${escapeHtml(c.name)}">` +
        `<span class="dot"></span><span class="name">${escapeHtml(c.name)}</span><span class="summary" title="${escapeHtml(c.summary)}">${escapeHtml(c.summary)}</span></li>`,
    )
    .join('');
  $('reconnects').textContent =
    `${health.totalReconnects} reconnect${health.totalReconnects === 1 ? '' : 's'} so far`;
  $('reconnects').dataset.count = String(health.totalReconnects);
  $('connections').innerHTML = health.connections.length
    ? health.connections
        .map(
          (c) =>
            `<tr data-state="${escapeHtml(c.state)}"><td title="${escapeHtml(c.id)}">${escapeHtml(c.id)}</td><td>${escapeHtml(c.kind)}</td>` +
            `<td><span class="state" data-state="${escapeHtml(c.state)}">${escapeHtml(c.state)}</span></td>` +
            `<td class="num">${c.reconnects}</td><td class="num">${escapeHtml(ago(c.quietMs))}</td></tr>`,
        )
        .join('')
    : '<tr class="empty"><td colspan="5">no connections</td></tr>';
  renderFreshness(health.streams);
}

function renderFreshness(streams) {
  const bySymbol = new Map();
  for (const s of streams) {
    const row = bySymbol.get(s.symbol) ?? new Map();
    const previous = row.get(s.kind);
    // Two candle streams per market (1s, 1m): show the quieter.
    if (!previous || (s.quietMs ?? Infinity) > (previous.quietMs ?? Infinity)) row.set(s.kind, s);
    bySymbol.set(s.symbol, row);
  }
  const el = $('freshness');
  el.style.setProperty('--kinds', String(FRESH_KINDS.length));
  let html = `<span></span>${FRESH_KINDS.map((k) => `<span class="h">${k === 'orderBook' ? 'book' : k}</span>`).join('')}`;
  for (const [symbol, row] of bySymbol) {
    html += `<span class="sym">${escapeHtml(symbol)}</span>`;
    for (const kind of FRESH_KINDS) {
      const s = row.get(kind);
      if (!s) {
        html += '<span class="cell none">—</span>';
        continue;
      }
      const quiet = s.quietMs;
      const limit = kind === 'trades' ? 30_000 : 4_000;
      const title = `${s.messages} messages, ${s.reconnects} reconnects, ${s.resyncs} resyncs`;
      if (s.rebuilding) {
        // A book being rebuilt: its diffs may keep coming, but its data cannot be trusted yet.
        html += `<span class="cell slow" data-rebuilding="true" title="${escapeHtml(`being rebuilt from a snapshot · ${title}`)}">rebuilding</span>`;
        continue;
      }
      const cls = quiet === undefined ? 'none' : quiet > limit ? 'stale' : quiet > limit / 2 ? 'slow' : '';
      html += `<span class="cell ${cls}" title="${escapeHtml(title)}">${escapeHtml(ago(quiet))}</span>`;
    }
  }
  el.innerHTML = html;
}

function buildIntervals() {
  const group = $('intervals');
  group.replaceChildren(
    ...state.hello.intervals.map((interval) => {
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = interval;
      button.dataset.interval = interval;
      button.addEventListener('click', () => {
        if (interval !== state.interval) watch(state.symbol, interval);
        syncIntervals();
      });
      return button;
    }),
  );
  syncIntervals();
}

function syncIntervals() {
  for (const button of $('intervals').children)
    button.classList.toggle('active', button.dataset.interval === state.interval);
}

function buildFaults() {
  const box = $('faults');
  const faults = state.hello.faults;
  if (faults.length === 0) {
    box.innerHTML =
      '<span class="muted small">Faults can only be injected into the embedded fake exchange.</span>';
    return;
  }
  box.replaceChildren(
    ...faults.map((fault) => {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'fault';
      button.dataset.fault = fault.id;
      button.textContent = fault.label;
      button.title = fault.description;
      button.addEventListener('click', async () => {
        button.disabled = true;
        try {
          const answer = await post('/api/faults', { fault: fault.id, symbol: state.symbol });
          $('fault-note').textContent = answer.ok ? answer.result.text : answer.error.userMessage;
        } catch (error) {
          $('fault-note').textContent = `the demo server did not answer (${error.message})`;
        } finally {
          button.disabled = false;
        }
      });
      return button;
    }),
  );
}

function renderIncidents() {
  const list = $('incidents');
  if (state.incidents.length === 0) {
    list.innerHTML = '<li class="none">nothing has happened yet</li>';
    return;
  }
  list.innerHTML = state.incidents
    .slice()
    .reverse()
    .slice(0, 80)
    .map(
      (i) =>
        `<li data-level="${escapeHtml(i.level)}"><time>${escapeHtml(clockTime(i.at))}</time><span>${escapeHtml(i.text)}</span></li>`,
    )
    .join('');
}

// ------------------------------------------------------------------ start

$('health-pill').addEventListener('click', () => {
  document.querySelector('.health-panel').scrollIntoView({ behavior: 'smooth', block: 'start' });
});
const candles = $('candles');
candles.addEventListener('mousemove', (event) => {
  state.hoverX = event.offsetX;
  invalidate('chart');
});
candles.addEventListener('mouseleave', () => {
  state.hoverX = undefined;
  invalidate('chart');
});
window.addEventListener('resize', () => invalidate('chart', 'book'));
// Quiet times move even when nothing arrives: redraw the tape's rate and the book's quiet time.
setInterval(() => invalidate('tape', 'book'), 1000);
renderIncidents();
connect();
