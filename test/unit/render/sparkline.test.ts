import { describe, expect, it } from 'vitest';
import { sparkline } from '../../../src/render/sparkline.js';

describe('sparkline', () => {
  it('scales between the values own minimum and maximum', () => {
    expect(sparkline([1, 2, 3, 4, 5, 6, 7, 8])).toBe('▁▂▃▄▅▆▇█');
  });

  it('uses a fixed range when given (reachable share 0–100 %)', () => {
    expect(sparkline([100, 100, 50, 0], { min: 0, max: 100 })).toBe('██▅▁');
  });

  it('draws a gap for a run without a value, and only gaps when there is none', () => {
    expect(sparkline([10, undefined, 20])).toBe('▁·█');
    expect(sparkline([undefined, undefined])).toBe('··');
  });

  it('a flat series sits at the top when it is the maximum, else at the bottom', () => {
    expect(sparkline([100, 100], { min: 0, max: 100 })).toBe('██');
    expect(sparkline([3, 3])).toBe('██');
    expect(sparkline([0, 0], { min: 0, max: 0 })).toBe('██');
  });

  it('clamps values outside the range', () => {
    expect(sparkline([-5, 150], { min: 0, max: 100 })).toBe('▁█');
  });
});
