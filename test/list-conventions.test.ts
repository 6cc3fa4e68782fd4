import { operationCost } from "@mes/shared";
import {
  Kind,
  parse,
  type OperationDefinitionNode,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLOutputType,
} from "graphql";
import { describe, expect, it } from "vitest";
import { apiSchema } from "./support/schema-walk.ts";

// Issue 17: one convention for lists, filters and sorting across the graph, read from the composed
// API schema so that a list added later is held to it too. Each check collects every offending
// coordinate, so a failure names all the fields to fix at once.

const schema = apiSchema();
const ROOTS = new Set(["Mutation", "Subscription"]);

/** Where `plantId: ID!` is right: a per-plant calculation or calendar, or a business key unique per plant. */
const PLANT_REQUIRED = new Set([
  "Query.schedule",
  "Query.productionKpis",
  "Query.ncrDefectSummary",
  "Query.firstPassYield",
  "Query.shifts",
  "Query.shiftAt",
  "Query.productByCode",
  "Query.machineByCode",
]);

/** Top-level lists bounded by configuration, not by activity: plain lists with a fixed documented order. */
const CONFIGURATION_LISTS = new Set([
  "Query.plants",
  "Query.downtimeReasons",
  "Query.locations",
  "Query.inspectionPlans",
  "Query.pmSchedules",
  "Query.shiftPatterns",
  "Query.crews",
  "Query.shifts", // bounded by its required 31-day range
]);

/** Lists whose [from, to) range is required: the shift calendar, bounded by its 31 days. */
const REQUIRED_RANGE = new Set(["Query.shifts", "Plant.shifts"]);

/** Nested lists of a paged entity or of timestamped rows that stay plain lists because the parent bounds them. */
const BOUNDED_BY_PARENT: Record<string, string> = {
  "Plant.machines": "a plant's machines",
  "WorkCenter.machines": "a work center's machines",
  "Inspection.ncrs": "the NCRs one inspection opened (one, seldom more)",
  "Shift.handovers": "the handovers of one shift",
  "StockMovement.transactions": "the transactions of one movement (a transfer's two legs)",
  "WorkOrder.consumedLots": "the lots one order consumed (bounded by its bill of materials)",
  "WorkOrder.producedLots": "the lots one order produced",
  "WorkOrder.holds": "the holds of one order (activeOnly: true is its status filter)",
  "Machine.pmSchedules": "a machine's maintenance plans (configuration)",
  "Shift.breakWindows": "the breaks of one shift",
  "MachineLane.operations": "a schedule's operations, bounded by its required range (at most 92 days)",
  "Schedule.unassigned": "a schedule's operations, bounded by its required range (at most 92 days)",
};

interface ListField {
  coordinate: string;
  parent: GraphQLObjectType;
  field: GraphQLField<unknown, unknown>;
  /** The page type the field returns, or null for a plain list. */
  page: GraphQLObjectType | null;
  /** The type of the listed things. */
  item: GraphQLObjectType;
}

const unwrap = (type: GraphQLOutputType) => (isNonNullType(type) ? type.ofType : type);
const PAGE_FIELDS = ["items", "totalCount", "limit", "offset", "hasMore"];
const isPage = (type: unknown): boolean => isObjectType(type) && type.name.endsWith("Page") && PAGE_FIELDS.every((f) => f in type.getFields());

/** Every field of the API schema that returns a list of objects or a page, except the pages' own items. */
function listFields(): ListField[] {
  const out: ListField[] = [];
  for (const parent of Object.values(schema.getTypeMap())) {
    if (!isObjectType(parent) || parent.name.startsWith("__") || ROOTS.has(parent.name) || isPage(parent)) continue;
    for (const field of Object.values(parent.getFields())) {
      const named = getNamedType(field.type);
      const coordinate = `${parent.name}.${field.name}`;
      if (isObjectType(named) && isPage(named)) {
        const item = getNamedType(named.getFields().items!.type);
        if (isObjectType(item)) out.push({ coordinate, parent, field, page: named, item });
      } else if (isListType(unwrap(field.type)) && isObjectType(named)) {
        out.push({ coordinate, parent, field, page: null, item: named });
      }
    }
  }
  return out;
}

const lists = listFields();
const topLevel = lists.filter((l) => l.parent.name === "Query");
const pagedEntities = new Set(lists.flatMap((l) => (l.page ? [l.item.name] : [])));
/** An object stamped with a non-null instant (DateTime!) of its own: something that happened. */
const isEvent = (type: GraphQLObjectType) => Object.values(type.getFields()).some((f) => String(f.type) === "DateTime!");
const arg = (l: ListField, name: string): GraphQLArgument | undefined => l.field.args.find((a) => a.name === name);

