// The volume histogram under the candles: one bar per candle (its `volume`, kline.volume_unit), colored by the
// candle's direction, in a pane of its own with its own price scale, so a volume spike never squashes the candles.
// A server whose unit is `none` sends volume 0 for every candle: then there is no pane and no readout at all
// rather than a flat line that says nothing.

import { HistogramSeries } from './vendor/lightweight-charts.mjs';
import { VOLUME_DOWN, VOLUME_UP } from './chart.js';
import { formatVolume } from './format.js';

const UNIT_LABELS = { sol: 'SOL', token: 'tokens' };
// The candles keep four fifths of the height, the volume pane the rest.
const VOLUME_PANE_STRETCH = 0.25;

/** A candle as a histogram bar; the color says whether the candle closed up (close ≥ open) or down. */
export function toVolumeBar(candle) {
  return { time: candle.time, value: candle.volume, color: candle.close >= candle.open ? VOLUME_UP : VOLUME_DOWN };
}

export class VolumeHistogram {
  #chart;
  #readout;
  #unit = 'none';
  #series = null;
  // The readout shows the bar under the crosshair, else the newest one.
  #hovered;
  #newest;

  constructor(chart, readout) {
    this.#chart = chart;
    this.#readout = readout;
    chart.subscribeCrosshairMove((param) => {
      this.#hovered = this.#series ? param.seriesData.get(this.#series) : undefined;
      this.#showReadout();
    });
  }

  /** `sol` or `token` draws the histogram; `none` (or anything this page does not know) leaves it out. */
  setUnit(unit) {
    this.#unit = unit in UNIT_LABELS ? unit : 'none';
    if (this.#unit !== 'none' && !this.#series) {
      this.#series = this.#chart.addSeries(
        HistogramSeries,
        {
          // A lamport is 1e-9 SOL; `base` rather than a float `minMove` (as priceFormatFor does).
          priceFormat: { type: 'custom', formatter: formatVolume, minMove: 1e-9, base: 1e9 },
          priceLineVisible: false,
          lastValueVisible: false,
        },
        1,
      );
      this.#chart.panes()[1].setStretchFactor(VOLUME_PANE_STRETCH);
    }
    this.#readout.hidden = this.#unit === 'none';
    this.#showReadout();
  }

  get unit() {
    return this.#unit;
  }

  /** True when the histogram is drawn: its series in a pane of its own under the candles. */
  get shown() {
    return this.#series !== null && this.#chart.panes().length > 1;
  }

  /** The drawn bars (lightweight-charts' series data), oldest first; empty without a histogram. */
  data() {
    return this.#series ? this.#series.data() : [];
  }

  /** All candles, oldest first. */
  setData(candles) {
    this.#series?.setData(candles.map(toVolumeBar));
    this.#newest = candles[candles.length - 1];
    // A redraw (another topic, a merged page) may have changed or removed the bar under the pointer.
    const hovered = this.#hovered && candles.find((candle) => candle.time === this.#hovered.time);
    this.#hovered = hovered ? toVolumeBar(hovered) : undefined;
    this.#showReadout();
  }

  /** One candle changed: `historical` when it is older than the newest drawn bar (the candles' same rule). */
  update(candle, historical) {
    this.#series?.update(toVolumeBar(candle), historical);
    if (!this.#newest || candle.time >= this.#newest.time) {
      this.#newest = candle;
    }
    if (this.#hovered?.time === candle.time) {
      this.#hovered = toVolumeBar(candle);
    }
    this.#showReadout();
  }

  #showReadout() {
    if (!this.#series) {
      return;
    }
    const volume = this.#hovered?.value ?? this.#newest?.volume;
    this.#readout.textContent = volume === undefined ? '' : `Vol ${formatVolume(volume)} ${UNIT_LABELS[this.#unit]}`;
  }
}
