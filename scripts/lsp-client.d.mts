// Types of lsp-client.mjs (a plain module so that npm run bench runs it without a build step).
import type { MessageConnection } from 'vscode-jsonrpc/node';

export interface Publication {
  readonly version?: number;
  readonly diagnostics: any[];
  /** performance.now() when it arrived. */
  readonly at: number;
}

export interface LanguageClient {
  readonly connection: MessageConnection;
  /** The server's process id. */
  readonly pid: number | undefined;
  readonly initialized: any;
  readonly registrations: { id: string; method: string; registerOptions?: unknown }[];
  readonly published: Map<string, Publication[]>;
  readonly stderr: string;
  latest(uri: string): Publication | undefined;
  waitFor(
    uri: string,
    predicate?: (p: Publication) => boolean,
    options?: { after?: number; timeoutMs?: number },
  ): Promise<Publication>;
  count(uri: string): number;
  open(path: string, text: string, languageId?: string): Promise<string>;
  change(uri: string, text: string): Promise<number>;
  text(uri: string): string | undefined;
  close(uri: string): Promise<void>;
  stop(): Promise<number | null>;
}

export function fileUri(path: string): string;
export function startClient(options: { bin: string; root: string; watch?: boolean }): Promise<LanguageClient>;
export function applyTextEdits(
  text: string,
  edits: readonly {
    range: { start: { line: number; character: number }; end: { line: number; character: number } };
    newText: string;
  }[],
): string;
