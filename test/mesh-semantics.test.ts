// Verdicts whose severity or wording carries the meaning: the fixtures check where findings are, these check what
// they say.
import { describe, expect, it } from 'vitest';
import { RULES } from '../rules/index.js';
import { defaultConfig } from '../src/engine/config.js';
import { lint } from '../src/engine/run.js';
import { MANIFEST_PARSE_OPTIONS } from '../src/model/kubernetes/reader.js';
import { parseSource } from '../src/parse/source.js';
import { lintTexts } from './helpers.js';

const ADMIN_SERVER = (port: string) => `apiVersion: policy.linkerd.io/v1beta1
kind: Server
metadata: { name: admin, namespace: emojivoto }
spec:
  podSelector: {}
  port: ${port}
---
apiVersion: policy.linkerd.io/v1beta1
kind: ServerAuthorization
metadata: { name: everyone, namespace: emojivoto }
spec:
  server: { name: admin }
  client: { unauthenticated: true }
`;

function findingsOf(rule: string, text: string) {
  return lintTexts({ 'a.yaml': text }).findings.filter((f) => f.ruleId === rule);
}

describe('Linkerd unauthenticated clients', () => {
  it('are a note on the proxy admin port (kubelet probes) and an error on an application port', () => {
    for (const port of ['linkerd-admin', '4191']) {
      const [admin] = findingsOf('authz-wildcard-principal', ADMIN_SERVER(port));
      expect(admin.severity).toBe('note');
      expect(admin.message).toMatch(/proxy admin port/);
    }
    const [app] = findingsOf('authz-wildcard-principal', ADMIN_SERVER('http'));
    expect(app.severity).toBe('error');
  });
});

describe('policy-selects-nothing', () => {
  it("names the nearest label the namespace's workloads carry", () => {
    const [finding] = findingsOf(
      'policy-selects-nothing',
      `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: carts-db, namespace: sock-shop }
spec:
  podSelector: { matchLabels: { name: cart } }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: carts, namespace: sock-shop }
spec:
  template:
    metadata: { labels: { name: carts, tier: backend } }
    spec: { containers: [{ name: carts, image: carts:1.0 }] }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: db, namespace: sock-shop }
spec:
  template:
    metadata: { labels: { name: catalogue-db } }
    spec: { containers: [{ name: db, image: db:1.0 }] }
`,
    );
    expect(finding.message).toContain('The nearest label is name=carts (Deployment sock-shop/carts)');
  });
});

describe('jwt-not-enforced with several ALLOW policies', () => {
  it('names the policy whose rule lets token-less requests in', () => {
    const [finding] = findingsOf(
      'jwt-not-enforced',
      `apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata: { name: jwt, namespace: shop }
spec: { jwtRules: [{ issuer: https://auth.example.com }] }
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: require-jwt, namespace: shop }
spec: { rules: [{ from: [{ source: { requestPrincipals: ["https://auth.example.com/*"] } }] }] }
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: health, namespace: shop }
spec: { rules: [{ to: [{ operation: { paths: ["/healthz"] } }] }] }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: api, namespace: shop }
spec:
  template:
    metadata: { labels: { app: api } }
    spec: { containers: [{ name: api, image: api:1.0 }] }
`,
    );
    expect(finding.message).toContain('AuthorizationPolicy shop/health has an ALLOW rule');
  });
});

describe('jwt-not-enforced when the repo holds the policies but not the workloads', () => {
  // The RequestAuthentication's pods are not in the scan: the policies that could cover them are those of its
  // namespace and of the root namespace whose selector is a subset of its own.
  const ra = `apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata: { name: jwt, namespace: shop }
spec:
  selector: { matchLabels: { app: api, tier: web } }
  jwtRules: [{ issuer: https://auth.example.com }]
`;
  const policy = (namespace: string, name: string, selector: string, rule: string) => `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: ${name}, namespace: ${namespace} }
spec: {${selector ? ` selector: { matchLabels: ${selector} },` : ''} ${rule} }
`;
  const requireToken = 'rules: [{ from: [{ source: { requestPrincipals: ["https://auth.example.com/*"] } }] }]';
  const opens = 'rules: [{ to: [{ operation: { paths: ["/healthz"] } }] }]';
  const denyTokenless = 'action: DENY, rules: [{ from: [{ source: { notRequestPrincipals: ["*"] } }] }]';

  it('names the first covering policy in the scan that opens it: a selector that is not a subset does not cover', () => {
    const docs = [
      ra,
      policy('shop', 'other-tier', '{ app: api, tier: db }', opens), // not a subset: does not cover
      policy('istio-system', 'require-jwt', '', requireToken),
      policy('shop', 'api-health', '{ app: api }', opens),
      policy('istio-system', 'root-health', '', opens),
    ];
    const [finding] = findingsOf('jwt-not-enforced', docs.join('---\n'));
    expect(finding.message).toContain('AuthorizationPolicy shop/api-health has an ALLOW rule');
    // The policy without a selector comes first when it comes first in the scan.
    const [rootFirst] = findingsOf('jwt-not-enforced', [ra, docs[4], docs[2], docs[3], docs[1]].join('---\n'));
    expect(rootFirst.message).toContain('AuthorizationPolicy istio-system/root-health has an ALLOW rule');
  });

  it('is closed by a covering DENY of token-less requests, with or without a selector, and by a required token', () => {
    const opener = policy('shop', 'api-health', '{ app: api }', opens);
    expect(
      findingsOf(
        'jwt-not-enforced',
        [ra, opener, policy('shop', 'deny', '{ tier: web }', denyTokenless)].join('---\n'),
      ),
    ).toEqual([]);
    expect(
      findingsOf('jwt-not-enforced', [ra, opener, policy('istio-system', 'deny', '', denyTokenless)].join('---\n')),
    ).toEqual([]);
    expect(
      findingsOf('jwt-not-enforced', [ra, policy('shop', 'require', '{ tier: web }', requireToken)].join('---\n')),
    ).toEqual([]);
    // A DENY whose selector is not a subset does not cover: still open.
    const open = findingsOf(
      'jwt-not-enforced',
      [ra, opener, policy('shop', 'deny', '{ tier: db }', denyTokenless)].join('---\n'),
    );
    expect(open).toHaveLength(1);
    expect(open[0].message).toContain('AuthorizationPolicy shop/api-health has an ALLOW rule');
  });
});

