// The `# expect:` markers of fixtures and examples live with the example runner (meshlint test-rules reads them too).
export { actualFindings, expectedFindings } from '../src/engine/examples.js';
