// The REST routes the page reads (docs/rest.md). Every answer is the envelope {success, data, message}.

async function request(path, init) {
  const response = await fetch(path, init);
  let body = null;
  try {
    body = await response.json();
  } catch {
    // Not JSON: reported below with the status.
  }
  if (!response.ok || !body?.success) {
    throw new Error(`${init?.method ?? 'GET'} ${path}: ${response.status} ${body?.message ?? response.statusText}`);
  }
  return body.data;
}

/**
 * What the page needs of the server's configuration: the intervals it builds, shortest first, what a candle's
 * volume sums (kline.volume_unit: sol, token or none; a server that does not say is taken as none) and the scale of
 * events' prices.
 */
export async function klineConfig() {
  const { config } = (await request('/api/kline/status')).stats;
  // price_scale_exponent: an event's latest_price ÷ 10^exponent is SOL per token (the trades list; 28 by default).
  return { intervals: config.supported_intervals, volumeUnit: config.volume_unit ?? 'none', priceScaleExponent: config.price_scale_exponent ?? 28 };
}

/** The most recently active tokens with their name, symbol and latest price (at most `limit`). */
export async function tokens(limit = 100) {
  const page = await request(`/api/mints?limit=${limit}&sort_by=activity_desc`);
  if (page.mints.length === 0) {
    return [];
  }
  return details(page.mints);
}

/** MintDetail of each known mint, in the order asked. */
export async function details(mints) {
  const data = await request('/api/details', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ mints }),
  });
  return data.details;
}

function klineQuery(mint, interval, parameters) {
  const query = new URLSearchParams({ mint, interval, ...parameters });
  return `/api/kline?${query}`;
}

/** Up to `limit` candles older than `before`, oldest first, and whether there are more before those. */
export async function candlesBefore(mint, interval, before, limit) {
  const page = await request(klineQuery(mint, interval, { before, limit, order_by: 'time_asc' }));
  return { candles: page.klines, hasMore: page.has_more };
}

/** Every candle with from ≤ time ≤ to, oldest first (pages of 1,000). */
export async function candlesBetween(mint, interval, from, to) {
  const all = [];
  let start = from;
  for (;;) {
    const page = await request(klineQuery(mint, interval, { from: start, to, limit: 1000, order_by: 'time_asc' }));
    all.push(...page.klines);
    if (!page.has_more || page.klines.length === 0) {
      return all;
    }
    start = page.klines[page.klines.length - 1].time + 1;
    if (start > to) {
      return all;
    }
  }
}
