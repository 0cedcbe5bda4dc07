import { Err, Field, inputClass, Section } from './fields';
import { OPTIMIZER_DEFAULTS, errId, type FormState } from './state';

export interface CheckpointRun {
  id: string;
  name: string;
  checkpoints: { id: string; epoch: number; isBest: boolean }[];
}

type Setter = (patch: Partial<FormState>) => void;
interface Props {
  form: FormState;
  update: Setter;
  errors: Record<string, string>;
}

const hasErrorUnder = (errors: Record<string, string>, ...prefixes: string[]) => Object.keys(errors).some((k) => prefixes.some((p) => k === p || k.startsWith(`${p}.`) || k.startsWith(`${p}[`)));

export function OptimiserSection({ form, update, errors }: Props) {
  const sgd = form.optimizer === 'sgd';
  const switchOptimizer = (type: 'adam' | 'sgd') => {
    const prev = OPTIMIZER_DEFAULTS[form.optimizer === 'sgd' ? 'sgd' : 'adam'];
    // Untouched defaults follow the optimiser; values the user typed are kept.
    update({
      optimizer: type,
      learningRate: form.learningRate === prev.learningRate ? OPTIMIZER_DEFAULTS[type].learningRate : form.learningRate,
      weightDecay: form.weightDecay === prev.weightDecay ? OPTIMIZER_DEFAULTS[type].weightDecay : form.weightDecay,
    });
  };
  return (
    <Section title="Optimiser & schedule" open={hasErrorUnder(errors, 'optimizer', 'schedule', 'gradientAccumulation', 'gradientClipNorm')}>
      <label className="text-sm">
        Optimizer
        <select className={inputClass} value={form.optimizer} onChange={(e) => switchOptimizer(e.target.value as 'adam' | 'sgd')}>
          <option value="adam">Adam</option>
          <option value="sgd">SGD with momentum</option>
        </select>
      </label>
      <Field label="Weight decay" k="optimizer.weightDecay" type="number" step="any" value={form.weightDecay} onChange={(v) => update({ weightDecay: v })} errors={errors} />
      {sgd ? (
        <Field label="Momentum" k="optimizer.momentum" type="number" step="any" value={form.momentum} onChange={(v) => update({ momentum: v })} errors={errors} />
      ) : (
        <>
          <Field label="Adam β1" k="optimizer.beta1" type="number" step="any" value={form.beta1} onChange={(v) => update({ beta1: v })} errors={errors} />
          <Field label="Adam β2" k="optimizer.beta2" type="number" step="any" value={form.beta2} onChange={(v) => update({ beta2: v })} errors={errors} />
        </>
      )}
      <label className="text-sm">
        LR schedule
        <select className={inputClass} value={form.scheduleType} onChange={(e) => update({ scheduleType: e.target.value })} aria-describedby={errId('schedule.type')}>
          <option value="constant">Constant</option>
          <option value="step">Step decay</option>
          <option value="cosine">Cosine</option>
        </select>
        <Err errors={errors} k="schedule.type" />
      </label>
      <Field label="Warmup steps" k="schedule.warmupSteps" type="number" value={form.warmupSteps} onChange={(v) => update({ warmupSteps: v })} errors={errors} />
      {form.scheduleType === 'step' && (
        <>
          {/* Not "epochs" in the label: that word already names the run length field. */}
          <Field label="Decay interval (ep.)" k="schedule.stepSizeEpochs" type="number" value={form.stepSizeEpochs} onChange={(v) => update({ stepSizeEpochs: v })} errors={errors} />
          <Field label="Decay factor γ" k="schedule.gamma" type="number" step="any" value={form.gamma} onChange={(v) => update({ gamma: v })} errors={errors} />
        </>
      )}
      <Field label="Gradient accumulation" k="gradientAccumulation" type="number" value={form.gradientAccumulation} onChange={(v) => update({ gradientAccumulation: v })} errors={errors} />
      <Field label="Gradient clip norm (optional)" k="gradientClipNorm" type="number" step="any" value={form.gradientClipNorm} onChange={(v) => update({ gradientClipNorm: v })} errors={errors} />
    </Section>
  );
}

export function InitSection({ form, update, errors, runs }: Props & { runs: CheckpointRun[] }) {
  const chosen = runs.find((r) => r.id === form.initRunId);
  return (
    <Section title="Initial weights" open={form.initKind !== 'none' || hasErrorUnder(errors, 'init')}>
      <fieldset className="text-sm sm:col-span-2 lg:col-span-4">
        <legend>Start from</legend>
        {[
          ['none', 'Random initialisation (none)'],
          ['run', 'A previous run of this project'],
          ['torchvision', 'Torchvision COCO weights file'],
        ].map(([v, label]) => (
          <label key={v} className="mr-4 inline-flex items-center gap-1">
            <input type="radio" name="init-kind" value={v} checked={form.initKind === v} onChange={() => update({ initKind: v! })} />
            {label}
          </label>
        ))}
        <Err errors={errors} k="init" />
      </fieldset>
      {form.initKind === 'run' && (
        <>
          <label className="text-sm sm:col-span-2">
            Run to start from
            <select className={inputClass} value={form.initRunId} onChange={(e) => update({ initRunId: e.target.value, initCheckpointId: '' })} aria-describedby={errId('init.runId')}>
              <option value="">{runs.length ? 'Choose a run…' : 'No run of this project has a checkpoint yet'}</option>
              {runs.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name}
                </option>
              ))}
            </select>
            <Err errors={errors} k="init.runId" />
          </label>
          <label className="text-sm sm:col-span-2">
            Checkpoint
            <select className={inputClass} value={form.initCheckpointId} onChange={(e) => update({ initCheckpointId: e.target.value })} aria-describedby={errId('init.checkpointId')}>
              <option value="">Best checkpoint</option>
              {chosen?.checkpoints.map((c) => (
                <option key={c.id} value={c.id}>
                  Epoch {c.epoch}
                  {c.isBest ? ' (best)' : ''}
                </option>
              ))}
            </select>
            <Err errors={errors} k="init.checkpointId" />
          </label>
        </>
      )}
      {form.initKind === 'torchvision' && (
        <Field className="text-sm sm:col-span-2 lg:col-span-4" label="Weights path on the server" k="init.weightsPath" value={form.weightsPath} onChange={(v) => update({ weightsPath: v })} errors={errors} />
      )}
    </Section>
  );
}

export function ImageSizeSection({ form, update, errors }: Props) {
  return (
    <Section title="Image size" open={form.customImageSize || hasErrorUnder(errors, 'imageSize', 'backbone')}>
      <label className="text-sm">
        Backbone
        <select className={inputClass} value={form.backbone} onChange={(e) => update({ backbone: e.target.value })} aria-describedby={errId('backbone')}>
          <option value="">Default for the chosen size</option>
          <option value="mini">mini</option>
          <option value="small">small</option>
          <option value="resnet50-fpn">ResNet-50 FPN</option>
        </select>
        <Err errors={errors} k="backbone" />
      </label>
      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" checked={form.customImageSize} onChange={(e) => update({ customImageSize: e.target.checked })} />
        Custom image size
      </label>
      {form.customImageSize && (
        <>
          <Field label="Min size (short side, px)" k="imageSize.minSize" type="number" value={form.minSize} onChange={(v) => update({ minSize: v })} errors={errors} />
          <Field label="Max size (long side, px)" k="imageSize.maxSize" type="number" value={form.maxSize} onChange={(v) => update({ maxSize: v })} errors={errors} />
        </>
      )}
    </Section>
  );
}
