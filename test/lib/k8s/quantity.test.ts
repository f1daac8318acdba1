/**
 * Quantities both ways (docs/kubernetes.md "ResourceQuota vdc-quota"): VDC limits → quota quantities
 * (MHz/GHz/cores/millicores → CPU, MB/GB/MiB/GiB → Mi/Gi), and quota `status.used` quantities back
 * into numbers and into the VDC's own units.
 */
import { describe, expect, it } from 'vitest';
import { parseQuantity, sameQuantity, toMiB } from '#lib/k8s/quantity.ts';
import { cpuQuantity, memoryQuantity } from '#lib/k8s/vdc-objects.ts';
import { usageOf } from '#lib/vdcs/render.ts';

const Mi = 2 ** 20;
const Gi = 2 ** 30;

describe('parseQuantity', () => {
  it('reads binary suffixes as powers of 1024', () => {
    expect(parseQuantity('1Ki')).toBe(1024);
    expect(parseQuantity('2Gi')).toBe(2 * Gi);
    expect(parseQuantity('512Mi')).toBe(512 * Mi);
    expect(parseQuantity('1.5Gi')).toBe(1.5 * Gi);
    expect(parseQuantity('1Ti')).toBe(2 ** 40);
    expect(parseQuantity('1Pi')).toBe(2 ** 50);
    expect(parseQuantity('1Ei')).toBe(2 ** 60);
  });

  it('reads decimal suffixes as powers of 1000, including milli and smaller', () => {
    expect(parseQuantity('1500m')).toBe(1.5);
    expect(parseQuantity('250m')).toBe(0.25);
    expect(parseQuantity('1G')).toBe(1e9);
    expect(parseQuantity('1M')).toBe(1e6);
    expect(parseQuantity('3k')).toBe(3000);
    expect(parseQuantity('100u')).toBeCloseTo(1e-4, 12);
    expect(parseQuantity('5n')).toBeCloseTo(5e-9, 15);
    expect(parseQuantity('2')).toBe(2);
    expect(parseQuantity('0')).toBe(0);
  });

  it('reads exponents, signs and surrounding blanks', () => {
    expect(parseQuantity('1e3')).toBe(1000);
    expect(parseQuantity('12E-1')).toBeCloseTo(1.2, 12);
    expect(parseQuantity('+4')).toBe(4);
    expect(parseQuantity(' 2Gi ')).toBe(2 * Gi);
  });

  it("accepts Kubernetes' short decimals '1.' and '.5'", () => {
    expect(parseQuantity('1.')).toBe(1);
    expect(parseQuantity('.5Gi')).toBe(0.5 * Gi);
    expect(parseQuantity('-.5')).toBe(-0.5);
  });

  it('passes numbers through and answers undefined for absent values', () => {
    expect(parseQuantity(3)).toBe(3);
    expect(parseQuantity(undefined)).toBeUndefined();
    expect(parseQuantity(null)).toBeUndefined();
  });

  it('answers undefined for text that is not a quantity', () => {
    for (const bad of ['', 'Gi', 'abc', '1Gb', '1 GiB', '2gi', '.', '1.2.3', '1,5Gi', '1e', '${MEMORY}', '1Mi2']) {
      expect(parseQuantity(bad), bad).toBeUndefined();
    }
  });
});

describe('toMiB', () => {
  it("gives whole MiB (VCD's MB), rounding, and null for unknown", () => {
    expect(toMiB(2 * Gi)).toBe(2048);
    expect(toMiB(1.4 * Mi)).toBe(1);
    expect(toMiB(1.6 * Mi)).toBe(2);
    expect(toMiB(0)).toBe(0);
    expect(toMiB(undefined)).toBeNull();
  });
});

