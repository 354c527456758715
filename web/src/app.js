// The live chart page: a token picker, an interval switch, the last price and a candlestick chart with its volume
// histogram that follows /ws. URL: /?limit=N#mint=<address>&interval=<name> (limit: candles per history page,
// 1…1000, default 300).

import * as api from './api.js';
import { CandleSet } from './candles.js';
import { DEFAULT_BAR_SPACING, createCandleChart, toBar } from './chart.js';
import { KlineFeed } from './feed.js';
import { formatChange, formatPrice, priceFormatFor } from './format.js';
import { chartView } from './inspect.js';
import { MAX_ROWS, TradesList } from './trades.js';
import { VolumeHistogram } from './volume.js';

const DAY_SECONDS = 86400;
// Load older candles when fewer than this many bars are left of the visible range.
const SCROLL_BACK_MARGIN = 10;
const TOKEN_REFRESH_MS = 15000;

const historyLimit = Math.min(1000, Math.max(1, Number(new URLSearchParams(location.search).get('limit')) || 300));

const ui = {
  token: document.getElementById('token'),
  intervals: document.getElementById('intervals'),
  connection: document.getElementById('connection'),
  connectionText: document.getElementById('connection-text'),
  symbol: document.getElementById('symbol'),
  name: document.getElementById('token-name'),
  price: document.getElementById('last-price'),
  change: document.getElementById('change'),
  basis: document.getElementById('change-basis'),
  chart: document.getElementById('chart'),
  message: document.getElementById('message'),
  latest: document.getElementById('latest'),
  volume: document.getElementById('volume'),
  trades: document.getElementById('trades'),
  tradesEmpty: document.getElementById('trades-empty'),
};

const state = {
  mint: null,
  interval: null,
  intervals: [],
  tokens: new Map(),
  connection: 'connecting',
  // Bumped on every topic switch: answers that arrive for an older topic are dropped.
  generation: 0,
  hasMoreOlder: false,
  loadingOlder: false,
  priceMagnitude: null,
};
const candles = new CandleSet();

const { chart, series } = createCandleChart(ui.chart, priceFormatFor(1e-8));
// Drawn once the server's kline.volume_unit is known (start()).
const volume = new VolumeHistogram(chart, ui.volume);
const trades = new TradesList(ui.trades, ui.tradesEmpty);

const feed = new KlineFeed(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`, historyLimit);

// --- chart ------------------------------------------------------------------------------------------------------

function render() {
  draw();
  showQuote();
}

function draw() {
  const list = candles.list();
  series.setData(list.map(toBar));
  volume.setData(list);
}

/** When the whole history is loaded and narrower than the chart, spread it over the width (wider candles). */
function fillWidthIfShort() {
  const range = chart.timeScale().getVisibleLogicalRange();
  if (!state.hasMoreOlder && candles.size > 0 && range && range.from < 0) {
    chart.timeScale().fitContent();
  }
}

/** One candle changed: the chart's update() for the newest bar (or an existing older one), else a redraw. */
function renderCandle(candle) {
  const bars = series.data();
  const last = bars.length > 0 ? bars[bars.length - 1] : undefined;
  if (!last || candle.time >= last.time) {
    series.update(toBar(candle));
    volume.update(candle, false);
  } else if (candles.size === bars.length) {
    series.update(toBar(candle), true);
    volume.update(candle, true);
  } else {
    draw();
  }
  showQuote();
}

function showQuote() {
  const token = state.tokens.get(state.mint);
  ui.symbol.textContent = token?.symbol ?? shortMint(state.mint);
  ui.name.textContent = token?.name ?? '';
  const newest = candles.newest();
  const price = newest?.close ?? token?.latest_price_sol;
  ui.price.textContent = price === undefined || price === null ? '—' : formatPrice(price);
  if (token && newest) {
    token.latest_price_sol = newest.close;
    const option = ui.token.selectedOptions[0];
    if (option?.value === state.mint) {
      option.textContent = tokenLabel(token);
    }
  }
  document.title = price ? `${formatPrice(price)} ${ui.symbol.textContent} · SpinPet K-line` : 'SpinPet K-line';
  fitPriceScale(price);

  // Change over the last 24 h of loaded candles (or since the oldest loaded one, when that is more recent).
  const list = candles.list();
  const base = newest && list.find((candle) => candle.time >= newest.time - DAY_SECONDS);
  if (!base || base.open === 0) {
    ui.change.textContent = '';
    ui.basis.textContent = '';
    return;
  }
  const change = newest.close / base.open - 1;
  ui.change.textContent = formatChange(change);
  ui.change.className = `change ${change > 0 ? 'up' : change < 0 ? 'down' : ''}`;
  const reachesBack = list[0].time <= newest.time - DAY_SECONDS;
  ui.basis.textContent = reachesBack ? '24 h' : `since ${new Date(base.time * 1000).toLocaleTimeString()}`;
}

/** Price-scale steps and labels follow the token's magnitude (1e-8 SOL needs 1e-13 steps, 1 SOL does not). */
function fitPriceScale(price) {
  if (!(price > 0)) {
    return;
  }
  const magnitude = Math.floor(Math.log10(price));
  if (magnitude !== state.priceMagnitude) {
    state.priceMagnitude = magnitude;
    series.applyOptions({ priceFormat: priceFormatFor(price) });
  }
}

// --- topic ------------------------------------------------------------------------------------------------------

function selectTopic(mint, interval) {
  if (mint === state.mint && interval === state.interval) {
    return;
  }
  if (mint !== state.mint) {
    trades.clear();
    feed.setEvents(mint, MAX_ROWS);
  }
  state.mint = mint;
  state.interval = interval;
  state.generation += 1;
  state.hasMoreOlder = false;
  state.loadingOlder = false;
  candles.clear();
  draw();
  history.replaceState(null, '', `${location.pathname}${location.search}#mint=${mint}&interval=${interval}`);
  ui.token.value = mint;
  showIntervals();
  // Each topic starts at the default zoom (a short history may have been spread wide by fillWidthIfShort).
  chart.timeScale().applyOptions({ secondsVisible: interval.startsWith('s'), barSpacing: DEFAULT_BAR_SPACING });
  showQuote();
  feed.setTopic(mint, interval);
}

