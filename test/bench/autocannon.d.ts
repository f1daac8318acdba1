// The subset of autocannon's programmatic API the benchmark uses (the package ships no types).
declare module 'autocannon' {
  export interface Histogram { average: number; mean: number; stddev: number; min: number; max: number; p50: number; p90: number; p97_5: number; p99: number; total: number }
  export interface Result {
    requests: Histogram; latency: Histogram; throughput: Histogram;
    errors: number; timeouts: number; non2xx: number; duration: number;
    statusCodeStats?: Record<string, { count: number }>;
  }
  export interface Options {
    url: string; connections?: number; duration?: number; pipelining?: number; method?: string;
    headers?: Record<string, string>; body?: string;
  }
  function autocannon(opts: Options): Promise<Result>;
  export default autocannon;
}
