import { gzipSync } from "node:zlib";
import type express from "express";
import { renderGraphiQL } from "@graphql-yoga/render-graphiql";

/** What the IDE's Headers tab shows until the user pastes the header `pnpm sign-in` prints. */
export const PLACEHOLDER_TOKEN = "<paste the output of: pnpm sign-in --role admin>";

// Stands in the page options (which are JSON) for the browser code below, swapped in afterwards.
const BROWSER_CODE_MARKER = "__MES_IDE_ON_EDIT_HEADERS__";

/**
 * Runs in the browser before GraphiQL renders and returns its `onEditHeaders` handler.
 * - GraphiQL fetches the schema once, with the headers of that moment (the placeholder: 401), and
 *   never again on its own: Docs and autocomplete stayed broken after pasting a token. When the
 *   headers change and parse as JSON, this presses GraphiQL's own "Re-fetch GraphQL schema" button
 *   (the action behind Shift-Ctrl-R), which introspects with the current headers.
 * - The placeholder is not a token: requests carrying it go without Authorization, so the schema
 *   loads before sign-in (the gateway lets its IDE introspect anonymously).
 */
const BROWSER_CODE = `(function () {
  var placeholder = ${JSON.stringify(PLACEHOLDER_TOKEN)};
  var pageFetch = window.fetch.bind(window);
  window.fetch = function (input, init) {
    var headers = init && init.headers;
    if (headers && !(headers instanceof Headers) && typeof headers === "object") {
      var kept = {};
      Object.keys(headers).forEach(function (name) {
        var value = headers[name];
        if (!(name.toLowerCase() === "authorization" && String(value).indexOf(placeholder) >= 0)) kept[name] = value;
      });
      init = Object.assign({}, init, { headers: kept });
    }
    return pageFetch(input, init);
  };
  var timer = null;
  var fetchedWith = null;
  function refetchSchema(headers) {
    var button = document.querySelector('button[aria-label^="Re-fetch GraphQL schema"]');
    // Not rendered yet, or an introspection is running: try again shortly with the latest headers.
    if (!button || button.disabled) return schedule(headers, 500);
    fetchedWith = headers;
    button.click();
  }
  function schedule(headers, delay) {
    clearTimeout(timer);
    timer = setTimeout(function () {
      try {
        JSON.parse(headers.trim() || "{}");
      } catch (e) {
        return; // half-typed JSON: wait for the next edit
      }
      if (headers !== fetchedWith) refetchSchema(headers);
    }, delay);
  }
  return function onEditHeaders(headers) {
    schedule(String(headers || ""), 400);
  };
})()`;

/**
 * GraphiQL served by the gateway itself: the bundle ships inside the npm package, so the IDE works
 * on an air-gapped plant network (Apollo's landing pages load from a CDN).
 */
export function mountIde(app: express.Express, endpoint: string): void {
  const html = idePage(endpoint);
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

/** The IDE's HTML page for a GraphQL endpoint. */
export function idePage(endpoint: string): string {
  const html = renderGraphiQL({
    title: "MES graph",
    endpoint,
    defaultQuery: DEFAULT_QUERY,
    headerEditorEnabled: true,
    // Every request needs a token: `pnpm sign-in --role admin` prints one for the demo data.
    headers: JSON.stringify({ Authorization: `Bearer ${PLACEHOLDER_TOKEN}` }, null, 2),
    shouldPersistHeaders: true,
    // Subscriptions run over graphql-ws on the same endpoint.
    subscriptionsProtocol: "WS",
    onEditHeaders: BROWSER_CODE_MARKER,
  } as unknown as Parameters<typeof renderGraphiQL>[0]);
  const parts = html.split(JSON.stringify(BROWSER_CODE_MARKER));
  // Exactly one place: the options object of the render call.
  if (parts.length !== 2) throw new Error("the GraphiQL page changed shape: cannot install the IDE's header handling");
  return parts.join(BROWSER_CODE);
}

const DEFAULT_QUERY = `# Welcome to the MES graph. Run this query with the play button (Ctrl+Enter).
query PlantOverview {
  plants {
    name
    timeZone
    currentShift { name startsAt endsAt }
    machines(state: [DOWN, MAINTENANCE]) { code name state stateSince }
  }
  workOrders(status: [IN_PROGRESS, ON_HOLD], limit: 5) {
    totalCount
    items {
      number
      status
      dueDate
      product { code name }
      operations { sequence name status machine { code state } }
      inspections(limit: 5) { items { result inspectedAt } }
    }
  }
}
`;
