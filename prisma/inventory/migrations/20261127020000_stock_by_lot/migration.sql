-- A lot's stock (Lot.onHand, Lot.stock, its status after a movement) is looked up by lot alone.
CREATE INDEX "Stock_lotId_idx" ON "Stock"("lotId");
