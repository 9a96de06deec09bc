/**
 * Debian's glance-api on loopback for a test file (SQLite, file store, no authentication, a free
 * port): startGlance() in beforeAll, stop() in afterAll. The implementation is plain JavaScript in
 * glance-server.mjs, shared with bench/register.bench.mjs.
 */
export { type GlanceServer, hasGlance, startGlance } from './glance-server.mjs';
