// Linkerd's default inbound policy: what a meshed pod admits on a port no Server selects. Semantics:
// linkerd.io/2/reference/authorization-policy ("Default policies": the install value proxy.defaultInboundPolicy,
// overridden by the config.linkerd.io/default-inbound-policy annotation on the pod spec, else its namespace) and
// linkerd/linkerd2 charts/linkerd-control-plane (the policy controller's --default-policy argument, the
// linkerd-config ConfigMap that holds the install values; Linkerd 2.11 called the value
// policyController.defaultAllowPolicy).
import { parseSource } from '../../parse/source.js';
import type { Graph } from '../graph.js';
import { LINKERD_CHART_VALUE_KEYS } from '../unclaimed.js';
import { isInjectedContainer } from '../kubernetes/index.js';
import type { Resource, Workload } from '../resource.js';
import { arr, get, isObj, type Path, str } from '../values.js';
import { DEFAULT_INBOUND_POLICY, POLICY_GROUP } from './views.js';

export const LINKERD_DEFAULT_POLICIES = [
  'all-unauthenticated',
  'all-authenticated',
  'cluster-unauthenticated',
  'cluster-authenticated',
  'audit',
  'deny',
] as const;
export type LinkerdDefaultPolicy = (typeof LINKERD_DEFAULT_POLICIES)[number];

/** The policy Linkerd applies when its install does not say (proxy.defaultInboundPolicy's default). */
export const LINKERD_INSTALL_DEFAULT: LinkerdDefaultPolicy = 'all-unauthenticated';

export function isLinkerdDefaultPolicy(value: unknown): value is LinkerdDefaultPolicy {
  return typeof value === 'string' && (LINKERD_DEFAULT_POLICIES as readonly string[]).includes(value);
}

/** Where a default policy was decided: a place in a resource, a setting, or Linkerd's own default. */
export interface PolicyOrigin {
  readonly policy: LinkerdDefaultPolicy;
  /** How a message names it: "the namespace annotation", "Deployment linkerd/linkerd-destination's --default-policy". */
  readonly describe: string;
  readonly resource?: Resource;
  readonly path?: Path;
}

/** The cluster-wide default the repository's Linkerd install sets, when it holds one that says. */
export function linkerdInstallDefault(graph: Graph): PolicyOrigin | undefined {
  return graph.memo(
    'linkerd:installDefaultPolicy',
    (g) => fromConfigMap(g) ?? fromPolicyController(g) ?? fromValuesFile(g),
  );
}

/** A Helm values file of the control-plane chart (a document with no kind) that sets proxy.defaultInboundPolicy. */
function fromValuesFile(graph: Graph): PolicyOrigin | undefined {
  for (const { file, document } of graph.documents) {
    const value = document.value;
    if (!isObj(value) || 'kind' in value || !LINKERD_CHART_VALUE_KEYS.some((k) => k in value)) continue;
    const policy = get(value, 'proxy', 'defaultInboundPolicy');
    if (isLinkerdDefaultPolicy(policy))
      return { policy, describe: `the install's proxy.defaultInboundPolicy in values file ${file.path}` };
  }
  return undefined;
}

/** The linkerd-config ConfigMap keeps the install's values as YAML under `values`. */
function fromConfigMap(graph: Graph): PolicyOrigin | undefined {
  for (const cm of graph.ofKind('ConfigMap', '')) {
    if (cm.name !== 'linkerd-config') continue;
    const text = str(get(cm.body, 'data', 'values'));
    if (!text) continue;
    const values = parseSource('linkerd-config values', text).documents[0]?.value;
    for (const key of [
      ['proxy', 'defaultInboundPolicy'],
      ['policyController', 'defaultAllowPolicy'],
    ]) {
      const policy = get(values, ...key);
      if (isLinkerdDefaultPolicy(policy))
        return {
          policy,
          describe: `the install's ${key.join('.')} in ConfigMap ${cm.namespace}/${cm.name}`,
          resource: cm,
          path: ['data', 'values'],
        };
    }
  }
  return undefined;
}

const DEFAULT_POLICY_ARG = '--default-policy';

