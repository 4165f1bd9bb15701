// Types of package-vscode.mjs.
export function packageExtension(outDir?: string): Promise<string>;
