import parsePrometheusTextFormat, { type PrometheusFamily, type PrometheusSample } from "parse-prometheus-text-format";

export type { PrometheusFamily, PrometheusSample };

/** A scrape parsed by a Prometheus text-format parser, by family name. */
export type Scrape = Map<string, PrometheusFamily>;

/** GETs a /metrics URL and parses it; throws unless it answers 200 in Prometheus text format. */
export async function scrape(url: string, headers: Record<string, string> = {}): Promise<Scrape> {
  // Once more on a connection failure: a keep-alive connection the server was closing as it was
  // reused (the test process shares one connection pool with every service it runs).
  const get = () => fetch(url, { headers });
  const res = await get()
    .catch(get)
    .catch((err: Error) => {
      throw new Error(`GET ${url} failed: ${(err.cause as Error | undefined)?.message ?? err.message}`);
    });
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}: ${await res.text()}`);
  const type = res.headers.get("content-type") ?? "";
  if (!type.startsWith("text/plain")) throw new Error(`${url} answered ${type}, not the Prometheus text format`);
  const text = await res.text();
  const families = new Map(parsePrometheusTextFormat(text).map((f) => [f.name, f]));
  // The parser keeps no labels of a labelled histogram's samples (it merges them into one). Read
  // without their TYPE lines, a histogram's _bucket, _sum and _count series come back as families
  // of their own, labels and all: one run of lines per label set, gathered here by name.
  const untypedHistograms = text.replace(/^# TYPE \S+ histogram$/gm, "");
  const series = new Map<string, PrometheusFamily>();
  for (const f of parsePrometheusTextFormat(untypedHistograms)) {
    if (families.has(f.name)) continue;
    const seen = series.get(f.name);
    if (seen) seen.metrics.push(...f.metrics);
    else series.set(f.name, { ...f, metrics: [...f.metrics] });
  }
  return new Map([...families, ...series]);
}

/** The family's samples whose labels include `labels`. */
export function samples(s: Scrape, name: string, labels: Record<string, string> = {}): PrometheusSample[] {
  const family = s.get(name);
  if (!family) throw new Error(`no metric family ${name} (have: ${[...s.keys()].join(", ")})`);
  return family.metrics.filter((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
}

/** The sum of a counter's or gauge's matching samples (for a histogram, ask for its `<name>_count`); 0 when none. */
export function total(s: Scrape, name: string, labels: Record<string, string> = {}): number {
  if (!s.has(name)) return 0; // a labelled series appears with its first observation
  return samples(s, name, labels).reduce((sum, m) => sum + Number(m.value ?? 0), 0);
}
