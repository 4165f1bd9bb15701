import { defineRule, yaml } from '../../src/engine/rule.js';
import { INJECT } from '../../src/model/istio/index.js';

/** Proxy settings that the injector and the proxy read from the pod (template) only. */
const POD_ANNOTATION_PREFIXES = [
  'traffic.sidecar.istio.io/',
  'sidecar.istio.io/',
  'proxy.istio.io/',
  'ambient.istio.io/',
  'config.linkerd.io/',
  'linkerd.io/inject',
];
const POD_LABELS = [INJECT, 'istio.io/dataplane-mode'];

export default defineRule({
  id: 'annotation-misplaced',
  title: 'Put sidecar annotations on the pod template, not on the workload',
  severity: 'note',
  securitySeverity: 3.0,
  tags: ['security', 'istio', 'linkerd', 'correctness'],
  description: `Istio's injector and the proxies read their settings (\`sidecar.istio.io/*\`, \`traffic.sidecar.istio.io/*\`,
\`proxy.istio.io/config\`, Linkerd's \`linkerd.io/inject\` and \`config.linkerd.io/*\`) from the **pod**: on a Deployment's
(StatefulSet's, Job's ...) own \`metadata\` they are ignored (istioctl analyze IST0107 MisplacedAnnotation; istio
testdata \`misannotated.yaml\`). Linkerd's proxy injector is likewise an admission webhook on Pod creation that reads the
pod's annotations and its namespace's (its docs say "deployments", meaning the pod template that \`linkerd inject\`
annotates). The author's intent silently does not happen, whether it was a hardening (an inject
label meant to enable the sidecar) or a bypass (an exclusion that then does not apply and may be "fixed" later by moving
it to the right place). The injection label \`sidecar.istio.io/inject\` and \`istio.io/dataplane-mode\` on the workload's
own labels are reported too: the webhook's object selector only sees the pod's labels. A key that the pod template
carries as well, with the same value, is a harmless copy (Istio's own gateway charts label both) and is not reported.

This is a note: nothing is exposed by the misplaced key itself. \`sidecar-bypass\` does not report these (they bypass
nothing); Namespace objects may carry \`linkerd.io/inject\` and \`config.linkerd.io/*\` legitimately and are not reported.`,
  remediation: 'Move the key to `spec.template.metadata.annotations` (or `.labels`) of the workload, or delete it.',
  references: [
    'https://istio.io/latest/docs/reference/config/analysis/ist0107/',
    'https://istio.io/latest/docs/reference/config/annotations/',
  ],
  messages: {
    annotation:
      "{{resource}} carries the annotation {{key}} on its own metadata, where the injector and the proxy never read it: move it to the pod template's metadata.annotations (or delete it).",
    label:
      "{{resource}} carries the label {{key}} on its own metadata, where the injection webhook never sees it: move it to the pod template's metadata.labels.",
  },
  examples: {
    invalid: {
      'deployment-metadata': yaml`
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          labels:
            sidecar.istio.io/inject: "true" # expect: annotation-misplaced @5-36
          annotations:
            traffic.sidecar.istio.io/excludeInboundPorts: "8080" # expect: annotation-misplaced @5-57
        spec:
          template:
            spec:
              containers: [{ name: web, image: web:1.0 }]
      `,
    },
    valid: {
      'copied-to-the-pod-template-as-istio-charts-do': yaml`
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: istio-ingressgateway
          labels: { istio.io/dataplane-mode: none }
        spec:
          template:
            metadata:
              labels: { istio.io/dataplane-mode: none }
            spec:
              containers: [{ name: istio-proxy, image: istio/proxyv2:1.27.0 }]
      `,
      'pod-template-and-pod': yaml`
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          annotations: { deployment.kubernetes.io/revision: "3" }
        spec:
          template:
            metadata:
              labels: { sidecar.istio.io/inject: "true" }
              annotations: { proxy.istio.io/config: "holdApplicationUntilProxyStarts: true" }
            spec:
              containers: [{ name: web, image: web:1.0 }]
        ---
        apiVersion: v1
        kind: Pod
        metadata:
          name: debug
          annotations: { sidecar.istio.io/inject: "false" }
        spec:
          containers: [{ name: shell, image: busybox:1.37 }]
      `,
    },
  },
  check({ graph, report }) {
    for (const w of graph.workloads) {
      if (w.pod.path.length === 0) continue; // a Pod: its own metadata is the pod's
      for (const key of Object.keys(w.annotations)) {
        if (w.pod.annotations[key] === w.annotations[key]) continue; // copied to the pod template too: harmless
        if (POD_ANNOTATION_PREFIXES.some((p) => key.startsWith(p)))
          report({ resource: w, path: ['metadata', 'annotations', key], messageId: 'annotation', data: { key } });
      }
      for (const key of POD_LABELS) {
        if (w.labels[key] !== undefined && w.pod.labels[key] !== w.labels[key])
          report({ resource: w, path: ['metadata', 'labels', key], messageId: 'label', data: { key } });
      }
    }
  },
});
