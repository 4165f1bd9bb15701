// The envoy model's public surface: what rules and other layers import.
export * from './fields.js';
export * from './indexes.js';
export * from './reader.js';
export * from './views.js';
