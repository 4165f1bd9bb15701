import { readFileSync, statSync } from 'node:fs';
import { relative } from 'node:path';
import { parseSource, type SourceFile } from '../src/parse/source.js';
import { Builder } from '../src/kustomize/build.js';

/** Builds a kustomization directory from disk; the objects as plain data (YAML 1.1 values, like the scan reads). */
export function buildForComparison(dir: string): unknown[] {
  const parsed = new Map<string, SourceFile>();
  const builder = new Builder({
    yaml: (absolute) => {
      let file = parsed.get(absolute);
      if (!file) parsed.set(absolute, (file = parseSource(relative(process.cwd(), absolute), readFileSync(absolute))));
      return file;
    },
    text: (absolute) => readFileSync(absolute, 'utf8'),
    isDirectory: (absolute) => statSync(absolute, { throwIfNoEntry: false })?.isDirectory() ?? false,
    isFile: (absolute) => statSync(absolute, { throwIfNoEntry: false })?.isFile() ?? false,
  });
  return builder.build(dir).objects.map((o) => JSON.parse(JSON.stringify(o.body)));
}

/**
 * A Deployment `app` with one container `app`, as YAML text: `pod` lines go in the pod spec before `containers`,
 * `container` lines in the container, `after` lines in the pod spec after it (each written unindented here).
 */
export function appDeployment({
  pod = [],
  container = [],
  after = [],
}: {
  readonly pod?: readonly string[];
  readonly container?: readonly string[];
  readonly after?: readonly string[];
}): string {
  return [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: app',
    'spec:',
    '  template:',
    '    spec:',
    ...pod.map((line) => `      ${line}`),
    '      containers:',
    '        - name: app',
    ...container.map((line) => `          ${line}`),
    ...after.map((line) => `      ${line}`),
    '',
  ].join('\n');
}
