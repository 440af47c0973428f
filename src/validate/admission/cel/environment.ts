import { type CelEnv, celEnv, celFunc, CelScalar } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import { formatLibrary } from './format.js';
import { isKubernetesIP } from './ip.js';

let env: CelEnv | undefined;

/**
 * The CEL environment of CRD validation rules: the CEL standard library (with `has`, the list macros,
 * `size`, `matches`, `startsWith`, `endsWith`, `contains`, `duration`), the strings extension (`lowerAscii`,
 * `upperAscii`, `split`, `substring`, `indexOf`, `join`, ...), and the parts of the Kubernetes libraries
 * that the vendored CRDs call and @bufbuild/cel lacks: `isIP` and the format library.
 */
export function validationEnv(): CelEnv {
  env ??= celEnv({
    funcs: [...strings, celFunc('isIP', [CelScalar.STRING], CelScalar.BOOL, isKubernetesIP), ...formatLibrary],
  });
  return env;
}
