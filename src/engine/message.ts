// Messages that name files or folders (a kustomization, a Helm chart, the builds of a finding) keep their parts, so
// that a report whose paths are relative to another folder (SARIF, GitLab, GitHub: the repository root) shows the
// paths inside a message as it shows the message's file.

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
