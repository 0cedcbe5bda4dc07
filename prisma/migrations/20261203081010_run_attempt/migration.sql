-- Worker writes to a run are conditional on the attempt that took it (the run lifecycle in packages/db).
-- AlterTable
ALTER TABLE "TrainingRun" ADD COLUMN     "attempt" INTEGER NOT NULL DEFAULT 0;
