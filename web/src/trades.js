// The trades list beside the chart: the followed token's trade tape from the /ws event stream (subscribe_events:
// history_event_data oldest first, then one event_data per stored event), newest on top, at most MAX_ROWS rows.
// Buys, sells, margin opens (long/short), closes and liquidations are trades; a token's creation and a milestone
// discount are not. Rows have a fixed height and the list a fixed box, so a new trade never moves the chart.

import { formatPrice, formatVolume } from './format.js';

export const MAX_ROWS = 50;

const LAMPORTS_PER_SOL = 1e9;

/**
 * An event of GET /api/events as a row, or null when it is not a trade. `priceScale` is 10^price_scale_exponent
 * (latest_price is SOL per token × that, a u128 as a decimal string).
 */
export function toTrade(event, priceScale) {
  const side = sideOf(event);
  if (!side) {
    return null;
  }
  const sol = solOf(event);
  return {
    key: `${event.signature}:${event.event_index}`,
    side,
    price: event.latest_price === undefined || event.latest_price === null ? null : Number(event.latest_price) / priceScale,
    sol: sol === undefined || sol === null ? null : Number(sol) / LAMPORTS_PER_SOL,
    time: event.block_time ?? null,
    trader: event.user ?? event.payer ?? null,
  };
}

function sideOf(event) {
  switch (event.event_type) {
    case 'BuySell':
      return event.is_buy ? 'buy' : 'sell';
    case 'LongShort':
      return event.order_type === 1 ? 'long' : 'short';
    case 'FullClose':
    case 'PartialClose':
      return 'close';
    case 'ForceLiquidate':
      return 'liquidation';
    default:
      return null;
  }
}

// The SOL that changed hands: a trade's amount, a margin order's margin, what a close paid out.
function solOf(event) {
  switch (event.event_type) {
    case 'BuySell':
      return event.sol_amount;
    case 'LongShort':
      return event.margin_sol_amount;
    case 'FullClose':
    case 'PartialClose':
      return event.final_sol_amount;
    default:
      return null;
  }
}

export class TradesList {
  #body;
  #empty;
  #priceScale = 1e28;
  // Newest first; keys of the rows shown.
  #rows = [];

  constructor(body, empty) {
    this.#body = body;
    this.#empty = empty;
  }

  /** solana.price_scale_exponent as /api/kline/status reports it. */
  setPriceScaleExponent(exponent) {
    // The decimal literal, not 10 ** exponent: the correctly rounded double the server divides by too.
    this.#priceScale = Number(`1e${exponent}`);
  }

  /** Newest first: what the list shows. */
  rows() {
    return this.#rows.map((row) => ({ ...row }));
  }

  clear() {
    this.#rows = [];
    this.#render();
  }

  /**
   * A subscription's history (oldest first). After a reconnect the rows already shown stay: what the history has
   * after the newest shown row is what happened meanwhile; a history that no longer reaches back to it (more trades
   * than a history holds) replaces the list.
   */
  putHistory(events) {
    const trades = events.map((event) => toTrade(event, this.#priceScale)).filter(Boolean);
    const newest = this.#rows[0]?.key;
    const at = newest === undefined ? -1 : trades.findIndex((trade) => trade.key === newest);
    if (at < 0) {
      this.#rows = trades.reverse();
    } else {
      this.#rows = [...trades.slice(at + 1).reverse(), ...this.#rows];
    }
    this.#trim();
    this.#render();
  }

  /** One live event (the stream's next, in chain order). */
  put(event) {
    const trade = toTrade(event, this.#priceScale);
    if (!trade || this.#rows.some((row) => row.key === trade.key)) {
      return;
    }
    this.#rows.unshift(trade);
    this.#trim();
    this.#render();
  }

  #trim() {
    this.#rows.length = Math.min(this.#rows.length, MAX_ROWS);
  }

  #render() {
    this.#body.replaceChildren(...this.#rows.map(rowElement));
    this.#empty.hidden = this.#rows.length > 0;
  }
}

function rowElement(trade) {
  const row = document.createElement('tr');
  row.className = `trade ${trade.side}`;
  row.dataset.key = trade.key;
  row.append(
    cell(trade.time === null ? '—' : new Date(trade.time * 1000).toLocaleTimeString([], { hour12: false }), 'time'),
    cell(trade.side, 'side'),
    cell(trade.price === null ? '—' : formatPrice(trade.price), 'num'),
    cell(trade.sol === null ? '—' : formatVolume(trade.sol), 'num'),
    cell(trade.trader ? `${trade.trader.slice(0, 4)}…${trade.trader.slice(-4)}` : '—', 'trader', trade.trader ?? ''),
  );
  return row;
}

function cell(text, className, title) {
  const td = document.createElement('td');
  td.textContent = text;
  td.className = className;
  if (title) {
    td.title = title;
  }
  return td;
}
