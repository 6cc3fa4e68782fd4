// Arguments of live fields, checked when subscribing: pure, no database.
import { requireId } from "@mes/shared";

type Subscribable<A> = { subscribe: (root: unknown, args: A, ...rest: never[]) => unknown };

/**
 * The live field with its `plantId` argument checked when subscribing: a blank or malformed id is
 * refused (BAD_USER_INPUT naming plantId) instead of matching no event, or every plant's.
 */
export function withPlantIdChecked<A extends { plantId?: string | null }, F extends Subscribable<A>>(field: F): F {
  const subscribe = ((root, args, ...rest) => {
    if (args.plantId != null) requireId(args.plantId, "plantId");
    return field.subscribe(root, args, ...rest);
  }) as F["subscribe"];
  return { ...field, subscribe };
}
