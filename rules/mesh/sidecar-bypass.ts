import { defineRule, yaml } from '../../src/engine/rule.js';
import { describe } from '../../src/model/resource.js';
import {
  injectSetting,
  INJECT,
  ISTIO_PORTS,
  membership,
  portList,
  workloadPorts,
} from '../../src/model/istio/index.js';
import { SKIP_PORT_ANNOTATIONS, linkerdInjected } from '../../src/model/linkerd/index.js';
import { get } from '../../src/model/values.js';

const EXCLUDES = [
  'traffic.sidecar.istio.io/excludeInboundPorts',
  'traffic.sidecar.istio.io/excludeOutboundPorts',
  'traffic.sidecar.istio.io/excludeOutboundIPRanges',
] as const;
const EMPTY_INCLUDES = [
  'traffic.sidecar.istio.io/includeInboundPorts',
  'traffic.sidecar.istio.io/includeOutboundIPRanges',
] as const;
const INCLUDE_INBOUND = 'traffic.sidecar.istio.io/includeInboundPorts';
const PROXY_CONTAINERS = new Set([
  'istio-proxy',
  'istio-init',
  'istio-validation',
  'linkerd-proxy',
  'linkerd-init',
  'linkerd-network-validator',
]);
const ISTIO_PROXY_UID = 1337;
/** Linkerd's proxy user (charts: proxy.uid), overridable per pod; proxy-init's --proxy-uid exempts it from capture. */
const LINKERD_PROXY_UID = 2102;
const LINKERD_PROXY_UID_ANNOTATION = 'config.linkerd.io/proxy-uid';
const LINKERD_INJECT = 'linkerd.io/inject';

