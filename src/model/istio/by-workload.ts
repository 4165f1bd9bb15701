// Policies by the workloads they apply to, for a policy kind whose selection is a list of workloads.
import type { Workload } from '../resource.js';

/**
 * Each workload's policies, in the order given. Policies are grouped by the list of workloads they select (the graph
 * hands out one list per namespace and per one-label selector), each list is read once, and workloads of the same
 * groups share one list of policies (the same object): a rule may derive what it needs from a list once, by the list.
 * Reading each policy's selection into a list per workload grew with policies x workloads.
 */
export function policiesByWorkload<P>(
  policies: readonly P[],
  selectionOf: (policy: P) => readonly Workload[],
): ReadonlyMap<Workload, readonly P[]> {
  if (policies.length === 0) return NO_WORKLOADS; // most namespaces have no policy of a kind: nothing made for them
  const bySelection = new Map<readonly Workload[], P[]>();
  for (const p of policies) {
    const selected = selectionOf(p);
    const group = bySelection.get(selected);
    if (group) group.push(p);
    else bySelection.set(selected, [p]);
  }
  const groupsOf = new Map<Workload, P[][]>();
  for (const [selected, group] of bySelection) {
    for (const w of selected) {
      const groups = groupsOf.get(w);
      if (groups) groups.push(group);
      else groupsOf.set(w, [group]);
    }
  }
  // A workload in several groups takes their policies in the given order; workloads of the same groups share it.
  let order: Map<P, number> | undefined;
  const groupIds = new Map<P[], number>();
  const idOf = (group: P[]) => {
    let id = groupIds.get(group);
    if (id === undefined) groupIds.set(group, (id = groupIds.size));
    return id;
  };
  const merged = new Map<string, P[]>();
  const byWorkload = new Map<Workload, readonly P[]>();
  for (const [w, groups] of groupsOf) {
    if (groups.length === 1) {
      byWorkload.set(w, groups[0]);
      continue;
    }
    const key = groups.map(idOf).join(',');
    let list = merged.get(key);
    if (!list) {
      const at = (order ??= new Map(policies.map((p, i) => [p, i])));
      list = groups.flat().sort((a, b) => at.get(a)! - at.get(b)!);
      merged.set(key, list);
    }
    byWorkload.set(w, list);
  }
  return byWorkload;
}

const NO_WORKLOADS: ReadonlyMap<Workload, never> = new Map<Workload, never>();
