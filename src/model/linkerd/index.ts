// The linkerd model's public surface: what rules and other layers import.
export * from './views.js';
export * from './policy.js';