describe('jwt-jwks-plaintext', () => {
  it('never prints user information of the URI', () => {
    const [finding] = findingsOf(
      'jwt-jwks-plaintext',
      `apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata: { name: jwt, namespace: shop }
spec: { jwtRules: [{ issuer: a, jwksUri: "http://svc:s3cr3t-t0ken@keys.example.com/jwks" }] }
`,
    );
    expect(finding.message).toContain('http://keys.example.com/jwks');
    expect(finding.message).not.toContain('s3cr3t');
    const [envoy] = findingsOf(
      'jwt-jwks-plaintext',
      `- name: envoy.filters.http.jwt_authn
  typed_config:
    "@type": type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication
    providers:
      p: { issuer: a, remote_jwks: { http_uri: { uri: "http://svc:s3cr3t-t0ken@keys.example.com/jwks", cluster: keys } } }
`,
    );
    expect(envoy.message).toContain('(http://keys.example.com/jwks, cluster keys)');
    expect(envoy.message).not.toContain('s3cr3t');
  });
});

describe('Linkerd default inbound policy (authz-no-default-deny)', () => {
  const WORKLOAD = `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: shop }
spec:
  template:
    metadata: { annotations: { linkerd.io/inject: enabled } }
    spec:
      containers: [{ name: web, image: web:1, ports: [{ name: http, containerPort: 8080 }, { containerPort: 9090 }] }]
`;
  const INSTALL = (policy: string) => `apiVersion: v1
kind: ConfigMap
metadata: { name: linkerd-config, namespace: linkerd }
data:
  values: |
    proxy:
      defaultInboundPolicy: ${policy}
`;
  const lintWith = (files: Record<string, string>, linkerdDefaultInboundPolicy?: string) => {
    const base = defaultConfig('.');
    return lint({
      files: Object.entries(files).map(([name, text]) => parseSource(name, text, MANIFEST_PARSE_OPTIONS)),
      rules: RULES,
      config: { ...base, settings: { ...base.settings, mesh: { ...base.settings.mesh, linkerdDefaultInboundPolicy } } },
    }).findings.filter((f) => f.ruleId === 'authz-no-default-deny');
  };

  it('names the policy, where it was set, who it admits and every open port', () => {
    const [finding] = lintWith({ 'a.yaml': WORKLOAD, 'install.yaml': INSTALL('cluster-authenticated') });
    expect(finding.message).toContain(
      "default inbound policy is cluster-authenticated, set by the install's proxy.defaultInboundPolicy in ConfigMap linkerd/linkerd-config: any meshed client of the cluster may call ports 8080 (http), 9090",
    );
    expect(finding.related.map((r) => r.file)).toEqual(['install.yaml']);
    const [fallback] = lintWith({ 'a.yaml': WORKLOAD });
    expect(fallback.message).toContain("all-unauthenticated, set by Linkerd's install default");
  });

  it('lets .meshlint.yaml decide the cluster default over the install in the repository', () => {
    expect(lintWith({ 'a.yaml': WORKLOAD, 'install.yaml': INSTALL('all-unauthenticated') }, 'deny')).toEqual([]);
    const [configured] = lintWith({ 'a.yaml': WORKLOAD, 'install.yaml': INSTALL('deny') }, 'all-authenticated');
    expect(configured.message).toContain(
      'all-authenticated, set by the cluster default in mesh.linkerdDefaultInboundPolicy',
    );
    expect(lintWith({ 'a.yaml': WORKLOAD, 'install.yaml': INSTALL('deny') })).toEqual([]);
  });
});
