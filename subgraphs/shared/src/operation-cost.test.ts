import { buildSchema, Kind, parse, type OperationDefinitionNode } from "graphql";
import { describe, expect, it } from "vitest";
import { operationCost } from "./operation-cost.ts";

const schema = buildSchema(`
  type Query { plants: [Plant!]! orders(limit: Int = 25): OrderPage! plant(id: ID!): Plant }
  type Plant { id: ID! machines: [Machine!]! }
  type Machine { id: ID! plant: Plant! }
  type OrderPage { items: [Order!]! totalCount: Int! }
  type Order { number: String! operations: [Operation!]! }
  type Operation { sequence: Int! }
`);
const limits = { defaultListSize: 10, maxListSize: 100 };
const cost = (query: string, variables?: Record<string, unknown>) => {
  const document = parse(query);
  const operation = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION) as OperationDefinitionNode;
  return operationCost(schema, document, operation, limits, variables);
};

describe("operation cost", () => {
  it("counts a field once per time it resolves: lists multiply what is under them", () => {
    // plants(1) + 10 x (id + machines) + 10 x 10 x id
    expect(cost(`{ plants { id machines { id } } }`)).toEqual({ cost: 1 + 10 * 2 + 100, depth: 3 });
  });

  it("takes a page's items from the page's limit, a literal or a variable's value", () => {
    // orders + totalCount + items + 5 x (number + operations) + 5 x 10 x sequence
    expect(cost(`{ orders(limit: 5) { totalCount items { number operations { sequence } } } }`).cost).toBe(3 + 5 * 2 + 50);
    expect(cost(`query($n: Int) { orders(limit: $n) { items { number } } }`, { n: 2 }).cost).toBe(2 + 2);
    // Unknown at validation: assumed at its maximum; absent: the argument's default.
    expect(cost(`query($n: Int) { orders(limit: $n) { items { number } } }`).cost).toBe(2 + 100);
    expect(cost(`{ orders { items { number } } }`).cost).toBe(2 + 25);
  });

  it("counts a nested page by its own limit, under each item of the page above it", () => {
    const withHistory = buildSchema(`
      type Query { machines(limit: Int = 25): MachinePage! }
      type MachinePage { items: [Machine!]! totalCount: Int! }
      type Machine { code: String! downtimes(limit: Int = 25): DowntimePage! }
      type DowntimePage { items: [Downtime!]! totalCount: Int! }
      type Downtime { id: ID! }
    `);
    const of = (query: string) => {
      const document = parse(query);
      return operationCost(withHistory, document, document.definitions[0] as OperationDefinitionNode, limits).cost;
    };
    // machines + items + 40 x (code + downtimes + totalCount + items) + 40 x 3 x id
    expect(of(`{ machines(limit: 40) { items { code downtimes(limit: 3) { totalCount items { id } } } } }`)).toBe(2 + 40 * 4 + 40 * 3);
    // Without a limit, the nested page's default (25), not the default list size.
    expect(of(`{ machines(limit: 40) { items { downtimes { items { id } } } } }`)).toBe(2 + 40 * 2 + 40 * 25);
  });

  it("grows geometrically with nested lists, so a deep cycle through lists is refused early", () => {
    const nested = cost(`{ plants { machines { plant { machines { plant { machines { id } } } } } } }`);
    // plants 1, machines 10, plant 100, machines 100, plant 1000, machines 1000, id 10,000
    expect(nested).toEqual({ cost: 12_211, depth: 7 });
  });

  it("follows fragments and ignores introspection fields", () => {
    expect(cost(`{ plants { ...P __typename } } fragment P on Plant { id machines { id } }`).cost).toBe(1 + 10 * 2 + 100);
  });
});
