// Imported first by the executable: where Node has a module compile cache (22.1+), turn it on so that what is
// loaded after this point (the lazily loaded validators, the parser threads' copy of the bundle) is compiled once
// per machine rather than once per run. Node 20 has no such cache; then this does nothing.
import module from 'node:module';

const withCache = module as typeof module & { enableCompileCache?: () => unknown };
if (typeof withCache.enableCompileCache === 'function' && !process.env.NODE_DISABLE_COMPILE_CACHE)
  withCache.enableCompileCache();
