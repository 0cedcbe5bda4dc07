-- DropIndex
DROP INDEX "Image_projectId_split_id_idx";

-- DropIndex
DROP INDEX "Image_projectId_status_id_idx";

-- CreateIndex
CREATE INDEX "Image_projectId_createdAt_id_idx" ON "Image"("projectId", "createdAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "Image_projectId_split_createdAt_id_idx" ON "Image"("projectId", "split", "createdAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "Image_projectId_status_createdAt_id_idx" ON "Image"("projectId", "status", "createdAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "Image_originalKey_idx" ON "Image"("originalKey");

-- CreateIndex
CREATE INDEX "Image_webKey_idx" ON "Image"("webKey");

-- CreateIndex
CREATE INDEX "Image_thumbKey_idx" ON "Image"("thumbKey");
