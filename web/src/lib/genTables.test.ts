// The table-list generator reads the C++ declaration forms the tables use.
import { describe, expect, it } from "vitest";
import { tablesOf } from "../../scripts/gen-tables.mjs";

const SOURCE = `
void Register(TableRegistry& r) {
  auto big = [](const char* name, const char* description) {
    return Column{name, ColumnType::kBigInt, kNone, "", description};
  };
  r.Add(TableSchema{"demo",
                    "A demo " // joined
                    "table.",
                    {{"name", ColumnType::kText, kNone, "", "The name"},
                     {"hid", ColumnType::kInteger, kHidden | kAdditional, "", "Hidden one"},
                     big("count", "How many"),
                     {"old", ColumnType::kText, kNone, "", "Old", {"older"}}},
                    {"demo_alias"}},
        Generate);
}`;

describe("gen-tables", () => {
  it("reads names, descriptions, types, hidden flags, helpers and aliases", () => {
    expect(tablesOf(SOURCE)).toEqual([
      {
        name: "demo",
        description: "A demo table.",
        aliases: ["demo_alias"],
        columns: [
          { name: "name", type: "TEXT", description: "The name", hidden: false },
          { name: "hid", type: "INTEGER", description: "Hidden one", hidden: true },
          { name: "count", type: "BIGINT", description: "How many", hidden: false },
          { name: "old", type: "TEXT", description: "Old", hidden: false },
        ],
      },
    ]);
  });
});
