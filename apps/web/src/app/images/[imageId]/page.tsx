import { notFound, redirect } from 'next/navigation';
import { loadImage } from '@/server/load-project';

export const dynamic = 'force-dynamic';

/** Short image links (`/images/:id`, e.g. from logs or exports) open the image in its project's editor. */
export default async function ImageLink({ params }: { params: Promise<{ imageId: string }> }) {
  const image = await loadImage((await params).imageId);
  if (!image) notFound();
  redirect(`/projects/${image.projectId}/images/${image.id}`);
}
