// The istio model's public surface: what rules and other layers import.
export * from './authz.js';
export * from './gateways.js';
export * from './membership.js';
export * from './mtls.js';
export * from './resources.js';
export * from './services.js';
export * from './meshconfig.js';
