import pg from "pg";

/**
 * Everything about a database's public schema that a Prisma migration can change: tables and
 * columns with types, nullability and defaults; indexes; constraints; enum values.
 */
export async function catalogSnapshot(url: string): Promise<Record<string, string[]>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const rows = async (sql: string) => (await client.query<{ line: string }>(sql)).rows.map((r) => r.line);
    return {
      columns: await rows(`SELECT concat_ws(' ', table_name, column_name, udt_name, is_nullable, column_default,
          character_maximum_length, numeric_precision, numeric_scale) AS line
        FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations' ORDER BY 1`),
      indexes: await rows(`SELECT indexdef AS line FROM pg_indexes WHERE schemaname = 'public' AND tablename <> '_prisma_migrations' ORDER BY 1`),
      constraints: await rows(`SELECT concat_ws(' ', c.conrelid::regclass, c.conname, pg_get_constraintdef(c.oid)) AS line
        FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
        WHERE n.nspname = 'public' AND c.conrelid::regclass::text <> '_prisma_migrations'
          AND c.contype <> 't' -- constraint triggers (mes_reference) are the kit's SQL, not Prisma's
        ORDER BY 1`),
      enums: await rows(`SELECT concat_ws(' ', t.typname, string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder)) AS line
        FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid GROUP BY t.typname ORDER BY 1`),
    };
  } finally {
    await client.end();
  }
}

export async function executeScript(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
