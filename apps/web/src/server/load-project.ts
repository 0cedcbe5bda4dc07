import 'server-only';
import { getImage, getProject, getRun } from '@segmenta/db';
import { getServer } from './context';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (id: string) => UUID_RE.test(id);

/** Pages take ids from the URL: anything that is not a UUID is simply "not found". */
export async function loadProject(projectId: string) {
  return UUID_RE.test(projectId) ? getProject(getServer().db, projectId) : null;
}

export async function loadImage(imageId: string) {
  return UUID_RE.test(imageId) ? getImage(getServer().db, imageId) : null;
}

export async function loadRun(runId: string) {
  return UUID_RE.test(runId) ? getRun(getServer().db, runId) : null;
}
