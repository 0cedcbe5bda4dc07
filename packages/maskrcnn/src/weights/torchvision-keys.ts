import type { StateDict } from './types';

/**
 * torchvision ≥ 0.13 wraps several convs in Conv2dNormActivation (module version 2), so its keys gain a
 * ".0" level; checkpoints saved before that (e.g. maskrcnn_resnet50_fpn_coco-bf2d0c1e.pth) use the old
 * spelling, which torchvision renames on load. This does the same renaming; new-style keys pass through.
 */
const RULES: [RegExp, (...m: string[]) => string][] = [
  [/^(.*\bfpn\.(?:inner|layer)_blocks\.\d+)\.(weight|bias)$/, (_, head, p) => `${head}.0.${p}`],
  [/^(.*\brpn\.head\.conv)\.(weight|bias)$/, (_, head, p) => `${head}.0.0.${p}`],
  [/^(.*\bmask_head)\.mask_fcn(\d+)\.(weight|bias)$/, (_, head, i, p) => `${head}.${Number(i) - 1}.0.${p}`],
];

export function toCurrentTorchvisionKey(key: string): string {
  for (const [re, to] of RULES) {
    const m = re.exec(key);
    if (m) return to(...m);
  }
  return key;
}

export function upgradeTorchvisionKeys(sd: StateDict): StateDict {
  return new Map([...sd].map(([k, v]) => [toCurrentTorchvisionKey(k), v]));
}
