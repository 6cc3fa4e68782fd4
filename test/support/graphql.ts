export interface GraphQLResponse<T> {
  status: number;
  headers: Headers;
  data?: T;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> & { code?: string } }[];
}

import { bearer, currentCaller } from "./auth.ts";

/**
 * POSTs one GraphQL operation, as any client would, with the test file's caller's token unless
 * the headers give an authorization (an empty one sends none).
 */
export async function graphql<T = Record<string, any>>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<T>> {
  const auth = "authorization" in headers ? {} : await bearer(currentCaller());
  const sent = Object.fromEntries(Object.entries({ ...auth, ...headers }).filter(([, v]) => v !== ""));
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...sent },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: GraphQLResponse<T>["errors"] };
  return { status: res.status, headers: res.headers, data: body.data ?? undefined, errors: body.errors };
}

/** Like graphql(), but fails the test on any error and returns the data. */
export async function mustQuery<T = Record<string, any>>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<T> {
  const res = await graphql<T>(url, query, variables, headers);
  if (res.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(res.errors, null, 2)}`);
  return res.data!;
}
