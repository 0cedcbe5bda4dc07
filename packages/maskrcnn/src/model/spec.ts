// Parameter specifications: torchvision state_dict name, torch shape, how it maps to the tfjs layout,
// and how torchvision initialises it. Builders keep module definitions short and uniform.

/** How a torch tensor maps to the tfjs tensor we keep. */
export type ParamLayout =
  /** Conv2d weight: torch [out,in,kh,kw] ↔ tfjs [kh,kw,in,out]. */
  | { kind: 'conv' }
  /** ConvTranspose2d weight: torch [in,out,kh,kw] ↔ tfjs conv2dTranspose filter [kh,kw,out,in]. */
  | { kind: 'conv-transpose' }
  /** Linear weight: torch [out,in] ↔ tfjs [in,out]. */
  | { kind: 'linear' }
  /**
   * Linear weight over flattened NCHW maps (TwoMLPHead.fc6): torch [out, c·h·w] in (c,h,w) order ↔
   * tfjs [h·w·c, out] in (h,w,c) order, so NHWC RoI features flatten straight into the matmul.
   */
  | { kind: 'linear-chw'; c: number; h: number; w: number }
  /** Biases, batch-norm vectors: same in both. */
  | { kind: 'vector' };

export type ParamInit =
  | { dist: 'normal'; std: number }
  | { dist: 'uniform'; bound: number }
  | { dist: 'const'; value: number };

export interface ParamSpec {
  name: string;
  torchShape: number[];
  layout: ParamLayout;
  init: ParamInit;
  /** false for FrozenBatchNorm buffers and for backbone layers outside trainableLayers. */
  trainable: boolean;
}

/** torch.nn.init's fan computation on a torch-shaped weight (dim 1 is fan-in, dim 0 fan-out). */
export function torchFans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  const rf = shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: (shape[1] ?? 1) * rf, fanOut: (shape[0] ?? 1) * rf };
}

export const kaimingNormalFanOutRelu = (shape: number[]): ParamInit => ({
  dist: 'normal',
  std: Math.sqrt(2 / torchFans(shape).fanOut),
});
/** kaiming_uniform_(a): bound = sqrt(6 / ((1 + a²)·fan_in)). */
export const kaimingUniform = (shape: number[], a: number): ParamInit => ({
  dist: 'uniform',
  bound: Math.sqrt(6 / ((1 + a * a) * torchFans(shape).fanIn)),
});
/** PyTorch's default for Linear/Conv biases: U(±1/sqrt(fan_in of the weight)). */
export const defaultBias = (weightShape: number[]): ParamInit => ({
  dist: 'uniform',
  bound: 1 / Math.sqrt(torchFans(weightShape).fanIn),
});
export const zeros: ParamInit = { dist: 'const', value: 0 };
export const ones: ParamInit = { dist: 'const', value: 1 };

export interface ConvSpecOptions {
  weightInit?: (shape: number[]) => ParamInit;
  /** Bias init, given the weight shape; omit for bias-free convs. */
  biasInit?: (weightShape: number[]) => ParamInit;
  trainable?: boolean;
}

export function convSpecs(name: string, out: number, inC: number, k: number, o: ConvSpecOptions = {}): ParamSpec[] {
  const shape = [out, inC, k, k];
  const trainable = o.trainable ?? true;
  const specs: ParamSpec[] = [
    { name: `${name}.weight`, torchShape: shape, layout: { kind: 'conv' }, init: (o.weightInit ?? kaimingNormalFanOutRelu)(shape), trainable },
  ];
  if (o.biasInit) specs.push({ name: `${name}.bias`, torchShape: [out], layout: { kind: 'vector' }, init: o.biasInit(shape), trainable });
  return specs;
}

/** FrozenBatchNorm2d buffers: identity transform at init, never trained. */
export function frozenBnSpecs(prefix: string, c: number): ParamSpec[] {
  const v = (n: string, init: ParamInit): ParamSpec => ({ name: `${prefix}.${n}`, torchShape: [c], layout: { kind: 'vector' }, init, trainable: false });
  return [v('weight', ones), v('bias', zeros), v('running_mean', zeros), v('running_var', ones)];
}

/** nn.Linear with PyTorch's default init (kaiming_uniform a=√5 ⇒ bound 1/sqrt(fan_in)). */
export function linearSpecs(name: string, out: number, inF: number, layout: ParamLayout = { kind: 'linear' }): ParamSpec[] {
  const shape = [out, inF];
  return [
    { name: `${name}.weight`, torchShape: shape, layout, init: kaimingUniform(shape, Math.sqrt(5)), trainable: true },
    { name: `${name}.bias`, torchShape: [out], layout: { kind: 'vector' }, init: defaultBias(shape), trainable: true },
  ];
}
