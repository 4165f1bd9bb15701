// Which files are kustomizations: a leaf, so that a scan can tell whether it needs the builder before loading it.
import { basename } from 'node:path';

export const KUSTOMIZATION_NAMES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

export function isKustomizationFile(path: string): boolean {
  return KUSTOMIZATION_NAMES.includes(basename(path));
}
