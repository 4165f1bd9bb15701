// Messages that name files or folders (a kustomization, a Helm chart, the builds of a finding) keep their parts, so
// that a report whose paths are relative to another folder (SARIF, GitLab, GitHub: the repository root) shows the
// paths inside a message as it shows the message's file.
import type { Finding } from './run.js';

/** Text, or a path as shown to users (the way findings' files are shown). */
export type MessagePart = string | { readonly path: string };

/** A message and its parts (see MessagePart). */
export interface PathMessage {
  readonly message: string;
  readonly messageParts: readonly MessagePart[];
}

export function pathMessage(...parts: MessagePart[]): PathMessage {
  return { message: renderMessage(parts, (path) => path), messageParts: parts };
}

/** The message with each path shown by `show`. */
export function renderMessage(parts: readonly MessagePart[], show: (path: string) => string): string {
  return parts.map((part) => (typeof part === 'string' ? part : show(part.path))).join('');
}

/**
 * A finding as a plain object, its message as text, its fields in the order findings always had: what is stored
 * or serialised of a finding (the cache's run, JSON.stringify). Fields a finding lacks are undefined (JSON leaves
 * them out).
 */
export function plainFinding(f: Finding): Finding {
  return {
    ruleId: f.ruleId,
    message: f.message,
    file: f.file,
    resource: f.resource,
    path: f.path,
    fingerprint: f.fingerprint,
    range: f.range,
    related: f.related,
    severity: f.severity,
    fix: f.fix,
    messageParts: f.messageParts,
    suppression: f.suppression,
  };
}
