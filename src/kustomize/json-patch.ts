// JSON 6902 patches (RFC 6902: add, remove, replace, move, copy, test) on a built object, origins kept: a value the
// patch adds remembers the patch's `value` line.
import { clone, isMapNode, itemsOf, originOf, put, remove, removeBy, setOrigin, type Origin } from './traced.js';

export interface PatchOperation {
  readonly op: string;
  readonly path: string;
  readonly from?: string;
  readonly value?: unknown;
  /** Where the operation's value was written (for `add`, `replace`). */
  readonly valueOrigin?: Origin;
  /** Where the operation was written (a removed key points there). */
  readonly at?: Origin;
}

export class JsonPatchError extends Error {}

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new JsonPatchError(`path "${path}" does not start with "/"`);
  return path
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

type Parent = { container: Record<string, unknown> | unknown[]; key: string };

function parentOf(root: Record<string, unknown>, path: string): Parent {
  const segments = pointer(path);
  if (segments.length === 0) throw new JsonPatchError('an operation on the whole object is not supported');
  let node: unknown = root;
  for (const segment of segments.slice(0, -1)) {
    if (Array.isArray(node)) node = node[indexIn(node, segment, false)];
    else if (isMapNode(node) && Object.hasOwn(node, segment)) node = node[segment];
    else throw new JsonPatchError(`path "${path}" does not exist`);
  }
  if (!Array.isArray(node) && !isMapNode(node)) throw new JsonPatchError(`path "${path}" does not exist`);
  return { container: node, key: segments[segments.length - 1] };
}

function indexIn(items: unknown[], segment: string, forAdd: boolean): number {
  if (forAdd && segment === '-') return items.length;
  if (!/^(0|[1-9][0-9]*)$/.test(segment)) throw new JsonPatchError(`"${segment}" is not a list index`);
  const index = Number(segment);
  if (index > items.length || (!forAdd && index === items.length))
    throw new JsonPatchError(`index ${index} is out of range`);
  return index;
}

function read(root: Record<string, unknown>, path: string): { value: unknown; origin: Origin | undefined } {
  const { container, key } = parentOf(root, path);
  if (Array.isArray(container)) {
    const i = indexIn(container, key, false);
    return { value: container[i], origin: originOf(container, i) };
  }
  if (!Object.hasOwn(container, key)) throw new JsonPatchError(`path "${path}" does not exist`);
  return { value: container[key], origin: originOf(container, key) };
}

function add(root: Record<string, unknown>, path: string, value: unknown, origin: Origin | undefined): void {
  const { container, key } = parentOf(root, path);
  if (Array.isArray(container)) {
    const items = itemsOf(container);
    items.splice(indexIn(container, key, true), 0, { value, origin });
    replaceItems(container, items);
  } else {
    put(container, key, value, origin);
  }
}

function removeAt(root: Record<string, unknown>, path: string, by?: Origin): void {
  const { container, key } = parentOf(root, path);
  if (Array.isArray(container)) {
    const items = itemsOf(container);
    items.splice(indexIn(container, key, false), 1);
    replaceItems(container, items);
  } else {
    if (!Object.hasOwn(container, key)) throw new JsonPatchError(`path "${path}" does not exist`);
    if (by) removeBy(container, key, by);
    else remove(container, key);
  }
}

/** Lists are changed in place (their holder keeps its reference and origin). */
function replaceItems(target: unknown[], items: { value: unknown; origin: Origin | undefined }[]): void {
  target.length = 0;
  items.forEach((item, i) => {
    target.push(item.value);
    setOrigin(target, i, item.origin);
  });
}

export function applyJsonPatch(root: Record<string, unknown>, operations: readonly PatchOperation[]): void {
  for (const operation of operations) {
    switch (operation.op) {
      case 'add':
        add(root, operation.path, clone(operation.value), operation.valueOrigin);
        break;
      case 'remove':
        removeAt(root, operation.path, operation.at);
        break;
      case 'replace': {
        read(root, operation.path);
        const { container, key } = parentOf(root, operation.path);
        if (Array.isArray(container)) {
          const i = indexIn(container, key, false);
          const items = itemsOf(container);
          items[i] = { value: clone(operation.value), origin: operation.valueOrigin };
          replaceItems(container, items);
        } else {
          put(container, key, clone(operation.value), operation.valueOrigin);
        }
        break;
      }
      case 'move': {
        const moved = read(root, operation.from ?? '');
        removeAt(root, operation.from ?? '');
        add(root, operation.path, moved.value, moved.origin);
        break;
      }
      case 'copy': {
        const copied = read(root, operation.from ?? '');
        add(root, operation.path, clone(copied.value), copied.origin);
        break;
      }
      case 'test': {
        const { value } = read(root, operation.path);
        if (JSON.stringify(value) !== JSON.stringify(operation.value))
          throw new JsonPatchError(`test at "${operation.path}" failed`);
        break;
      }
      default:
        throw new JsonPatchError(`unknown operation "${operation.op}"`);
    }
  }
}
