import { createPublicKey, type KeyObject } from "node:crypto";
import type http from "node:http";
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, SignJWT, type JWTPayload, type JWTVerifyGetKey } from "jose";
import { GraphQLError } from "graphql";
import { z } from "zod";
import { unauthenticated } from "./errors.ts";

/** The roles a token may carry; each mutation declares which of them may call it (@allow). */
export const ROLES = ["ADMIN", "PLANNER", "SUPERVISOR", "OPERATOR", "QUALITY", "MAINTENANCE", "VIEWER"] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling, as the verified token says. */
export interface Identity {
  userId: string;
  organizationId: string;
  /** The plants the caller may see and act in; null means every plant of the organization. */
  plantIds: readonly string[] | null;
  roles: readonly Role[];
  /** The bearer token itself, forwarded unchanged from the gateway to subgraphs. */
  token: string;
  /** Seconds since the epoch. */
  expiresAt: number | null;
}

// DEVELOPMENT ONLY. The launcher, tests and `pnpm sign-in` sign with this when AUTH_DEV_SECRET is not
// set; a service with NODE_ENV=production refuses HS256 secrets altogether.
export const DEVELOPMENT_AUTH_SECRET = "mes-development-only-hs256-secret-never-use-in-production";
export const DEVELOPMENT_ISSUER = "mes-dev";
// DEVELOPMENT ONLY: the subgraphs' shared secret for their internal /events feeds on one machine.
export const DEVELOPMENT_EVENT_FEED_TOKEN = "mes-development-only-event-feed-token";

export const authEnv = {
  /** The identity provider's JWKS (RS256/ES256), e.g. https://idp.example.com/.well-known/jwks.json */
  AUTH_JWKS_URL: z.url({ error: "must be the identity provider's JWKS URL" }).optional(),
  /** A PEM public key (RS256 or ES256), as an alternative to a JWKS URL. */
  AUTH_PUBLIC_KEY: z.string().min(1).optional(),
  /** HS256 shared secret, development and tests only. */
  AUTH_DEV_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  AUTH_ISSUER: z.string().min(1).optional(),
  AUTH_AUDIENCE: z.string().min(1).optional(),
  /** The longest a token may live (exp - iat); a token signed for longer is refused. */
  AUTH_MAX_TOKEN_LIFETIME_HOURS: z.coerce.number().min(0.1, "must be at least 0.1 hours").max(720, "must be at most 720 hours (30 days)").default(24),
  /** How far clocks of the identity provider and this service may disagree, for exp, nbf and iat. */
  AUTH_CLOCK_SKEW_SECONDS: z.coerce.number().int().min(0).max(600, "must be at most 600 seconds").default(60),
};

export interface AuthConfig {
  NODE_ENV: "development" | "test" | "production";
  AUTH_JWKS_URL?: string | undefined;
  AUTH_PUBLIC_KEY?: string | undefined;
  AUTH_DEV_SECRET?: string | undefined;
  AUTH_ISSUER?: string | undefined;
  AUTH_AUDIENCE?: string | undefined;
  AUTH_MAX_TOKEN_LIFETIME_HOURS?: number | undefined;
  AUTH_CLOCK_SKEW_SECONDS?: number | undefined;
}

/** One line per problem, like other configuration errors; checked when a service starts. */
export function authConfigProblems(config: AuthConfig): string[] {
  const sources = [config.AUTH_JWKS_URL, config.AUTH_PUBLIC_KEY, config.AUTH_DEV_SECRET].filter(Boolean).length;
  if (sources === 0) return ["AUTH_JWKS_URL, AUTH_PUBLIC_KEY or (development only) AUTH_DEV_SECRET: one is required to verify tokens"];
  if (sources > 1) return ["AUTH_JWKS_URL, AUTH_PUBLIC_KEY, AUTH_DEV_SECRET: set only one"];
  if (config.AUTH_DEV_SECRET && config.NODE_ENV === "production")
    return ["AUTH_DEV_SECRET: HS256 shared secrets are refused in production; use AUTH_JWKS_URL or AUTH_PUBLIC_KEY"];
  return [];
}

const claims = z.object({
  sub: z.string().min(1, "sub (the user id) is required").max(128),
  org: z.uuid({ error: "org must be the organization's id" }),
  plants: z.union([z.literal("*"), z.array(z.uuid({ error: "plants must be plant ids" })).max(1000)]),
  roles: z
    .array(
      z
        .string()
        .transform((r) => r.toUpperCase())
        .pipe(z.enum(ROLES, { error: `roles must be among ${ROLES.join(", ")}` })),
    )
    .min(1, "roles must name at least one role"),
});

export type TokenVerifier = (token: string) => Promise<Identity>;

/**
 * Verifies bearer tokens: signature (JWKS, public key or the development secret), expiry, issuer
 * and audience when configured, then our claims. Verified tokens are remembered until they expire,
 * because the gateway and every subgraph fetch of one request check the same token.
 */
