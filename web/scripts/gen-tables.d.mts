// Types of gen-tables.mjs's exports, for its unit test; no code of its own.
export function tokenize(text: string): { t: string; v: string }[];
export function tablesOf(
  text: string,
  file?: string,
): { name: string; description: string; aliases: string[]; columns: { name: string; type: string; description: string; hidden: boolean }[] }[];
