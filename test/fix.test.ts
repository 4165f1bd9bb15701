// Fixes: the rules' fixes (declared as data) become text edits that remove their finding and keep every comment and
// the file's indentation; suppression comments silence exactly their finding; --fix and --fix-dry-run.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULES } from '../rules/index.js';
import { exampleFiles, runExample } from '../src/engine/examples.js';
import { applyEdits, fixEdits, suppressionEdit } from '../src/engine/fix.js';
import type { Finding, FindingFix } from '../src/engine/run.js';
import { hasParseErrors, unifiedDiff } from '../src/fix.js';
import { runCli, tempRepo } from './helpers.js';

const comments = (text: string) =>
  text
    .split('\n')
    .filter((l) => l.includes('#'))
    .map((l) => l.slice(l.indexOf('#')));

/** Every invalid example's findings of the rule, with the example's files. */
function exampleFindings(ruleId: string) {
  const rule = RULES.find((r) => r.id === ruleId)!;
  return Object.entries(rule.examples.invalid).flatMap(([name, example]) => {
    const files = exampleFiles(example);
    return runExample(rule, example, RULES)
      .findings.filter((f) => f.ruleId === ruleId)
      .map((finding) => ({ name, example, files, finding }));
  });
}

function relintWith(ruleId: string, files: Record<string, string>, changed: string, text: string): readonly Finding[] {
  const rule = RULES.find((r) => r.id === ruleId)!;
  return runExample(rule, { ...files, [changed]: text }, RULES).findings.filter((f) => f.ruleId === ruleId);
}

const FIXING_RULES = [
  'container-writable-rootfs',
  'container-privilege-escalation',
  'container-privileged',
  'mtls-not-strict',
  'mtls-port-exception',
  'kong-key-in-query',
  'container-run-as-root',
  'container-capabilities',
  'container-no-seccomp',
];

