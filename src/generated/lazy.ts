// Loads src/generated/lazy-validators.cjs on first use. The same relative name works from the sources and from
// the bundles: the build copies the file to dist/ next to dist/meshlint.cjs and dist/action.mjs.
import { createRequire } from 'node:module';
import type { LazyValidatorName, PrecompiledValidator } from './validators.js';

let loaded: Record<LazyValidatorName, PrecompiledValidator> | undefined;

export function lazyValidator(name: LazyValidatorName): PrecompiledValidator {
  loaded ??= createRequire(import.meta.url)('./lazy-validators.cjs') as Record<LazyValidatorName, PrecompiledValidator>;
  return loaded[name];
}
