// The operations the benchmark measures and the tests hold to a SQL budget.

/** A plant dashboard touching all five subgraphs: open work orders with their operations and
 * machines, material availability, last inspection, and the current shift. */
export const PLANT_DASHBOARD = `query PlantDashboard($plant: ID!) {
  plant(id: $plant) { code name currentShift { name startsAt endsAt } }
  workOrders(plantId: $plant, status: [RELEASED, IN_PROGRESS], limit: 50) {
    totalCount
    items {
      number status dueDate quantity
      operations { sequence name status machine { code state } }
      product { code billOfMaterials { quantityPer material { code available(plantId: $plant) } } }
      lastInspection { result inspectedAt }
    }
  }
}`;

/** One work order's detail page. */
export const WORK_ORDER_DETAIL = `query WorkOrderDetail($id: ID!) {
  workOrder(id: $id) {
    number status quantity dueDate plannedStart plannedEnd
    product { code name }
    operations { sequence name status goodQuantity scrapQuantity machine { code name state } }
    history(limit: 10) { totalCount items { from to actor at } }
    materialCost
    materialTransactions { totalCount items { type quantity totalCost } }
    inspections(limit: 10) { totalCount items { result inspectedAt } }
    ncrs(limit: 10) { totalCount items { number status } }
  }
}`;