function isCurrent(detail) {
  return detail.symbol === state.mint && detail.interval === state.interval;
}

feed.addEventListener('history', async ({ detail }) => {
  if (!isCurrent(detail)) {
    return;
  }
  if (detail.recovered === true) {
    // A resume the server could serve: exactly what changed since the page's position, nothing to refill.
    showMessage(null);
    candles.putAll(detail.candles);
    render();
    return;
  }
  if (detail.recovered === false && detail.epoch !== detail.previousEpoch) {
    // Another history (a new database, a recreated cluster stream): what the page holds may not be part of it.
    candles.clear();
  }
  // After a reconnect: the subscription's history is the newest `limit` candles; if it does not reach back to
  // where we were (the oldest candle still open then, or the newest), REST fills the hole in between.
  const resumeFrom = candles.size > 0 ? candles.resumeTime() : undefined;
  showMessage(null);
  candles.putAll(detail.candles);
  if (resumeFrom === undefined) {
    state.hasMoreOlder = detail.hasMore;
  }
  render();
  if (resumeFrom === undefined) {
    fillWidthIfShort();
  }
  const oldestReceived = detail.candles[0]?.time;
  if (resumeFrom !== undefined && oldestReceived > resumeFrom && detail.hasMore) {
    await refill(resumeFrom, oldestReceived - 1);
  }
});

feed.addEventListener('candle', ({ detail }) => {
  if (!isCurrent(detail) || detail.subscriptionId !== feed.subscriptionId) {
    return;
  }
  if (candles.put(detail.candle)) {
    renderCandle(detail.candle);
  }
});

feed.addEventListener('trade-history', ({ detail }) => {
  if (detail.symbol === state.mint) {
    trades.putHistory(detail.events);
  }
});

feed.addEventListener('trade', ({ detail }) => {
  if (detail.symbol === state.mint && detail.subscriptionId === feed.eventsSubscriptionId) {
    trades.put(detail.event);
  }
});

feed.addEventListener('status', ({ detail }) => {
  state.connection = detail.state;
  ui.connection.dataset.state = detail.state;
  ui.connectionText.textContent = connectionLabel(detail);
});

// A refused subscription (1002: the server's limits) or a failed history read (1003) would leave an empty chart
// without a word; say why until the next history arrives.
feed.addEventListener('server-error', ({ detail }) => showMessage(`The server refused a request: ${detail.message}`));

function connectionLabel({ state: connection, attempt, retryInMs }) {
  if (connection === 'live') {
    return 'live';
  }
  if (connection === 'connecting') {
    return 'connecting…';
  }
  return retryInMs === undefined ? `reconnecting (attempt ${attempt})…` : `reconnecting in ${(retryInMs / 1000).toFixed(1)} s`;
}

feed.addEventListener('hello', ({ detail }) => {
  if (detail.supported_intervals?.length && detail.supported_intervals.join() !== state.intervals.join()) {
    state.intervals = detail.supported_intervals;
    showIntervals();
  }
});

async function refill(from, to) {
  const generation = state.generation;
  for (let attempt = 0; ; attempt++) {
    try {
      const missing = await api.candlesBetween(state.mint, state.interval, from, to);
      console.info(`refilled ${missing.length} candles between ${from} and ${to}`);
      if (generation === state.generation) {
        candles.putAll(missing);
        render();
      }
      return;
    } catch (error) {
      console.warn('refill failed', error);
      if (generation !== state.generation || attempt >= 5) {
        return;
      }
      await delay(1000 * (attempt + 1));
    }
  }
}

