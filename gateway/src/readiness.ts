import type { ReadinessReport } from "@mes/shared";

type Check = { ok: boolean; detail?: string };

async function probe(url: string, timeoutMs: number): Promise<Check> {
  const readyUrl = url.replace(/\/graphql\/?$/, "/ready");
  try {
    const res = await fetch(readyUrl, { signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    return res.ok ? { ok: true } : { ok: false, detail: `${readyUrl} answered ${res.status} (not ready)` };
  } catch (err) {
    const cause = (err as Error & { cause?: { code?: unknown } }).cause?.code;
    const why = `${(err as Error).message}${typeof cause === "string" ? ` (${cause})` : ""}`;
    return { ok: false, detail: `${readyUrl}: ${why}; its fields answer SUBGRAPH_UNAVAILABLE` };
  }
}

/**
 * What the gateway's `/ready` means: this gateway can serve. Its schema is loaded (startGateway
 * fails otherwise) and it accepts requests, so it answers 200 until it is told to stop (then 503,
 * from the server). Subgraphs are reported in the body, one check each, but never decide the
 * status: every gateway replica sees the same subgraphs, so a readiness probe that failed with one
 * of them would take every gateway out of the load balancer at once, turning one subgraph's outage
 * (which costs only its own fields, answered null with SUBGRAPH_UNAVAILABLE) into a total one.
 * Probes are short and their answers reused for a second, so a probe of the gateway stays cheap
 * and quick however many subgraphs hang.
 */
export function gatewayReadiness(urls: Record<string, string>, probeTimeoutMs = 500, reuseMs = 1000): () => Promise<ReadinessReport> {
  let last: { at: number; checks: Promise<Record<string, Check>> } | null = null;
  return async () => {
    if (!last || Date.now() - last.at > reuseMs) {
      const checks = Promise.all(Object.entries(urls).map(async ([name, url]) => [name, await probe(url, probeTimeoutMs)] as const)).then((entries) =>
        Object.fromEntries(entries),
      );
      last = { at: Date.now(), checks };
    }
    const subgraphs = await last.checks;
    return { ready: true, checks: { schema: { ok: true, detail: "supergraph loaded; serving" }, ...subgraphs } };
  };
}
