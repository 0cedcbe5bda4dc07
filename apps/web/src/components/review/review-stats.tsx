import type { ReviewDto } from '@segmenta/contracts';

const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);

/** Per-class precision/recall at the threshold and the class-agnostic confusion matrix. */
export function ReviewStats({ review }: { review: ReviewDto }) {
  const { labels, matrix } = review.confusion;
  const max = Math.max(1, ...matrix.flat());
  return (
    <div className="grid gap-4 lg:grid-cols-2">
      <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
        <table className="w-full text-sm" aria-label="Per-class precision and recall">
          <caption className="px-3 py-2 text-left text-slate-600">
            At score ≥ {review.scoreThreshold.toFixed(2)}, mask IoU ≥ {review.iouThreshold}
          </caption>
          <thead className="bg-slate-50 text-left text-slate-500">
            <tr>
              {['Class', 'Precision', 'Recall', 'TP', 'FP', 'Missed'].map((h) => (
                <th key={h} scope="col" className="px-3 py-2 font-normal">
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {review.perClass.map((c) => (
              <tr key={c.classId} className="border-t border-slate-100">
                <th scope="row" className="px-3 py-1.5 text-left font-normal">
                  <span className="mr-2 inline-block h-3 w-3 rounded-sm align-middle" style={{ background: c.color }} aria-hidden />
                  {c.className}
                </th>
                <td className="px-3 py-1.5 tabular-nums">{pct(c.precision)}</td>
                <td className="px-3 py-1.5 tabular-nums">{pct(c.recall)}</td>
                <td className="px-3 py-1.5 tabular-nums">{c.tp}</td>
                <td className="px-3 py-1.5 tabular-nums">{c.fp}</td>
                <td className="px-3 py-1.5 tabular-nums">{c.fn}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
        <table className="text-sm" aria-label="Confusion matrix">
          <caption className="px-3 py-2 text-left text-slate-600">Rows: ground truth · columns: predicted (background row = false positives, column = missed)</caption>
          <thead>
            <tr>
              <td />
              {labels.map((l, j) => (
                <th key={j} scope="col" className="px-2 py-1 text-xs font-normal text-slate-500">
                  {l}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {matrix.map((row, i) => (
              <tr key={i}>
                <th scope="row" className="px-2 py-1 text-right text-xs font-normal text-slate-500">
                  {labels[i]}
                </th>
                {row.map((v, j) => (
                  <td
                    key={j}
                    className={`min-w-12 px-2 py-1 text-center tabular-nums ${v / max > 0.5 ? 'text-white' : 'text-slate-800'}`}
                    style={{ background: v ? `rgba(${i === j ? '5, 150, 105' : '220, 38, 38'}, ${0.15 + 0.85 * (v / max)})` : undefined }}
                  >
                    {v}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
