import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { loadImage } from '@/server/load-project';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Image' };

export default async function ImagePage({ params }: { params: Promise<{ imageId: string }> }) {
  const image = await loadImage((await params).imageId);
  if (!image) notFound();
  const rows: [string, string | number][] = [
    ['File', image.fileName],
    ['Size', `${image.width} × ${image.height} px`],
    ['Type', image.mimeType],
    ['Bytes', image.sizeBytes.toLocaleString('en')],
    ['Split', image.split],
    ['Status', image.status.replace('_', ' ')],
    ['Annotations', image.annotationCount],
    ['SHA-256', image.sha256],
  ];
  return (
    <div className="space-y-4">
      <Link href={`/projects/${image.projectId}/images`} className="text-sm text-indigo-700 underline">
        ← Back to images
      </Link>
      <div className="grid gap-6 lg:grid-cols-[2fr_1fr]">
        <img src={`/api/images/${image.id}/file?variant=web`} alt={image.fileName} className="w-full rounded-lg border border-slate-200 bg-white" />
        <dl className="space-y-2 text-sm">
          {rows.map(([k, v]) => (
            <div key={k}>
              <dt className="text-slate-500">{k}</dt>
              <dd className="break-all font-medium">{v}</dd>
            </div>
          ))}
          <a href={`/api/images/${image.id}/file?variant=original`} className="inline-block text-indigo-700 underline">
            Download original
          </a>
        </dl>
      </div>
    </div>
  );
}
