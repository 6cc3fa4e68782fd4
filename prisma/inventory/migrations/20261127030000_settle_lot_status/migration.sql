-- Lots have become CONSUMED when a movement takes the last of them since 20261127; a lot emptied
-- before that still says AVAILABLE with nothing on hand. Settled here as a movement would settle it
-- (held lots keep their hold). The triggers record it in the audit trail and tell the subgraphs
-- that copy lots.
UPDATE "Lot" l SET status = 'CONSUMED'
 WHERE l.status = 'AVAILABLE'
   AND NOT EXISTS (SELECT 1 FROM "Stock" st WHERE st."materialId" = l."materialId" AND st."lotId" = l.id AND st.quantity > 0);
