import { describe, expect, it } from 'vitest';
import { scan } from '../src/scan.js';
import { ConfigError, parseConfig } from '../src/engine/config.js';
import { defineRule, inFamily } from '../src/engine/rule.js';
import { RULES } from '../rules/index.js';
import { runCli, tempRepo } from './helpers.js';

const privilegedPod = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  hostPID: true\n  containers: []\n';

const optionRule = inFamily(
  'test',
  defineRule({
    id: 'test-max-replicas',
    title: 'Test rule with options',
    severity: 'warning',
    securitySeverity: 1,
    tags: ['security'],
    description: 'A rule used only by the configuration tests to prove option defaults, overrides and validation.',
    remediation: 'None.',
    messages: { tooMany: '{{resource}} has {{n}} replicas, more than {{max}}.' },
    options: {
      schema: { type: 'object', properties: { max: { type: 'integer', minimum: 1 } }, additionalProperties: false },
      defaults: { max: 3 },
    },
    examples: { invalid: {}, valid: {} },
    check({ graph, options, report }) {
      for (const r of graph.ofKind('Deployment')) {
        const n = Number((r.body.spec as { replicas?: number })?.replicas ?? 1);
        if (n > options.max)
          report({ resource: r, path: ['spec', 'replicas'], messageId: 'tooMany', data: { n, max: options.max } });
      }
    },
  }),
);

