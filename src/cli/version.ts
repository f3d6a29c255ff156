declare const __KINDLING_VERSION__: string | undefined;
/** Set at build time from package.json (scripts/build.mjs); '0.0.0-dev' when run unbundled in tests. */
export const VERSION: string = typeof __KINDLING_VERSION__ === 'string' ? __KINDLING_VERSION__ : '0.0.0-dev';
