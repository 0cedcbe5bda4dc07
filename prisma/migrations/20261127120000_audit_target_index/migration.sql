-- Accepting predictions looks up earlier accepts of the same predictions by target.
CREATE INDEX "AuditLog_targetType_targetId_action_idx" ON "AuditLog"("targetType", "targetId", "action");
