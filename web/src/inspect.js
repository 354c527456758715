// The page's read-only view for tests and the console, window.spinpetChart: what the chart shows, not how it got
// there.

import { HOLLOW, VOLUME_UP } from './chart.js';

/**
 * `state`, `series` (the candles), `volume` (VolumeHistogram), `trades` (TradesList), `historyLimit` and `feed` as
 * app.js holds them.
 */
export function chartView({ state, series, volume, trades, historyLimit, feed }) {
  return Object.freeze({
    get mint() {
      return state.mint;
    },
    get interval() {
      return state.interval;
    },
    get intervals() {
      return [...state.intervals];
    },
    get connection() {
      return state.connection;
    },
    get historyLimit() {
      return historyLimit;
    },
    /**
     * The resumes after reconnects, oldest first: {from: {epoch, seq}, recovered, seq, epoch} (recovered null
     * until the server answered).
     */
    get resumes() {
      return feed.resumes;
    },
    /** kline.volume_unit as the page read it (sol, token or none), and whether the volume histogram is drawn. */
    get volumeUnit() {
      return volume.unit;
    },
    get volumeShown() {
      return volume.shown;
    },
    /**
     * The bars the chart draws, oldest first: time, OHLC, whether it is drawn settled (final), and the volume
     * histogram's bar at that time (its value, and whether it has the up color), null where there is none.
     */
    bars() {
      const volumes = new Map(volume.data().map((bar) => [bar.time, bar]));
      return series.data().map((bar) => ({
        time: bar.time,
        open: bar.open,
        high: bar.high,
        low: bar.low,
        close: bar.close,
        final: bar.customValues.final,
        settledLook: bar.color !== HOLLOW,
        updateCount: bar.customValues.updateCount,
        volume: volumes.get(bar.time)?.value ?? null,
        volumeRising: volumes.has(bar.time) ? volumes.get(bar.time).color === VOLUME_UP : null,
      }));
    },
    /**
     * The trades list, newest first: key (signature:event_index), side (buy, sell, long, short, close,
     * liquidation), price (SOL per token), sol, time (unix seconds), trader (its full address).
     */
    trades() {
      return trades.rows();
    },
    /** The price scale's label for a price (the same formatter as the axis and the crosshair). */
    priceLabel(price) {
      return series.priceFormatter().format(price);
    },
  });
}