/** The policy controller (container `policy` of linkerd-destination) gets the default as `--default-policy=<value>`. */
function fromPolicyController(graph: Graph): PolicyOrigin | undefined {
  for (const w of graph.workloads) {
    if (w.pod.labels['linkerd.io/control-plane-component'] === undefined) continue;
    for (const container of w.pod.containers) {
      const args = arr(container.spec.args);
      for (let i = 0; i < args.length; i++) {
        const arg = str(args[i]);
        if (arg === undefined) continue;
        const value =
          arg === DEFAULT_POLICY_ARG
            ? args[i + 1]
            : arg.startsWith(`${DEFAULT_POLICY_ARG}=`)
              ? arg.slice(DEFAULT_POLICY_ARG.length + 1)
              : undefined;
        if (isLinkerdDefaultPolicy(value))
          return {
            policy: value,
            describe: `the policy controller's ${DEFAULT_POLICY_ARG} in ${w.kind} ${w.namespace}/${w.name}`,
            resource: w,
            path: [...container.path, 'args', arg === DEFAULT_POLICY_ARG ? i + 1 : i],
          };
      }
    }
  }
  return undefined;
}

/**
 * The default inbound policy of a meshed workload: its pod template's annotation, else its Namespace's, else the
 * cluster default (the configured one, else the repository's install, else Linkerd's all-unauthenticated).
 * An annotation with a value Linkerd does not know is skipped, as the proxy injector rejects it.
 */
export function linkerdDefaultPolicy(graph: Graph, w: Workload, configured?: string): PolicyOrigin {
  const own = w.pod.annotations[DEFAULT_INBOUND_POLICY];
  if (isLinkerdDefaultPolicy(own))
    return {
      policy: own,
      describe: 'its pod template annotation',
      resource: w,
      path: [...w.pod.path, 'metadata', 'annotations', DEFAULT_INBOUND_POLICY],
    };
  const ns = graph.namespace(w.namespace);
  const nsValue = ns?.annotations[DEFAULT_INBOUND_POLICY];
  if (ns && isLinkerdDefaultPolicy(nsValue))
    return {
      policy: nsValue,
      describe: `the annotation on Namespace ${ns.name}`,
      resource: ns,
      path: ['metadata', 'annotations', DEFAULT_INBOUND_POLICY],
    };
  if (isLinkerdDefaultPolicy(configured))
    return { policy: configured, describe: 'the cluster default in mesh.linkerdDefaultInboundPolicy' };
  return (
    linkerdInstallDefault(graph) ?? {
      policy: LINKERD_INSTALL_DEFAULT,
      describe: "Linkerd's install default, which the repository does not change",
    }
  );
}

/** A container port a Server can select: declared in the pod spec ("Only ports in a pod spec's ports are considered"). */
export interface LinkerdPort {
  readonly number: number;
  readonly name?: string;
  readonly path: Path;
}

/** The ports the workload's own containers declare (the proxy's are not in the manifest). */
export function declaredPorts(w: Workload): readonly LinkerdPort[] {
  const out: LinkerdPort[] = [];
  for (const container of w.pod.containers) {
    if (container.group !== 'containers' || isInjectedContainer(container)) continue;
    arr(container.spec.ports).forEach((p, i) => {
      const n = get(p, 'containerPort');
      if (typeof n === 'number' && Number.isInteger(n))
        out.push({ number: n, name: str(get(p, 'name')), path: [...container.path, 'ports', i, 'containerPort'] });
    });
  }
  return out;
}

/** Whether a Server of the workload's namespace selects this pod and port (by number or by port name). */
export function serverCovers(graph: Graph, w: Workload, port: LinkerdPort): boolean {
  return graph.whole.inNamespace('Server', w.namespace).some((server) => {
    if (server.group !== POLICY_GROUP) return false;
    const selector = get(server.body, 'spec', 'podSelector');
    if (!isObj(selector) || !graph.selectWorkloads(w.namespace, selector).includes(w)) return false;
    const ref = get(server.body, 'spec', 'port');
    return ref === port.number || (typeof ref === 'string' && (ref === port.name || ref === String(port.number)));
  });
}

/** Inbound ports the proxy does not intercept (config.linkerd.io/skip-inbound-ports on the pod, else its namespace). */
export function skippedInboundPort(graph: Graph, w: Workload, port: number): boolean {
  const annotation = 'config.linkerd.io/skip-inbound-ports';
  const value = w.pod.annotations[annotation] ?? graph.namespace(w.namespace)?.annotations[annotation];
  if (!value) return false;
  return value.split(',').some((part) => {
    const [low, high = low] = part.trim().split('-');
    const from = Number(low);
    const to = Number(high);
    return Number.isInteger(from) && Number.isInteger(to) && port >= from && port <= to;
  });
}
