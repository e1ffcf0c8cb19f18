import { describe, expect, it } from 'vitest';
import { histogramOf } from './compare-runs.js';
import { differencePlot, formatNumber, formatPValue } from './leaderboard-pages.js';

describe('histogramOf', () => {
  it('gives a bar per value when there are few (a 0/1 metric gives −1, 0 and 1)', () => {
    expect(histogramOf([1, 0, 0, -1, 0, 1])).toEqual([
      { from: -1, to: -1, count: 1 },
      { from: 0, to: 0, count: 3 },
      { from: 1, to: 1, count: 2 },
    ]);
    expect(histogramOf([])).toEqual([]);
  });

  it('puts many distinct values into 20 equal bins from the smallest to the largest, losing none', () => {
    const values = Array.from({ length: 100 }, (_, i) => (i - 30) / 10);
    const bins = histogramOf(values);
    expect(bins.length).toBe(20);
    expect(bins[0]?.from).toBe(-3);
    expect(bins[19]?.to).toBeCloseTo(6.9, 12);
    expect(bins.reduce((sum, bin) => sum + bin.count, 0)).toBe(100);
    expect(bins.every((bin) => bin.count === 5)).toBe(true);
  });
});

describe('the difference plot', () => {
  it('draws a bar per bin, scaled to the highest, and escapes the task name', () => {
    const svg = differencePlot('<script>x</script>', [
      { from: -1, to: -1, count: 2 },
      { from: 0, to: 0, count: 8 },
      { from: 1, to: 1, count: 4 },
    ]).value;
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('data-task="&lt;script&gt;x&lt;/script&gt;"');
    const heights = [...svg.matchAll(/<rect [^>]*height="([\d.]+)"/g)].map((match) => Number(match[1]));
    expect(heights).toEqual([28.5, 114, 57]);
  });
});

describe('numbers on the pages', () => {
  it('rounds by magnitude and shows small p-values as a bound', () => {
    expect(formatNumber(0.123456)).toBe('0.123');
    expect(formatNumber(12.3456)).toBe('12.35');
    expect(formatNumber(123.456)).toBe('123.5');
    expect(formatNumber(null)).toBe('—');
    expect(formatPValue(0.0001)).toBe('< 0.001');
    expect(formatPValue(0.0123)).toBe('0.012');
  });
});
