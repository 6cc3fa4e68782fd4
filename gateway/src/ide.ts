import { gzipSync } from "node:zlib";
import type express from "express";
import { renderGraphiQL } from "@graphql-yoga/render-graphiql";

/**
 * GraphiQL served by the gateway itself: the bundle ships inside the npm package, so the IDE works
 * on an air-gapped plant network (Apollo's landing pages load from a CDN).
 */
export function mountIde(app: express.Express, endpoint: string): void {
  const html = renderGraphiQL({
    title: "MES graph",
    endpoint,
    defaultQuery: DEFAULT_QUERY,
    headerEditorEnabled: true,
    // Every request needs a token: `pnpm sign-in --role admin` prints one for the demo data.
    headers: JSON.stringify({ Authorization: "Bearer <paste the output of: pnpm sign-in --role admin>" }, null, 2),
    shouldPersistHeaders: true,
    // Subscriptions run over graphql-ws on the same endpoint.
    subscriptionsProtocol: "WS",
  } as Parameters<typeof renderGraphiQL>[0]);
  // The page inlines the whole IDE (~9 MB); compressed once, it is ~2 MB over plant Wi-Fi.
  const gzipped = gzipSync(html);
  const serve: express.RequestHandler = (req, res, next) => {
    // Only browsers asking for a page get the IDE; GraphQL GET requests go on to the server.
    if (req.method !== "GET" || req.query.query !== undefined || !req.accepts("html") || req.accepts(["json", "html"]) === "json") return next();
    res.type("html").vary("Accept-Encoding");
    if (req.acceptsEncodings("gzip")) res.set("Content-Encoding", "gzip").send(gzipped);
    else res.send(html);
  };
  app.get("/", (_req, res) => res.redirect(endpoint));
  app.get(endpoint, serve);
}

const DEFAULT_QUERY = `# Welcome to the MES graph. Run this query with the play button (Ctrl+Enter).
query PlantOverview {
  plants {
    name
    timeZone
    currentShift { name startsAt endsAt }
    machines(state: [DOWN, MAINTENANCE]) { code name state stateSince }
  }
  workOrders(filter: { status: [IN_PROGRESS, ON_HOLD] }, limit: 5) {
    totalCount
    items {
      number
      status
      dueDate
      product { code name }
      operations { sequence name status machine { code state } }
      inspections { result inspectedAt }
    }
  }
}
`;
