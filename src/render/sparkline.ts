/** Eight heights, as spark(1) and most terminals' fonts draw them. */
const BARS = '▁▂▃▄▅▆▇█';

/**
 * Values → one character each, scaled between `min` and `max` (default: the values' own range; a flat
 * series is drawn at the top when it is at `max`, else at the bottom). An undefined value is a gap (·).
 */
export function sparkline(values: readonly (number | undefined)[], range: { min?: number; max?: number } = {}): string {
  const known = values.filter((v): v is number => v !== undefined && Number.isFinite(v));
  if (!known.length) return values.map(() => '·').join('');
  const min = range.min ?? Math.min(...known);
  const max = range.max ?? Math.max(...known);
  return values
    .map((v) => {
      if (v === undefined || !Number.isFinite(v)) return '·';
      if (max === min) return v >= max ? BARS[BARS.length - 1] : BARS[0];
      const i = Math.round(((Math.min(Math.max(v, min), max) - min) / (max - min)) * (BARS.length - 1));
      return BARS[i];
    })
    .join('');
}