describe('configuration', () => {
  it('sets severities and turns rules off', async () => {
    const cwd = tempRepo({
      'p.yaml': privilegedPod,
      '.meshlint.yaml':
        'rules:\n  container-privileged: note\n  workload-default-service-account: off\n  networkpolicy-no-default-deny: off\n',
    });
    const result = await scan({ cwd });
    expect(result.findings.map((f) => `${f.ruleId}:${f.severity}`)).toEqual(['container-privileged:note']);
    expect(result.rules.map((r) => r.id)).not.toContain('workload-default-service-account');
  });

  it('ignores paths by glob, relative to the configuration file', async () => {
    const cwd = tempRepo({
      'vendor/x/p.yaml': privilegedPod,
      'app/p.yaml': privilegedPod,
      '.meshlint.yaml': 'ignore:\n  - vendor/**\n',
    });
    const files = new Set((await scan({ cwd })).findings.map((f) => f.file));
    expect([...files]).toEqual(['app/p.yaml']);
  });

  it('passes rule options with defaults, and validates them against the rule schema with a located message', async () => {
    const deployment = 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  replicas: 5\n';
    const rules = [...RULES, optionRule];
    const byDefault = await scan({ cwd: tempRepo({ 'd.yaml': deployment }), rules, configPath: false });
    expect(byDefault.findings.find((f) => f.ruleId === 'test-max-replicas')?.message).toBe(
      'Deployment default/d has 5 replicas, more than 3.',
    );
    const raised = await scan({
      cwd: tempRepo({
        'd.yaml': deployment,
        '.meshlint.yaml': 'rules:\n  test-max-replicas: { options: { max: 10 } }\n',
      }),
      rules,
    });
    expect(raised.findings.filter((f) => f.ruleId === 'test-max-replicas')).toEqual([]);
    expect(() =>
      parseConfig('rules:\n  test-max-replicas:\n    options:\n      max: 0\n', rules, 'c.yaml', '.'),
    ).toThrow(/^c\.yaml:4:7: options of "test-max-replicas": max must be 1 or more\./);
    expect(() => parseConfig('rules:\n  test-max-replicas:\n    options: { maks: 2 }\n', rules, 'c.yaml', '.')).toThrow(
      /unknown key "maks"/,
    );
    expect(() => parseConfig('rules:\n  container-privileged: { options: { a: 1 } }\n', rules, 'c.yaml', '.')).toThrow(
      /has no options/,
    );
  });

  it('rejects a configured pattern RE2 cannot run, at its line and key (never dropped silently)', () => {
    const config = (option: string) =>
      `rules:\n  secret-hardcoded:\n    options:\n      ${option}:\n        - ok\n        - "(?=lookahead)x"\n`;
    expect(() => parseConfig(config('allowPatterns'), RULES, 'c.yaml', '.')).toThrow(
      /^c\.yaml:6:11: options of "secret-hardcoded": invalid regular expression \/\(\?=lookahead\)x\/: .*\(\?=/,
    );
    expect(() => parseConfig(config('secretNames'), RULES, 'c.yaml', '.')).toThrow(
      /^c\.yaml:6:11: options of "secret-hardcoded": invalid regular expression \/\(\?=lookahead\)x\//,
    );
    expect(() =>
      parseConfig('rules:\n  secret-hardcoded: { options: { allowPatterns: ["(a"] } }\n', RULES, 'c.yaml', '.'),
    ).toThrow(/missing closing \)/);
    expect(
      parseConfig(
        'rules:\n  secret-hardcoded: { options: { allowPatterns: ["^(a+)+$"] } }\n',
        RULES,
        'c.yaml',
        '.',
      ).rules.get('secret-hardcoded'),
    ).toBeDefined();
  });

  it('shares the secrets fingerprint salt with every rule', () => {
    expect(parseConfig('', RULES, 'c.yaml', '.').settings.secrets.fingerprintSalt).toBe('meshlint/secrets/v1');
    expect(
      parseConfig('rules:\n  secret-hardcoded: { options: { fingerprintSalt: pepper } }\n', RULES, 'c.yaml', '.')
        .settings.secrets.fingerprintSalt,
    ).toBe('pepper');
  });

  it('reads off as the string "off" (YAML 1.2), not the YAML 1.1 boolean', () => {
    const config = parseConfig('rules:\n  container-privileged: off\n', RULES, 'c.yaml', '.');
    expect(config.rules.get('container-privileged')).toEqual({ severity: 'off' });
  });

  it('defaults the mesh settings and validates them', () => {
    expect(parseConfig('', RULES, 'c.yaml', '.').settings.mesh).toEqual({
      rootNamespace: 'istio-system',
      assumeInjected: false,
      clusterDomain: 'cluster.local',
    });
    expect(parseConfig('mesh:\n  rootNamespace: mesh-root\n', RULES, 'c.yaml', '.').settings.mesh.rootNamespace).toBe(
      'mesh-root',
    );
    expect(() => parseConfig('mesh:\n  assumeInjected: maybe\n', RULES, 'c.yaml', '.')).toThrow(
      /c\.yaml:2:3: mesh\.assumeInjected must be true or false\./,
    );
  });

  it('reports a YAML syntax error in the configuration at its line', () => {
    expect(() => parseConfig('rules:\n  a: "x" y\n', RULES, 'c.yaml', '.')).toThrow(ConfigError);
    expect(() => parseConfig('rules:\n  a: "x" y\n', RULES, 'c.yaml', '.')).toThrow(/^c\.yaml:2:/);
  });

  it('reports every problem at once, in plain words, at file:line:col, with suggestions', () => {
    const text =
      'rule:\n  container-privileged: error\nignore: vendor/**\nrules:\n  container-privilegd: error\n  tls-weak-version: fatal\n  mtls-not-strict: { severity: error, option: {} }\nmesh:\n  assumeInjected: maybe\n  rootNamespce: x\n';
    let error: ConfigError | undefined;
    try {
      parseConfig(text, RULES, 'c.yaml', '.');
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.message.split('\n')).toEqual([
      'c.yaml:1:1: unknown key "rule" in the configuration (did you mean "rules"?).',
      'c.yaml:3:1: ignore must be a list of globs.',
      'c.yaml:5:3: unknown rule "container-privilegd" (did you mean "container-privileged"?). Run meshlint --list-rules for the ids.',
      'c.yaml:6:3: rules.tls-weak-version must be one of "error", "warning", "note", "off".',
      'c.yaml:7:39: unknown key "option" in rules.mtls-not-strict (did you mean "options"?).',
      'c.yaml:9:3: mesh.assumeInjected must be true or false.',
      'c.yaml:10:3: unknown key "rootNamespce" in mesh (did you mean "rootNamespace"?).',
    ]);
    expect(error!.problems.map((p) => p.line)).toEqual([1, 3, 5, 6, 7, 9, 10]);
  });

  it('names each bad item and every YAML syntax problem', () => {
    expect(() => parseConfig('ignore:\n  - ""\n  - 5\n', RULES, 'c.yaml', '.')).toThrow(
      /^c\.yaml:2:5: ignore\[0\] must not be empty\.\nc\.yaml:3:5: ignore\[1\] must be a glob \(a string\)\.$/,
    );
    expect(() => parseConfig('ignore: []\nignore: []\nmesh: [\n', RULES, 'c.yaml', '.')).toThrow(
      /^c\.yaml:2:1: Duplicate key "ignore".*\nc\.yaml:\d+:\d+: Flow sequence/,
    );
  });

  it('prints one line per problem and exits 2 on the command line', async () => {
    const cwd = tempRepo({ 'p.yaml': privilegedPod, '.meshlint.yaml': 'rule: {}\nignore: x\n' });
    const result = await runCli(['.'], cwd);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([
      'meshlint: configuration error: .meshlint.yaml:1:1: unknown key "rule" in the configuration (did you mean "rules"?).',
      'meshlint: configuration error: .meshlint.yaml:2:1: ignore must be a list of globs.',
    ]);
  });
});
