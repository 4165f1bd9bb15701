// Security settings as the kubelet applies them: a container's securityContext field wins, else the pod's
// (PodSecurityContext: runAsUser, runAsNonRoot, runAsGroup, seccompProfile, seLinuxOptions, windowsOptions).
import type { Container, Workload } from '../resource.js';
import { get, type Path } from '../values.js';

export interface EffectiveSetting {
  readonly value: unknown;
  /** Where the value was set (container or pod securityContext), or undefined when neither sets it. */
  readonly path: Path | undefined;
  readonly from: 'container' | 'pod' | 'none';
}

/** The value a container runs with for a field both securityContexts carry (`['seccompProfile', 'type']`). */
export function effectiveSecurityField(workload: Workload, container: Container, field: Path): EffectiveSetting {
  const own = get(container.spec, 'securityContext', ...field);
  if (own !== undefined && own !== null)
    return { value: own, path: [...container.path, 'securityContext', ...field], from: 'container' };
  const pod = get(workload.pod.spec, 'securityContext', ...field);
  if (pod !== undefined && pod !== null)
    return { value: pod, path: [...workload.pod.specPath, 'securityContext', ...field], from: 'pod' };
  return { value: undefined, path: undefined, from: 'none' };
}

/** A Windows pod (spec.os.name): the Linux-only controls (seccomp, capabilities) do not apply to it. */
export function isWindowsPod(workload: Workload): boolean {
  return get(workload.pod.spec, 'os', 'name') === 'windows';
}
