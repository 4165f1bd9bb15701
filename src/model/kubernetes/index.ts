// The kubernetes model's public surface: what rules and other layers import.
export * from './reader.js';
export * from './security.js';
export * from './selectors.js';
