// The candlestick chart itself: lightweight-charts set up for the page's dark theme and local times, and how a
// candle becomes a bar (settled candles filled, the open one hollow).

import { CandlestickSeries, ColorType, TickMarkType, createChart } from './vendor/lightweight-charts.mjs';

const UP = '#26a69a';
const DOWN = '#ef5350';
// Volume bars in the candle colors, half transparent: they sit under the candles and should not outshout them.
export const VOLUME_UP = 'rgba(38, 166, 154, 0.5)';
export const VOLUME_DOWN = 'rgba(239, 83, 80, 0.5)';
// An open candle is drawn hollow (outline only): it can still change; a settled (final) one is filled.
export const HOLLOW = 'rgba(0, 0, 0, 0)';
export const DEFAULT_BAR_SPACING = 6;

export function createCandleChart(container, priceFormat) {
  const chart = createChart(container, {
    autoSize: true,
    layout: {
      background: { type: ColorType.Solid, color: '#0f1115' },
      textColor: '#c9ced6',
      panes: { separatorColor: '#262a33' },
    },
    grid: {
      vertLines: { color: '#1c2029' },
      horzLines: { color: '#1c2029' },
    },
    rightPriceScale: { borderColor: '#262a33' },
    // maxBarSpacing: a token with three candles gets wide candles, not three walls.
    timeScale: {
      borderColor: '#262a33',
      timeVisible: true,
      secondsVisible: true,
      rightOffset: 3,
      barSpacing: DEFAULT_BAR_SPACING,
      maxBarSpacing: 24,
      tickMarkFormatter: tickLabel,
    },
    localization: { timeFormatter: (time) => new Date(time * 1000).toLocaleString() },
  });
  const series = chart.addSeries(CandlestickSeries, {
    upColor: UP,
    downColor: DOWN,
    borderUpColor: UP,
    borderDownColor: DOWN,
    wickUpColor: UP,
    wickDownColor: DOWN,
    priceFormat,
  });
  return { chart, series };
}

/** A candle as the chart draws it; customValues keep what the bar stands for (read by window.spinpetChart). */
export function toBar(candle) {
  const color = candle.close >= candle.open ? UP : DOWN;
  return {
    time: candle.time,
    open: candle.open,
    high: candle.high,
    low: candle.low,
    close: candle.close,
    color: candle.is_final ? color : HOLLOW,
    borderColor: color,
    wickColor: color,
    customValues: { final: candle.is_final, updateCount: candle.update_count },
  };
}

/** Time-axis labels in local time. */
function tickLabel(time, type) {
  const date = new Date(time * 1000);
  const two = (n) => String(n).padStart(2, '0');
  switch (type) {
    case TickMarkType.Year:
      return String(date.getFullYear());
    case TickMarkType.Month:
      return date.toLocaleString(undefined, { month: 'short' });
    case TickMarkType.DayOfMonth:
      return String(date.getDate());
    case TickMarkType.TimeWithSeconds:
      return `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
    default:
      return `${two(date.getHours())}:${two(date.getMinutes())}`;
  }
}