describe.each(FIXING_RULES)('the fix of %s', (ruleId) => {
  const cases = exampleFindings(ruleId).filter((c) => c.finding.fix);

  it('is offered on some invalid example', () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  it('removes its finding, keeps every comment and adds no finding of the rule', () => {
    for (const { name, files, finding } of cases) {
      const before = files[finding.file];
      const edits = fixEdits(before, finding.fix!);
      expect(edits, `${name}: the fix applies`).toBeDefined();
      const after = applyEdits(before, edits!);
      expect(hasParseErrors(after), name).toBe(false);
      // Every comment stays, but those on the lines a removal takes away.
      const removed = comments(edits!.map((e) => before.slice(e.start, e.end)).join('\n'));
      expect(comments(after), name).toEqual(
        comments(before).filter((c) => !removed.includes(c) || removed.splice(removed.indexOf(c), 1).length === 0),
      );
      const left = relintWith(ruleId, files, finding.file, after);
      expect(
        left.map((f) => f.fingerprint),
        name,
      ).not.toContain(finding.fingerprint);
      expect(left.length, name).toBeLessThan(relintWith(ruleId, files, finding.file, before).length);
    }
  });
});

describe('fix edits', () => {
  const deployment = `apiVersion: apps/v1
kind: Deployment
spec:
  template:
    spec:
      containers:
        - name: app # the app
          image: nginx
          securityContext:
            runAsNonRoot: true  # keep
        - name: side
          image: x
          securityContext:
        - name: third
          securityContext: {runAsUser: 1}
`;
  const container = (i: number, ...rest: string[]) => ['spec', 'template', 'spec', 'containers', i, ...rest];
  const apply = (text: string, fix: Omit<FindingFix, 'title'>) => {
    const edits = fixEdits(text, { title: 'test', ...fix });
    return edits && applyEdits(text, edits);
  };

  it('adds a key after the last one of a block map, at its indentation, with the comments where they were', () => {
    expect(
      apply(deployment, {
        document: 0,
        changes: [{ set: container(0, 'securityContext', 'readOnlyRootFilesystem'), value: true }],
      }),
    ).toBe(
      deployment.replace(
        'runAsNonRoot: true  # keep\n',
        'runAsNonRoot: true  # keep\n            readOnlyRootFilesystem: true\n',
      ),
    );
  });

  it('fills an empty value, creates missing maps, and extends flow maps in their own style', () => {
    expect(
      apply(deployment, {
        document: 0,
        changes: [{ set: container(1, 'securityContext', 'privileged'), value: false }],
      }),
    ).toContain('          securityContext:\n            privileged: false\n        - name: third');
    expect(
      apply(deployment, { document: 0, changes: [{ set: container(0, 'resources', 'limits', 'cpu'), value: '100m' }] }),
    ).toContain(
      '            runAsNonRoot: true  # keep\n          resources:\n            limits:\n              cpu: "100m"\n',
    );
    expect(
      apply(deployment, {
        document: 0,
        changes: [{ set: container(2, 'securityContext', 'privileged'), value: false }],
      }),
    ).toContain('securityContext: {runAsUser: 1, privileged: false}');
  });

  it('replaces a scalar in place and quotes strings YAML 1.1 would read as booleans', () => {
    const pa = 'spec:\n  mtls:\n    mode: PERMISSIVE # migration\n';
    expect(apply(pa, { document: 0, changes: [{ set: ['spec', 'mtls', 'mode'], value: 'STRICT' }] })).toBe(
      'spec:\n  mtls:\n    mode: STRICT # migration\n',
    );
    expect(apply(pa, { document: 0, changes: [{ set: ['spec', 'mtls', 'mode'], value: 'on' }] })).toBe(
      'spec:\n  mtls:\n    mode: "on" # migration\n',
    );
  });

  it('keeps JSON as JSON', () => {
    const json = '{"kind": "Pod", "spec": {"containers": [{"name": "a", "securityContext": {}}, {"name": "b"}]}}\n';
    const once = apply(json, {
      document: 0,
      changes: [{ set: ['spec', 'containers', 0, 'securityContext', 'privileged'], value: false }],
    })!;
    const twice = apply(once, {
      document: 0,
      changes: [{ set: ['spec', 'containers', 1, 'securityContext', 'privileged'], value: false }],
    })!;
    expect(JSON.parse(twice).spec.containers.map((c: { securityContext: unknown }) => c.securityContext)).toEqual([
      { privileged: false },
      { privileged: false },
    ]);
  });

  it('removes a map entry with its lines, and the map holding it when it was the only one', () => {
    const pa = `spec: # policy
  portLevelMtls:
    8080:
      mode: DISABLE # legacy
    9090:
      mode: STRICT
---
spec:
  portLevelMtls:
    8080:
      mode: DISABLE
  selector: {}
`;
    expect(apply(pa, { document: 0, changes: [{ remove: ['spec', 'portLevelMtls', '8080'] }] })).toBe(
      pa.replace('    8080:\n      mode: DISABLE # legacy\n', ''),
    );
    expect(apply(pa, { document: 1, changes: [{ remove: ['spec', 'portLevelMtls', '8080'] }] })).toBe(
      pa.replace('  portLevelMtls:\n    8080:\n      mode: DISABLE\n  selector', '  selector'),
    );
  });

  it('refuses what it cannot do safely', () => {
    expect(fixEdits('a: [1, 2\n', { title: 't', document: 0, changes: [{ set: ['a'], value: 1 }] })).toBeUndefined();
    expect(
      fixEdits('a:\n  b: {c: 1}\n', { title: 't', document: 0, changes: [{ set: ['a', 'b'], value: 1 }] }),
    ).toBeUndefined();
    expect(fixEdits('a: 1\n', { title: 't', document: 3, changes: [{ set: ['a'], value: 2 }] })).toBeUndefined();
  });
});

describe('suppression comments', () => {
  it('silence exactly their finding, for every finding of every rule example (where a comment can go)', () => {
    let checked = 0;
    for (const rule of RULES.filter((r) => r.check)) {
      for (const example of Object.values(rule.examples.invalid)) {
        const files = exampleFiles(example);
        const findings = runExample(rule, example, RULES).findings.filter(
          (f) => f.ruleId === rule.id && !f.suppression,
        );
        for (const finding of findings) {
          const text = files[finding.file];
          const edit = suppressionEdit(text, finding.range.startLine, rule.id);
          if (!edit) {
            // Only where the line lies inside a multi-line string (an embedded config): a '#' line would be content.
            expect(
              text
                .split('\n')
                .slice(0, finding.range.startLine - 1)
                .some((l) => /:\s*[|>]/.test(l)),
            ).toBe(true);
            continue;
          }
          const after = runExample(rule, { ...files, [finding.file]: applyEdits(text, [edit]) }, RULES).findings;
          const same = after.filter((f) => f.fingerprint === finding.fingerprint);
          expect(same.length).toBe(1);
          expect(same[0].suppression?.via).toBe('comment');
          expect(after.filter((f) => f.ruleId !== rule.id && !f.suppression)).toEqual([]);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('are not written into a block scalar', () => {
    expect(suppressionEdit('a: |\n  line1\n  line2\nb: 1\n', 3, 'r')).toBeUndefined();
    expect(suppressionEdit('a: |\n  line1\n  line2\nb: 1\n', 4, 'r')).toEqual({
      start: 21,
      end: 21,
      text: '# meshlint-disable-next-line r -- TODO: say why this is acceptable\n',
    });
  });
});

describe('--fix and --fix-dry-run', () => {
  const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web # the shop
spec:
  template:
    spec:
      containers:
        - name: app
          image: nginx:1.27
          securityContext:
            privileged: true # why?
`;
  // One document does not parse; the other has a fixable finding.
  const broken =
    'apiVersion: v1\nkind: Pod\nmetadata: {name: x\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: y\nspec:\n  containers:\n    - name: a\n      securityContext:\n        privileged: true\n';

  it('--fix-dry-run prints a unified diff that git applies, changes nothing and exits 1', async () => {
    const dir = tempRepo({ 'web.yaml': deployment });
    const { code, stdout } = await runCli(['--fix-dry-run', '.'], dir);
    expect(code).toBe(1);
    expect(readFileSync(join(dir, 'web.yaml'), 'utf8')).toBe(deployment);
    expect(stdout).toContain('--- a/web.yaml\n+++ b/web.yaml\n');
    expect(stdout).toContain(
      '-            privileged: true # why?\n+            privileged: false # why?\n+            capabilities:\n+              drop: [ALL]\n+            allowPrivilegeEscalation: false\n',
    );
    execFileSync('git', ['init', '-q'], { cwd: dir });
    writeFileSync(join(dir, 'fix.patch'), stdout);
    execFileSync('git', ['apply', 'fix.patch'], { cwd: dir });
    const { code: again, stdout: none } = await runCli(['--fix-dry-run', 'web.yaml'], dir);
    expect([again, none]).toEqual([0, '']);
  });

  it('--fix rewrites the files, reports what is left, and never touches a file with a parse error', async () => {
    const dir = tempRepo({ 'web.yaml': deployment, 'broken.yaml': broken });
    const { stdout, stderr } = await runCli(['--fix', '-f', 'compact', '.'], dir);
    const fixed = readFileSync(join(dir, 'web.yaml'), 'utf8');
    expect(fixed).toContain(
      '            privileged: false # why?\n            capabilities:\n              drop: [ALL]\n            allowPrivilegeEscalation: false\n            readOnlyRootFilesystem: true\n      securityContext:\n        seccompProfile:\n          type: RuntimeDefault\n        runAsNonRoot: true\n',
    );
    expect(comments(fixed)).toEqual(comments(deployment));
    expect(readFileSync(join(dir, 'broken.yaml'), 'utf8')).toBe(broken);
    expect(stderr).toContain('not fixed: broken.yaml: it has a parse error.');
    expect(stderr).toMatch(/fixed 6 findings in 1 file\./);
    expect(stdout).not.toMatch(
      /web\.yaml.*(container-privileged|container-writable-rootfs|container-privilege-escalation|container-capabilities|container-no-seccomp|container-run-as-root)/,
    );
    expect(stdout).toMatch(/web\.yaml.*container-no-limits/);
  });

  it("hardens a pod as the Pod Security rules ask, at the file's own indentation, keeping every comment", async () => {
    // Four-space indentation, flow maps and comments: the three fixes write into what is there.
    const pod = `apiVersion: v1
kind: Pod
metadata:
    name: worker # batch
spec:
    securityContext: { runAsUser: 1000 } # uid from the image
    containers:
        - name: worker
          image: worker:1.0
          securityContext:
              capabilities:
                  drop: [NET_RAW] # the old hardening
              readOnlyRootFilesystem: true
        - name: helper # no securityContext at all
          image: helper:1.0
`;
    const dir = tempRepo({ 'pod.yaml': pod });
    await runCli(['--fix', '--rule', 'container-run-as-root,container-capabilities,container-no-seccomp', '.'], dir);
    expect(readFileSync(join(dir, 'pod.yaml'), 'utf8')).toBe(`apiVersion: v1
kind: Pod
metadata:
    name: worker # batch
spec:
    securityContext: { runAsUser: 1000, seccompProfile: { type: RuntimeDefault }, runAsNonRoot: true } # uid from the image
    containers:
        - name: worker
          image: worker:1.0
          securityContext:
              capabilities:
                  drop: [ALL] # the old hardening
              readOnlyRootFilesystem: true
        - name: helper # no securityContext at all
          image: helper:1.0
          securityContext:
              capabilities:
                  drop: [ALL]
`);
    const { stdout } = await runCli(
      ['-f', 'compact', '--rule', 'container-run-as-root,container-capabilities,container-no-seccomp', '.'],
      dir,
    );
    expect(stdout).toBe('');
  });

  it('diffs keep context and number their hunks', () => {
    const before = `${Array.from({ length: 20 }, (_, i) => `line${i}`).join('\n')}\n`;
    const after = before.replace('line2\n', 'line2\nnew\n').replace('line17\n', '');
    expect(unifiedDiff('f.yaml', before, after)).toBe(
      '--- a/f.yaml\n+++ b/f.yaml\n@@ -1,6 +1,7 @@\n line0\n line1\n line2\n+new\n line3\n line4\n line5\n@@ -15,6 +16,5 @@\n line14\n line15\n line16\n-line17\n line18\n line19\n',
    );
  });
});

it('every rule file that declares a fix is exercised above', () => {
  const declaring = readdirSync('rules', { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && f !== 'index.ts' && /\bfix: \{/.test(readFileSync(join('rules', f), 'utf8')))
    .map((f) => f.split('/').pop()!.replace(/\.ts$/, ''));
  expect(declaring.sort()).toEqual([...FIXING_RULES].sort());
});
