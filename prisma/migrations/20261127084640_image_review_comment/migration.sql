-- AlterTable
ALTER TABLE "Image" ADD COLUMN     "reviewComment" TEXT,
ADD COLUMN     "reviewedAt" TIMESTAMP(3);