describe("lists follow one convention (issue 17)", () => {
  it("sees the graph's lists", () => {
    expect(topLevel.length).toBeGreaterThan(20);
    expect(lists.length).toBeGreaterThan(topLevel.length);
  });

  it("rule 1: filters are arguments of the list, never a filter input object", () => {
    const offending = lists.flatMap((l) =>
      l.field.args.filter((a) => isInputObjectType(getNamedType(a.type)) && a.name !== "orderBy").map((a) => `${l.coordinate}(${a.name}:)`),
    );
    const filterTypes = Object.keys(schema.getTypeMap()).filter((name) => name.endsWith("Filter") && isInputObjectType(schema.getType(name)));
    expect({ offending, filterTypes }).toEqual({ offending: [], filterTypes: [] });
  });

  it("rule 2: plantId is an optional ID, required only on per-plant calculations, calendars and per-plant keys", () => {
    const wrongType: string[] = [];
    const required: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith("__") || ROOTS.has(type.name)) continue;
      for (const field of Object.values(type.getFields())) {
        const plantId = field.args.find((a) => a.name === "plantId");
        if (!plantId) continue;
        const coordinate = `${type.name}.${field.name}`;
        if (getNamedType(plantId.type).name !== "ID" || isListType(unwrap(plantId.type as GraphQLOutputType))) wrongType.push(coordinate);
        // Lists and queries; a per-plant value of an entity (Material.available(plantId:)) is no list.
        const isList = type.name === "Query" || lists.some((l) => l.coordinate === coordinate);
        if (isList && isNonNullType(plantId.type) && !PLANT_REQUIRED.has(coordinate)) required.push(coordinate);
      }
    }
    // A top-level list of things that belong to a plant can be narrowed to one plant.
    const withoutPlant = topLevel.filter((l) => "plant" in l.item.getFields() && !arg(l, "plantId")).map((l) => l.coordinate);
    expect({ wrongType, required, withoutPlant }).toEqual({ wrongType: [], required: [], withoutPlant: [] });
  });

  it("rule 3: an enum filter is an optional list named after the field it filters", () => {
    const offending: string[] = [];
    for (const l of lists) {
      for (const a of l.field.args) {
        const named = getNamedType(a.type);
        if (!isEnumType(named) || a.name === "orderBy") continue;
        const listOf = !isNonNullType(a.type) && isListType(a.type) && isNonNullType(a.type.ofType);
        const target = l.item.getFields()[a.name];
        if (!listOf || !target || getNamedType(target.type) !== named) offending.push(`${l.coordinate}(${a.name}: ${String(a.type)})`);
      }
    }
    expect(offending).toEqual([]);
  });

  it("rule 4: date ranges are from/to (or <instant>From/<instant>To) pairs of optional DateTimes on lists", () => {
    const offending: string[] = [];
    for (const l of lists) {
      const dates = l.field.args.filter((a) => getNamedType(a.type).name === "DateTime");
      for (const a of dates) {
        const pair =
          a.name === "from"
            ? "to"
            : a.name === "to"
              ? "from"
              : a.name.endsWith("From")
                ? `${a.name.slice(0, -4)}To`
                : a.name.endsWith("To")
                  ? `${a.name.slice(0, -2)}From`
                  : null;
        if (!pair) offending.push(`${l.coordinate}(${a.name}:) is not named from/to or <instant>From/<instant>To`);
        else if (!dates.some((d) => d.name === pair)) offending.push(`${l.coordinate}(${a.name}:) has no ${pair}`);
        // Only the shift calendar's range (at most 31 days) is required.
        else if (isNonNullType(a.type) && !REQUIRED_RANGE.has(l.coordinate)) offending.push(`${l.coordinate}(${a.name}:) is required`);
      }
    }
    expect(offending).toEqual([]);
  });

  it("rule 5: every paged top-level list takes orderBy: <Entity>Order { field: <Entity>OrderField!, direction: SortDirection = ASC }", () => {
    const offending: string[] = [];
    for (const l of topLevel.filter((t) => t.page)) {
      const entity = l.page!.name.slice(0, -"Page".length);
      const orderBy = arg(l, "orderBy");
      const input = orderBy && getNamedType(orderBy.type);
      if (!orderBy || !isInputObjectType(input) || input.name !== `${entity}Order` || isNonNullType(orderBy.type)) {
        offending.push(`${l.coordinate}: no optional orderBy: ${entity}Order`);
        continue;
      }
      const { field, direction, ...rest } = input.getFields();
      const fieldEnum = field && getNamedType(field.type);
      if (!field || !isNonNullType(field.type) || !isEnumType(fieldEnum) || fieldEnum.name !== `${entity}OrderField`)
        offending.push(`${input.name}.field is not ${entity}OrderField!`);
      else if (fieldEnum.getValues().length < 2 || fieldEnum.getValues().length > 5)
        offending.push(`${fieldEnum.name} has ${fieldEnum.getValues().length} values (2 to 5)`);
      if (!direction || String(direction.type) !== "SortDirection" || direction.defaultValue !== "ASC")
        offending.push(`${input.name}.direction is not SortDirection = ASC`);
      if (Object.keys(rest).length) offending.push(`${input.name} has more than field and direction: ${Object.keys(rest).join(", ")}`);
    }
    expect(offending).toEqual([]);
  });

  it("rule 6: pages have items, totalCount, limit, offset, hasMore; a paged list takes limit = 25 and offset = 0", () => {
    const offending: string[] = [];
    const pages = Object.values(schema.getTypeMap()).filter((t): t is GraphQLObjectType => isObjectType(t) && isPage(t));
    for (const page of pages) {
      const f = page.getFields();
      const expected: Record<string, string> = { totalCount: "Int!", limit: "Int!", offset: "Int!", hasMore: "Boolean!" };
      for (const [name, type] of Object.entries(expected)) if (String(f[name]!.type) !== type) offending.push(`${page.name}.${name} is not ${type}`);
      const items = f.items!.type;
      if (!isNonNullType(items) || !isListType(items.ofType) || !isNonNullType(items.ofType.ofType))
        offending.push(`${page.name}.items is not [X!]!`);
    }
    for (const l of lists) {
      const limit = arg(l, "limit");
      const offset = arg(l, "offset");
      if (l.page) {
        if (!limit || String(limit.type) !== "Int" || limit.defaultValue !== 25) offending.push(`${l.coordinate}(limit:) is not Int = 25`);
        if (!offset || String(offset.type) !== "Int" || offset.defaultValue !== 0) offending.push(`${l.coordinate}(offset:) is not Int = 0`);
        if (!isNonNullType(l.field.type)) offending.push(`${l.coordinate} returns a nullable page`);
      } else if (limit || offset) {
        offending.push(`${l.coordinate} takes limit/offset but returns a plain list (cut without a total)`);
      }
    }
    // A top-level list grows with the plant's activity unless configuration bounds it.
    for (const l of topLevel) if (!l.page && !CONFIGURATION_LISTS.has(l.coordinate)) offending.push(`${l.coordinate} is not paged`);
    expect(offending).toEqual([]);
  });

  it("rule 7: a nested list of a paged entity is paged (with from/to where its top-level list has them), unless its parent bounds it", () => {
    const offending: string[] = [];
    for (const l of lists.filter((n) => n.parent.name !== "Query")) {
      if (!l.page) {
        const bounded = BOUNDED_BY_PARENT[l.coordinate] || REQUIRED_RANGE.has(l.coordinate);
        if (pagedEntities.has(l.item.name) && !bounded) offending.push(`${l.coordinate}: [${l.item.name}] is not paged`);
        // Rows stamped with when they happened make a history, which grows: paged too.
        else if (isEvent(l.item) && !bounded) offending.push(`${l.coordinate}: [${l.item.name}] is a history, not paged`);
        continue;
      }
      const top = topLevel.find((t) => t.page === l.page);
      for (const name of ["from", "to"]) if (top && arg(top, name) && !arg(l, name)) offending.push(`${l.coordinate} has no ${name}`);
    }
    const stale = Object.keys(BOUNDED_BY_PARENT).filter((c) => !lists.some((l) => l.coordinate === c && !l.page));
    expect({ offending, stale }).toEqual({ offending: [], stale: [] });
  });

  it("rule 9: the cost limits count a nested page by its limit (default 25), like a top-level one", () => {
    const costOf = (query: string) => {
      const document = parse(query);
      const operation = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION) as OperationDefinitionNode;
      return operationCost(schema, document, operation, { defaultListSize: 20, maxListSize: 100 }).cost;
    };
    // workOrders + items + 10 x (history + items + 5 x to)
    expect(costOf(`{ workOrders(limit: 10) { items { history(limit: 5) { items { to } } } } }`)).toBe(2 + 10 * (2 + 5));
    // Without a limit, the nested page counts its default 25.
    expect(costOf(`{ workOrders(limit: 10) { items { history { items { to } } } } }`)).toBe(2 + 10 * (2 + 25));
  });
});