export default defineRule({
  id: 'sidecar-bypass',
  title: 'Do not take pods or ports out of the sidecar',
  severity: 'error',
  securitySeverity: 7.5,
  tags: ['security', 'istio', 'linkerd', 'mtls', 'bypass'],
  description: `mTLS, AuthorizationPolicy and JWT checks happen in the proxy: traffic that does not go through it gets none of
them, whatever the PeerAuthentication says. Istio's best-practice guide: "it is not secure to rely on all traffic being
captured"; the security boundary is that "a client may not bypass another pod's sidecar". These pod-template settings
take traffic out of the proxy (istio/api \`annotation/annotations.yaml\`, \`pkg/kube/inject/inject.go\`):

- \`traffic.sidecar.istio.io/excludeInboundPorts\`: those ports are reachable in plaintext, without authorization
  (Istio's own 15020, 15021 and 15090 are excluded by the injector anyway and are not reported);
- \`excludeOutboundPorts\` / \`excludeOutboundIPRanges\`: the app talks to those destinations directly, without mTLS
  (a STRICT server resets it, a PERMISSIVE one accepts it without identity);
- \`includeInboundPorts: ""\` (or \`includeOutboundIPRanges: ""\`): capture is off for all inbound (outbound) traffic;
  an \`includeInboundPorts\` list that leaves out a declared container port leaves that port uncaptured;
- \`sidecar.istio.io/inject: "false"\` on a pod in an injected namespace: no sidecar at all;
- \`runAsUser: 1337\` on an app container of an Istio sidecar pod: iptables exempts the proxy's UID, so the app's
  traffic is never captured (istioctl analyze IST0144);
- the same for Linkerd with Linkerd's proxy UID, 2102 (linkerd/linkerd2 \`charts/linkerd-control-plane/values.yaml\`
  \`proxy.uid\`, passed to linkerd-init as \`--proxy-uid\` in \`charts/partials/templates/_proxy-init.tpl\`; a pod's
  \`config.linkerd.io/proxy-uid\` annotation overrides it). The UID checked is the one of the mesh the pod is in:
  1337 means nothing to a Linkerd-injected pod, 2102 nothing to an Istio one;
- \`linkerd.io/inject: disabled\` on a pod template in a Namespace annotated \`linkerd.io/inject: enabled\`: the proxy
  injector skips the pod (linkerd/linkerd2 \`controller/proxy-injector\`, "disabled" overrides the namespace);
- Linkerd's \`config.linkerd.io/skip-inbound-ports\` / \`skip-outbound-ports\` (pod template or Namespace): the proxy is
  skipped entirely, no mTLS and no policy.

The Istio settings count on workloads with a sidecar, or whose membership the repository does not show (the annotation
itself says a sidecar is expected); pods known to be outside the mesh or in ambient mode are skipped. An ingress
proxy that is itself the edge (Kong, NGINX run beside a sidecar with \`includeInboundPorts: ""\`) does this on purpose:
suppress the finding there with a reason. The same annotations on a Deployment's own metadata have no effect and are reported by \`annotation-misplaced\` instead.`,
  remediation:
    'Remove the annotation (or the exclusion) so that the proxy sees the traffic; if a port must bypass the proxy (a health port for a non-mesh prober), expose only that and document why with a suppression comment.',
  references: [
    'https://istio.io/latest/docs/ops/best-practices/security/#understand-traffic-capture-limitations',
    'https://istio.io/latest/docs/reference/config/annotations/',
    'https://linkerd.io/2/reference/proxy-configuration/',
  ],
  messages: {
    exclude:
      '{{resource}} sets {{annotation}}: "{{value}}": that traffic bypasses the sidecar, with no mTLS and no authorization{{ports}}. Remove the exclusion.',
    includeEmpty:
      "{{resource}} sets {{annotation}} to an empty list, which turns off the sidecar's capture of all that traffic: remove the annotation.",
    includeMissing:
      '{{resource}} captures only ports "{{value}}" (traffic.sidecar.istio.io/includeInboundPorts), so port {{ports}} bypasses the sidecar, with no mTLS and no authorization: use "*" or list every port.',
    injectFalse:
      '{{resource}} opts out of sidecar injection in a namespace that is injected ({{reason}}): it runs without mTLS or authorization. Remove {{key}}: "false".',
    uid1337:
      'Container "{{container}}" of {{resource}} runs as UID 1337, the proxy\'s UID, which Istio\'s iptables rules never capture: run the app under another UID.',
    linkerdProxyUid:
      'Container "{{container}}" of {{resource}} runs as UID {{uid}}, the Linkerd proxy\'s UID, which linkerd-init\'s iptables rules never capture: its outbound traffic skips the proxy (no mTLS, no policy). Run the app under another UID.',
    linkerdInjectDisabled:
      '{{resource}} opts out of Linkerd injection (linkerd.io/inject: disabled) in {{namespace}}, which is injected: it runs without mTLS or policy. Remove the annotation.',
    linkerdSkip:
      '{{resource}} sets {{annotation}}: "{{value}}": Linkerd\'s proxy is skipped for those ports, with no mTLS and no policy. Remove the annotation (use config.linkerd.io/opaque-ports for non-HTTP protocols).',
  },
  examples: {
    invalid: {
      'excluded-inbound-app-port': yaml`
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: web, namespace: shop }
        spec:
          template:
            metadata:
              annotations:
                traffic.sidecar.istio.io/excludeInboundPorts: "8080,15020" # expect: sidecar-bypass @9-67
                traffic.sidecar.istio.io/excludeOutboundIPRanges: 10.0.0.0/8 # expect: sidecar-bypass @9-69
                traffic.sidecar.istio.io/includeInboundPorts: "" # expect: sidecar-bypass @9-57
            spec:
              containers: [{ name: web, image: web:1.0, ports: [{ containerPort: 8080 }] }]
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: api, namespace: shop }
        spec:
          template:
            metadata:
              annotations:
                traffic.sidecar.istio.io/includeInboundPorts: "8080" # expect: sidecar-bypass @9-61
            spec:
              containers: [{ name: api, image: api:1.0, ports: [{ containerPort: 8080 }, { containerPort: 9000 }] }]
      `,
      'opt-out-in-injected-namespace-and-uid-1337': yaml`
        apiVersion: v1
        kind: Namespace
        metadata:
          name: shop
          labels: { istio-injection: enabled }
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: legacy, namespace: shop }
        spec:
          template:
            metadata:
              labels:
                sidecar.istio.io/inject: "false" # expect: sidecar-bypass @9-41
            spec:
              containers: [{ name: legacy, image: legacy:1.0 }]
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: web, namespace: shop }
        spec:
          template:
            spec:
              containers:
                - name: web
                  image: web:1.0
                  securityContext:
                    runAsUser: 1337 # expect: sidecar-bypass @13-28
      `,
      'linkerd-proxy-uid-and-inject-disabled': yaml`
        apiVersion: v1
        kind: Namespace
        metadata:
          name: emojivoto
          annotations: { linkerd.io/inject: enabled }
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: voting, namespace: emojivoto }
        spec:
          template:
            metadata:
              annotations:
                linkerd.io/inject: disabled # expect: sidecar-bypass @9-36
            spec:
              containers: [{ name: voting, image: voting:1.0 }]
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: web, namespace: emojivoto }
        spec:
          template:
            spec:
              securityContext:
                runAsUser: 2102 # expect: sidecar-bypass @9-24
              containers: [{ name: web, image: web:1.0 }]
      `,
      'linkerd-skip-ports': yaml`
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: db-client, namespace: shop }
        spec:
          template:
            metadata:
              annotations:
                linkerd.io/inject: enabled
                config.linkerd.io/skip-outbound-ports: "5432" # expect: sidecar-bypass @9-54
            spec:
              containers: [{ name: app, image: app:1.0 }]
      `,
    },
    valid: {
      'istio-uid-on-a-linkerd-pod-and-disabled-outside-an-injected-namespace': yaml`
        apiVersion: v1
        kind: Namespace
        metadata:
          name: emojivoto
          annotations: { linkerd.io/inject: enabled }
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: web, namespace: emojivoto }
        spec:
          template:
            spec:
              securityContext: { runAsUser: 1337 }
              containers: [{ name: web, image: web:1.0 }]
        ---
        apiVersion: v1
        kind: Namespace
        metadata: { name: tools }
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: batch, namespace: tools }
        spec:
          template:
            metadata:
              annotations: { linkerd.io/inject: disabled }
            spec:
              securityContext: { runAsUser: 2102 }
              containers: [{ name: batch, image: batch:1.0 }]
      `,
      'annotations-on-the-deployment-metadata-have-no-effect': yaml`
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          namespace: shop
          annotations:
            traffic.sidecar.istio.io/excludeInboundPorts: "8080"
        spec:
          template:
            spec:
              containers: [{ name: web, image: web:1.0 }]
      `,
      'istio-ports-and-hostnetwork': yaml`
        apiVersion: v1
        kind: Namespace
        metadata:
          name: shop
          labels: { istio-injection: enabled }
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: web, namespace: shop }
        spec:
          template:
            metadata:
              annotations:
                traffic.sidecar.istio.io/excludeInboundPorts: "15020,15090"
            spec:
              containers: [{ name: web, image: web:1.0 }]
        ---
        apiVersion: apps/v1
        kind: DaemonSet
        metadata: { name: node-agent, namespace: shop }
        spec:
          template:
            metadata:
              labels: { sidecar.istio.io/inject: "false" }
            spec:
              hostNetwork: true
              containers:
                - name: agent
                  image: agent:1.0
                  securityContext: { runAsUser: 1337 }
      `,
    },
  },
  check({ graph, settings, report }) {
    const mesh = settings.mesh;
    for (const w of graph.workloads) {
      const m = membership(graph, mesh, w);
      const annotationsPath = [...w.pod.path, 'metadata', 'annotations'];
      const sidecar = m.dataplane === 'sidecar' || m.dataplane === 'unknown';
      if (sidecar) {
        for (const annotation of EXCLUDES) {
          const value = w.pod.annotations[annotation];
          if (value === undefined || value.trim() === '') continue;
          let ports = '';
          if (annotation.endsWith('excludeInboundPorts')) {
            const excluded = portList(value).filter((p) => !ISTIO_PORTS.has(p));
            if (excluded.length === 0) continue;
            const served = workloadPorts(w)
              .filter((p) => excluded.includes(p.number))
              .map((p) => `${p.number} of container "${p.container.name}"`);
            ports = served.length ? ` (serving port ${served.join(', ')})` : '';
          }
          report({
            resource: w,
            path: [...annotationsPath, annotation],
            messageId: 'exclude',
            data: { annotation, value, ports },
          });
        }
        for (const annotation of EMPTY_INCLUDES) {
          const value = w.pod.annotations[annotation];
          if (value !== undefined && value.trim() === '')
            report({
              resource: w,
              path: [...annotationsPath, annotation],
              messageId: 'includeEmpty',
              data: { annotation },
            });
        }
        const include = w.pod.annotations[INCLUDE_INBOUND];
        if (include !== undefined && include.trim() !== '' && include.trim() !== '*') {
          const listed = portList(include);
          const missed = workloadPorts(w).filter((p) => !listed.includes(p.number));
          if (missed.length) {
            report({
              resource: w,
              path: [...annotationsPath, INCLUDE_INBOUND],
              messageId: 'includeMissing',
              data: {
                value: include,
                ports: missed.map((p) => `${p.number} of container "${p.container.name}"`).join(', '),
              },
            });
          }
        }
      }
      // The proxy's UID is exempt from outbound capture in either mesh; which UID depends on the mesh the pod is in.
      const linkerd = m.dataplane !== 'sidecar' && m.dataplane !== 'ambient' && linkerdInjected(graph, w);
      const proxyUid = linkerd
        ? Number(w.pod.annotations[LINKERD_PROXY_UID_ANNOTATION] ?? LINKERD_PROXY_UID)
        : sidecar
          ? ISTIO_PROXY_UID
          : undefined;
      if (proxyUid !== undefined) {
        const podUid = get(w.pod.spec, 'securityContext', 'runAsUser');
        for (const c of w.pod.containers) {
          if (PROXY_CONTAINERS.has(c.name) || c.group === 'ephemeralContainers') continue;
          const own = get(c.spec, 'securityContext', 'runAsUser');
          const uid = own ?? podUid;
          if (uid !== proxyUid) continue;
          const path =
            own !== undefined
              ? [...c.path, 'securityContext', 'runAsUser']
              : [...w.pod.specPath, 'securityContext', 'runAsUser'];
          report({
            resource: w,
            path,
            messageId: linkerd ? 'linkerdProxyUid' : 'uid1337',
            data: { container: c.name, uid: String(uid) },
          });
        }
      }
      const linkerdInject = w.pod.annotations[LINKERD_INJECT];
      const namespace = graph.namespace(w.namespace);
      if (
        linkerdInject === 'disabled' &&
        namespace?.annotations[LINKERD_INJECT] === 'enabled' &&
        w.pod.spec.hostNetwork !== true
      ) {
        report({
          resource: w,
          path: [...w.pod.path, 'metadata', 'annotations', LINKERD_INJECT],
          messageId: 'linkerdInjectDisabled',
          data: { namespace: describe(namespace) },
          related: [
            {
              resource: namespace,
              path: ['metadata', 'annotations', LINKERD_INJECT],
              message: `${describe(namespace)} enables Linkerd injection`,
            },
          ],
        });
      }
      const inject = injectSetting(w);
      if (inject?.value === 'false' && m.injectedNamespace && w.pod.spec.hostNetwork !== true) {
        const ns = graph.namespace(w.namespace);
        const reason = ns ? `${describe(ns)} is labelled for injection` : 'mesh.assumeInjected is set';
        report({
          resource: w,
          path: [...w.pod.path, 'metadata', inject.where, INJECT],
          messageId: 'injectFalse',
          data: { reason, key: INJECT },
          related: ns
            ? [{ resource: ns, path: ['metadata', 'labels'], message: `${describe(ns)} enables injection` }]
            : [],
        });
      }
      for (const annotation of SKIP_PORT_ANNOTATIONS) {
        const value = w.pod.annotations[annotation];
        if (value !== undefined && value.trim() !== '')
          report({
            resource: w,
            path: [...annotationsPath, annotation],
            messageId: 'linkerdSkip',
            data: { annotation, value },
          });
      }
    }
    for (const ns of graph.ofKind('Namespace', '')) {
      for (const annotation of SKIP_PORT_ANNOTATIONS) {
        const value = ns.annotations[annotation];
        if (value !== undefined && value.trim() !== '')
          report({
            resource: ns,
            path: ['metadata', 'annotations', annotation],
            messageId: 'linkerdSkip',
            data: { annotation, value },
          });
      }
    }
  },
});
