import fs from "node:fs";
import path from "node:path";

/** The README's permission table: mutation name -> roles (sorted). */
export function readPermissionTable(): Record<string, string[]> {
  const readme = fs.readFileSync(path.resolve(import.meta.dirname, "..", "..", "README.md"), "utf8");
  const section = readme.split("<!-- permissions:start -->")[1]?.split("<!-- permissions:end -->")[0];
  if (!section) throw new Error("README.md has no permission table between <!-- permissions:start --> and <!-- permissions:end -->");
  const table: Record<string, string[]> = {};
  for (const line of section.split("\n")) {
    const cells = line.split("|").map((c) => c.trim());
    const name = /^`(\w+)`$/.exec(cells[2] ?? "")?.[1];
    if (name)
      table[name] = cells[3]!
        .split(",")
        .map((r) => r.trim())
        .filter(Boolean)
        .sort();
  }
  return table;
}
