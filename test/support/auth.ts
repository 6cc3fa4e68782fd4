import { DEMO_ORGANIZATION_ID, signDevelopmentToken, type Role } from "@mes/shared";

// Test-only key material: the suites sign their own HS256 tokens, as an identity provider would.
export const TEST_AUTH_SECRET = "test-only-hs256-secret-for-the-mes-suites-0123456789";
export const TEST_FEED_TOKEN = "test-only-event-feed-token-0123456789";
export const TEST_AUTH_ENV = { AUTH_DEV_SECRET: TEST_AUTH_SECRET, AUTH_ISSUER: "mes-test" } as const;

export interface TestCaller {
  userId?: string;
  organizationId?: string;
  /** null: every plant of the organization. */
  plantIds?: string[] | null;
  roles?: Role[];
  ttlSeconds?: number;
}

/** A signed token for a test caller (an administrator of the demo organization by default). */
export function tokenFor(caller: TestCaller = {}): Promise<string> {
  return signDevelopmentToken(
    {
      userId: caller.userId ?? "test.admin",
      organizationId: caller.organizationId ?? DEMO_ORGANIZATION_ID,
      plantIds: caller.plantIds === undefined ? null : caller.plantIds,
      roles: caller.roles ?? ["ADMIN"],
      ...(caller.ttlSeconds ? { ttlSeconds: caller.ttlSeconds } : {}),
    },
    TEST_AUTH_SECRET,
    "mes-test",
  );
}

export async function bearer(caller: TestCaller = {}): Promise<{ authorization: string }> {
  return { authorization: `Bearer ${await tokenFor(caller)}` };
}

let current: TestCaller = {};

/** Who the test file's requests act as by default (graphql(), mustQuery(), subscriptions). */
export function actAs(caller: TestCaller): void {
  current = caller;
}

export function currentCaller(): TestCaller {
  return current;
}

/** An ES256 key pair, as an identity provider would hold: the public half configures a service. */
export async function identityProviderKeys() {
  const { generateKeyPair, exportSPKI, exportJWK, SignJWT } = await import("jose");
  const { publicKey, privateKey } = await generateKeyPair("ES256", { extractable: true });
  return {
    publicKeyPem: await exportSPKI(publicKey),
    publicJwk: { ...(await exportJWK(publicKey)), kid: "test-key-1", alg: "ES256", use: "sig" },
    sign: (claims: { sub: string; org: string; plants: string[] | "*"; roles: string[] }, opts: { issuer?: string; expiresIn?: string } = {}) =>
      new SignJWT({ org: claims.org, plants: claims.plants, roles: claims.roles })
        .setProtectedHeader({ alg: "ES256", kid: "test-key-1" })
        .setSubject(claims.sub)
        .setIssuedAt()
        .setIssuer(opts.issuer ?? "https://idp.test")
        .setExpirationTime(opts.expiresIn ?? "1h")
        .sign(privateKey),
  };
}
