// Everything custom rules take from the model, in one place: the views they offer are the model's own (pod
// templates, effective mTLS, AuthorizationPolicy scopes, Kong routes with their plugins, Envoy listeners).
export type { Graph } from '../model/graph.js';
export { describe, isWorkload, type Resource, type Workload } from '../model/resource.js';
export { matchesSelector } from '../model/kubernetes/index.js';
export { arr, formatPath, get, isObj, obj, str, type Obj, type Path } from '../model/values.js';
export { authorizationPolicies, effectiveMtls, membership, selectedWorkloads } from '../model/istio/index.js';
export { kongRoutes } from '../model/kong/index.js';
export { envoyListeners } from '../model/envoy/index.js';
