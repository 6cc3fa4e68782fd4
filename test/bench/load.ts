// Load from this process with autocannon. Each request is built by `next()`: its body and its
// Authorization header, so one run can rotate through many users (distinct tokens).
import autocannon from "autocannon";

export const BENCH_SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
export const BENCH_CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);

export interface Figures {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  requests: number;
}

export interface Request {
  authorization: string;
  body: string;
}

export interface LoadOptions {
  /** A steady rate over all connections (open loop), instead of as fast as answers come. */
  rate?: number;
  seconds?: number;
  connections?: number;
}

export interface RunningLoad {
  done: Promise<Figures>;
  stop(): void;
}

export function startLoad(url: string, next: () => Request, opts: LoadOptions = {}): RunningLoad {
  let instance: { stop(): void } | undefined;
  const done = new Promise<Figures>((resolve, reject) => {
    instance = autocannon(
      {
        url,
        method: "POST",
        headers: { "content-type": "application/json" },
        connections: opts.connections ?? BENCH_CONNECTIONS,
        duration: opts.seconds ?? BENCH_SECONDS,
        ...(opts.rate ? { overallRate: opts.rate } : {}),
        // A 200 with GraphQL errors is a failed request too (a subgraph down, a limit hit).
        verifyBody: (body) => !String(body).includes('"errors":['),
        requests: [
          {
            setupRequest: (req) => {
              const r = next();
              return { ...req, headers: { ...req.headers, authorization: r.authorization }, body: r.body };
            },
          },
        ],
      },
      (err, result) => {
        if (err) return reject(err);
        resolve({
          rps: result.requests.average,
          p50: result.latency.p50,
          p99: result.latency.p99,
          errors: result.errors + result.non2xx + result.mismatches,
          requests: result.requests.total,
        });
      },
    ) as unknown as { stop(): void };
  });
  return { done, stop: () => instance?.stop() };
}

export const load = (url: string, next: () => Request, opts: LoadOptions = {}): Promise<Figures> => startLoad(url, next, opts).done;

/** Round robin over a fixed list of requests. */
export function rotate(requests: Request[]): () => Request {
  let k = 0;
  return () => requests[k++ % requests.length]!;
}

export const percentile = (sorted: number[], p: number): number =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : Number.NaN;