export function createTokenVerifier(config: AuthConfig): TokenVerifier {
  const problems = authConfigProblems(config);
  if (problems.length) throw new Error(problems.join("; "));
  let key: Uint8Array | KeyObject | JWTVerifyGetKey;
  let algorithms: string[];
  if (config.AUTH_JWKS_URL) {
    key = createRemoteJWKSet(new URL(config.AUTH_JWKS_URL));
    algorithms = ["RS256", "ES256"];
  } else if (config.AUTH_PUBLIC_KEY) {
    const publicKey = createPublicKey(config.AUTH_PUBLIC_KEY.replace(/\\n/g, "\n"));
    key = publicKey;
    algorithms = publicKey.asymmetricKeyType === "ec" ? ["ES256"] : ["RS256"];
  } else {
    key = new TextEncoder().encode(config.AUTH_DEV_SECRET);
    algorithms = ["HS256"];
  }
  const maxLifetimeSeconds = Math.round((config.AUTH_MAX_TOKEN_LIFETIME_HOURS ?? 24) * 3600);
  const skew = config.AUTH_CLOCK_SKEW_SECONDS ?? 60;
  const cache = new Map<string, Identity>();
  return async (token) => {
    const cached = cache.get(token);
    if (cached && (cached.expiresAt === null || cached.expiresAt * 1000 > Date.now())) return cached;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, key as Uint8Array, {
        algorithms,
        ...(config.AUTH_ISSUER ? { issuer: config.AUTH_ISSUER } : {}),
        ...(config.AUTH_AUDIENCE ? { audience: config.AUTH_AUDIENCE } : {}),
        // Every token must say when it was issued and when it ends: none lives for ever.
        requiredClaims: ["exp", "iat"],
        // Issued no longer ago than the maximum lifetime, and not in the future (beyond the skew).
        maxTokenAge: maxLifetimeSeconds,
        clockTolerance: skew,
      }));
      if ((payload.exp ?? 0) - (payload.iat ?? 0) > maxLifetimeSeconds + skew) {
        throw unauthenticated(
          `The token lives longer than the ${maxLifetimeSeconds / 3600} hours allowed (AUTH_MAX_TOKEN_LIFETIME_HOURS); sign in again`,
        );
      }
    } catch (err) {
      if (err instanceof GraphQLError) throw err;
      if (err instanceof joseErrors.JWTExpired) throw unauthenticated("The token has expired; sign in again");
      if (err instanceof joseErrors.JWTClaimValidationFailed) throw unauthenticated(`The token was not accepted: ${err.message}`);
      throw unauthenticated("The token is not valid (bad signature, algorithm or format)");
    }
    const parsed = claims.safeParse(payload);
    if (!parsed.success) throw unauthenticated(`The token lacks required claims: ${parsed.error.issues.map((i) => i.message).join("; ")}`);
    const identity: Identity = {
      userId: parsed.data.sub,
      // UUIDs in one spelling (lower case, as PostgreSQL prints them): tenant checks, visibility
      // keys and the read cache compare them as strings.
      organizationId: parsed.data.org.toLowerCase(),
      plantIds: parsed.data.plants === "*" ? null : [...new Set(parsed.data.plants.map((p) => p.toLowerCase()))],
      roles: [...new Set(parsed.data.roles)],
      token,
      expiresAt: payload.exp ?? null,
    };
    if (cache.size >= 5000) cache.clear();
    cache.set(token, identity);
    return identity;
  };
}

/** The bearer token of an HTTP request or of graphql-ws connection parameters, if any. */
export function bearerToken(value: unknown): string | null {
  const header = Array.isArray(value) ? value[0] : value;
  if (typeof header !== "string") return null;
  const match = /^Bearer\s+([A-Za-z0-9._~+/=-]+)$/i.exec(header.trim());
  return match ? match[1]! : null;
}

export function requestToken(req: http.IncomingMessage): string | null {
  return bearerToken(req.headers.authorization);
}

export function connectionToken(params: Record<string, unknown> | undefined | null): string | null {
  return bearerToken(params?.authorization ?? params?.Authorization);
}

export interface DevelopmentTokenClaims {
  userId: string;
  organizationId: string;
  plantIds: readonly string[] | null;
  roles: readonly Role[];
  ttlSeconds?: number;
}

/** Signs an HS256 token with the development secret (demo data, tests, `pnpm sign-in`). */
export async function signDevelopmentToken(
  claims: DevelopmentTokenClaims,
  secret = DEVELOPMENT_AUTH_SECRET,
  issuer = DEVELOPMENT_ISSUER,
): Promise<string> {
  return new SignJWT({ org: claims.organizationId, plants: claims.plantIds ?? "*", roles: claims.roles })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(claims.userId)
    .setIssuer(issuer)
    .setIssuedAt()
    .setExpirationTime(`${claims.ttlSeconds ?? 8 * 3600}s`)
    .sign(new TextEncoder().encode(secret));
}