describe('cpuQuantity (VDC CPU limit → requests.cpu)', () => {
  it('divides MHz by the MHz per core and writes millicores', () => {
    expect(cpuQuantity(2000, 'MHz', 1000)).toBe('2000m');
    expect(cpuQuantity(3000, 'MHz', 2000)).toBe('1500m');
    expect(cpuQuantity(2400, 'MHz', 2400)).toBe('1000m');
    // Unknown units are treated as VCD's default, MHz.
    expect(cpuQuantity(500, 'whatever', 1000)).toBe('500m');
  });

  it('keeps at least one millicore for a tiny positive MHz limit', () => {
    expect(cpuQuantity(0.1, 'MHz', 1000)).toBe('1m');
  });

  it('converts GHz through MHz', () => {
    expect(cpuQuantity(2, 'GHz', 1000)).toBe('2000m');
    expect(cpuQuantity(3, 'GHz', 2000)).toBe('1500m');
  });

  it('takes cores and millicores as given', () => {
    expect(cpuQuantity(4, 'cores', 1000)).toBe('4');
    expect(cpuQuantity(750, 'millicores', 1000)).toBe('750m');
  });

  it('leaves the key out (undefined) for 0 = unlimited or a negative limit', () => {
    expect(cpuQuantity(0, 'MHz', 1000)).toBeUndefined();
    expect(cpuQuantity(0, 'cores', 1000)).toBeUndefined();
    expect(cpuQuantity(-1, 'MHz', 1000)).toBeUndefined();
  });
});

describe('memoryQuantity (VDC memory limit → requests.memory)', () => {
  it("writes VCD's MB (and MiB) as Mi, GB (and GiB) as Gi", () => {
    expect(memoryQuantity(4096, 'MB')).toBe('4096Mi');
    expect(memoryQuantity(4096, 'MiB')).toBe('4096Mi');
    expect(memoryQuantity(8, 'GB')).toBe('8Gi');
    expect(memoryQuantity(8, 'GiB')).toBe('8Gi');
  });

  it('leaves the key out for 0 = unlimited', () => {
    expect(memoryQuantity(0, 'MB')).toBeUndefined();
    expect(memoryQuantity(-5, 'GB')).toBeUndefined();
  });
});

describe('round trip (limit → quantity → usage in the VDC units)', () => {
  const cases: [number, string, number][] = [
    [2000, 'MHz', 1000], [3000, 'MHz', 2000], [5, 'GHz', 2500], [4, 'cores', 1000], [750, 'millicores', 1000],
  ];
  for (const [limit, units, mhz] of cases) {
    it(`gives back ${limit} ${units} for CPU (${mhz} MHz per core)`, () => {
      const q = cpuQuantity(limit, units, mhz)!;
      expect(usageOf({ 'requests.cpu': q, 'requests.memory': '0' }, units, 'MB', mhz)!.cpu).toBe(limit);
    });
  }

  for (const [limit, units] of [[4096, 'MB'], [8, 'GB'], [1536, 'MiB'], [3, 'GiB']] as const) {
    it(`gives back ${limit} ${units} for memory`, () => {
      const q = memoryQuantity(limit, units)!;
      expect(usageOf({ 'requests.cpu': '0', 'requests.memory': q }, 'MHz', units, 1000)!.memory).toBe(limit);
    });
  }

  it('reads what the quota controller reports in other suffixes (decimal G, plain cores)', () => {
    // 2 cores used at 1000 MHz per core = 2000 MHz; 1G = 953.674 MiB.
    expect(usageOf({ 'requests.cpu': '2', 'requests.memory': '1G' }, 'MHz', 'MB', 1000)).toEqual({ cpu: 2000, memory: 953.674 });
    expect(usageOf({ 'requests.cpu': '1500m', 'requests.memory': '1536Mi' }, 'cores', 'GB', 1000)).toEqual({ cpu: 1.5, memory: 1.5 });
  });

  it('counts an unreadable or absent quantity as zero and no report as no usage', () => {
    expect(usageOf({ 'requests.cpu': 'lots' }, 'MHz', 'MB', 1000)).toEqual({ cpu: 0, memory: 0 });
    expect(usageOf(undefined, 'MHz', 'MB', 1000)).toBeUndefined();
  });
});

describe('sameQuantity', () => {
  it('compares amounts, not strings, as a real API server canonicalizes them', () => {
    expect(sameQuantity('10240Mi', '10Gi')).toBe(true);
    expect(sameQuantity('2000m', '2')).toBe(true);
    expect(sameQuantity('1000', '1k')).toBe(true);
    expect(sameQuantity('1500m', '1.5')).toBe(true);
    expect(sameQuantity('10Gi', '10G')).toBe(false);
    expect(sameQuantity('2', '3')).toBe(false);
  });

  it('treats a key present on one side only, or unparseable values, by their text', () => {
    expect(sameQuantity(undefined, undefined)).toBe(true);
    expect(sameQuantity('1Gi', undefined)).toBe(false);
    expect(sameQuantity('lots', 'lots')).toBe(true);
    expect(sameQuantity('lots', '1')).toBe(false);
  });
});
