// What the model keeps per resource for a whole scan (issue 13: peak memory within twice the input plus 150 MB).
// Counted (hidden classes, objects), never timed.
import { describe, expect, it } from 'vitest';
import { runWithNatives } from './helpers.js';

/** `count` namespaces' worth of manifests: a Deployment, a Service and an AuthorizationPolicy each. */
const MANY_MANIFESTS = `const text = Array.from({ length: 3000 }, (_, i) => [
  'apiVersion: apps/v1\\nkind: Deployment\\nmetadata:\\n  name: app-' + i + '\\n  namespace: ns-' + (i % 50) +
    '\\nspec:\\n  template:\\n    metadata:\\n      labels: {app: app-' + i + '}\\n    spec:\\n      containers:\\n        - {name: main, image: x}\\n',
  'apiVersion: v1\\nkind: Service\\nmetadata:\\n  name: app-' + i + '\\n  namespace: ns-' + (i % 50) + '\\nspec:\\n  selector: {app: app-' + i + '}\\n',
  'apiVersion: security.istio.io/v1\\nkind: AuthorizationPolicy\\nmetadata:\\n  name: app-' + i + '\\n  namespace: ns-' + (i % 50) +
    '\\n  labels: {k' + i + ': v}\\nspec:\\n  selector:\\n    matchLabels: {app: app-' + i + '}\\n  action: ' + (i % 2 ? 'DENY' : 'ALLOW') + '\\n',
].join('---\\n')).join('---\\n');
const graph = Graph.fromFiles([parseSource('many.yaml', text, MANIFEST_PARSE_OPTIONS)]);
/** How many of the objects do not share the first one's hidden class. */
const apart = (objects) => objects.filter((o) => !same(o, objects[0])).length;`;

const MODEL = {
  Graph: 'src/model/graph.ts',
  parseSource: 'src/parse/source.ts',
  MANIFEST_PARSE_OPTIONS: 'src/model/kubernetes/reader.ts',
};

describe('model objects kept for the run', () => {
  it('AuthorizationPolicy views share one hidden class (a spread-then-extended object had one of its own)', () => {
    const printed = runWithNatives(
      { ...MODEL, authorizationPolicies: 'src/model/istio/authz.ts' },
      `${MANY_MANIFESTS}
const policies = authorizationPolicies(graph);
console.log(policies.length, apart(policies), JSON.stringify(Object.keys(policies[1])));`,
    );
    expect(printed).toBe('3000 0 ["resource","selector","targetRefs","action","rules","dryRun"]');
  });
});
