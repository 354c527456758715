// Number formatting for memecoin prices: a token often trades at 1e-8 SOL or less, where fixed decimals show
// "0.00". Prices keep their significant digits; long runs of zeros after the point are written as a subscript
// count, the way trading sites do: 0.00000002796 → 0.0₇2796.

const SUBSCRIPT_DIGITS = '₀₁₂₃₄₅₆₇₈₉';

// From 4 zeros after the point on (below 0.0001) the subscript is shorter than the zeros it replaces.
const MIN_ZEROS_FOR_SUBSCRIPT = 4;

function subscript(count) {
  return String(count).replace(/\d/g, (d) => SUBSCRIPT_DIGITS[d]);
}

/**
 * A price with `digits` significant digits, trailing zeros dropped: 2.796e-8 → "0.0₇2796", 0.01234 → "0.01234",
 * 12.3456 → "12.35", 1234567 → "1,234,567". Never "0.00" for a positive price.
 */
export function formatPrice(value, digits = 4) {
  if (!Number.isFinite(value)) {
    return '—';
  }
  if (value === 0) {
    return '0';
  }
  const sign = value < 0 ? '−' : '';
  const abs = Math.abs(value);
  if (abs >= 1) {
    // Whole part in full (grouped), then as many decimals as the significant digits leave.
    const decimals = Math.max(0, digits - Math.floor(Math.log10(abs)) - 1);
    const text = abs.toLocaleString('en-US', { maximumFractionDigits: decimals, minimumFractionDigits: 0 });
    return sign + text;
  }
  // toExponential rounds to the significant digits first, so 9.99996e-5 becomes 1.000e-4 and the zero count
  // comes from the rounded value.
  const [mantissa, exponentText] = abs.toExponential(digits - 1).split('e');
  const exponent = Number(exponentText);
  const significant = mantissa.replace('.', '').replace(/0+$/, '') || '0';
  if (exponent >= 0) {
    return sign + formatPrice(Number(mantissa) * 10 ** exponent, digits);
  }
  const zeros = -exponent - 1;
  if (zeros >= MIN_ZEROS_FOR_SUBSCRIPT) {
    return `${sign}0.0${subscript(zeros)}${significant}`;
  }
  return `${sign}0.${'0'.repeat(zeros)}${significant}`;
}

/** A relative change as a signed percentage: +12.34 %, −0.05 %, 0.00 %. */
export function formatChange(fraction) {
  if (!Number.isFinite(fraction)) {
    return '—';
  }
  const percent = fraction * 100;
  const magnitude = Math.abs(percent);
  const text = magnitude >= 1000 ? Math.round(magnitude).toLocaleString('en-US') : magnitude.toFixed(2);
  const sign = percent > 0 ? '+' : percent < 0 && text !== '0.00' ? '−' : '';
  return `${sign}${text} %`;
}

/**
 * lightweight-charts' price format for a series whose prices are around `reference`: labels through
 * formatPrice with one more digit (scale ticks are close together), and a price step of 1/base that keeps six
 * significant digits at that magnitude. `base` rather than `minMove`: 1e-13 as a float step loses precision.
 */
export function priceFormatFor(reference) {
  const magnitude = Number.isFinite(reference) && reference > 0 ? Math.floor(Math.log10(reference)) : 0;
  return {
    type: 'custom',
    formatter: (price) => formatPrice(price, 5),
    minMove: 10 ** (magnitude - 5),
    base: 10 ** (5 - magnitude),
  };
}

/**
 * A volume on the volume scale and in its readout: SOL amounts like prices (0.355, 12.35, 0.0₅1234), and from
 * 10,000 on shortened with K, M, B (a token amount runs to billions): 12,345.6 → "12.35K", 3.2e9 → "3.2B".
 */
export function formatVolume(value) {
  const abs = Math.abs(value);
  for (const [from, size, suffix] of [[1e9, 1e9, 'B'], [1e6, 1e6, 'M'], [1e4, 1e3, 'K']]) {
    if (abs >= from) {
      return formatPrice(value / size) + suffix;
    }
  }
  return formatPrice(value);
}
