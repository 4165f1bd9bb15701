// The kong model's public surface: what rules and other layers import.
export * from './indexes.js';
export * from './reader.js';
export * from './views.js';