// Scrolling back: older candles page in over REST (`before` = the oldest candle held).
async function loadOlder() {
  if (!state.hasMoreOlder || state.loadingOlder || candles.size === 0) {
    return;
  }
  const generation = state.generation;
  state.loadingOlder = true;
  try {
    const page = await api.candlesBefore(state.mint, state.interval, candles.oldest().time, historyLimit);
    if (generation !== state.generation) {
      return;
    }
    candles.putAll(page.candles);
    state.hasMoreOlder = page.hasMore;
    render();
    fillWidthIfShort();
  } catch (error) {
    console.warn('loading older candles failed', error);
  } finally {
    if (generation === state.generation) {
      state.loadingOlder = false;
    }
  }
  const range = chart.timeScale().getVisibleLogicalRange();
  if (generation === state.generation && range && range.from < SCROLL_BACK_MARGIN) {
    await loadOlder();
  }
}

chart.timeScale().subscribeVisibleLogicalRangeChange((range) => {
  // Scrolled back, the chart stops following new candles; the button brings it back to the newest one.
  ui.latest.hidden = !(chart.timeScale().scrollPosition() < 0);
  if (range && range.from < SCROLL_BACK_MARGIN) {
    loadOlder();
  }
});
ui.latest.addEventListener('click', () => chart.timeScale().scrollToRealTime());

// --- controls ---------------------------------------------------------------------------------------------------

function showIntervals() {
  ui.intervals.replaceChildren(
    ...state.intervals.map((interval) => {
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = interval;
      button.dataset.interval = interval;
      button.setAttribute('aria-pressed', String(interval === state.interval));
      button.addEventListener('click', () => selectTopic(state.mint, interval));
      return button;
    }),
  );
}

function showTokens() {
  const options = [...state.tokens.values()].map((token) => {
    const option = document.createElement('option');
    option.value = token.mint_account;
    option.textContent = tokenLabel(token);
    option.title = token.mint_account;
    return option;
  });
  ui.token.replaceChildren(...options);
  ui.token.disabled = options.length === 0;
  if (state.mint) {
    ui.token.value = state.mint;
  }
}

function tokenLabel(token) {
  const price = token.latest_price_sol === null ? 'no trades' : formatPrice(token.latest_price_sol);
  return `${token.symbol ?? shortMint(token.mint_account)} · ${token.name ?? ''} · ${price}`;
}

async function refreshTokens() {
  const list = await api.tokens();
  const tokens = new Map(list.map((token) => [token.mint_account, token]));
  // The followed token stays in the picker even when it dropped out of the most active ones.
  if (state.mint && !tokens.has(state.mint) && state.tokens.has(state.mint)) {
    tokens.set(state.mint, state.tokens.get(state.mint));
  }
  state.tokens = tokens;
  showTokens();
}

ui.token.addEventListener('change', () => selectTopic(ui.token.value, state.interval));

window.addEventListener('hashchange', () => {
  const wanted = topicFromHash();
  if (wanted.mint && state.intervals.includes(wanted.interval)) {
    selectTopic(wanted.mint, wanted.interval);
  }
});

function topicFromHash() {
  const hash = new URLSearchParams(location.hash.slice(1));
  return { mint: hash.get('mint'), interval: hash.get('interval') };
}

function shortMint(mint) {
  return mint ? `${mint.slice(0, 4)}…${mint.slice(-4)}` : '—';
}

function showMessage(text) {
  ui.message.textContent = text ?? '';
  ui.message.hidden = !text;
}

function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Retries `load` (the server may still be starting) with a capped back-off, showing why we wait. */
async function untilLoaded(load, what) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await load();
    } catch (error) {
      showMessage(`Waiting for the server (${what})…`);
      console.warn(error);
      await delay(Math.min(5000, 500 * 2 ** attempt));
    }
  }
}

async function start() {
  feed.start();
  const config = await untilLoaded(api.klineConfig, 'intervals');
  state.intervals = config.intervals;
  volume.setUnit(config.volumeUnit);
  trades.setPriceScaleExponent(config.priceScaleExponent);
  await untilLoaded(refreshTokens, 'tokens');
  while (state.tokens.size === 0) {
    showMessage('No token has traded yet: waiting for the first one…');
    await delay(3000);
    await untilLoaded(refreshTokens, 'tokens');
  }
  showMessage(null);
  const wanted = topicFromHash();
  const mint = wanted.mint ?? state.tokens.keys().next().value;
  const interval = state.intervals.includes(wanted.interval) ? wanted.interval : state.intervals[0];
  selectTopic(mint, interval);
  setInterval(() => refreshTokens().catch((error) => console.warn('token refresh failed', error)), TOKEN_REFRESH_MS);
}

// Read-only view for tests and the console (inspect.js).
window.spinpetChart = chartView({ state, series, volume, trades, historyLimit, feed });

start();
