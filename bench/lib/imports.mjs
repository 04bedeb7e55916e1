// The built workspace packages. The root package does not depend on them, so bare specifiers like
// '@ovsdb-web/client' do not resolve from bench/; import their dist entry points by path instead
// (`pnpm bench` builds them first).
export { OvsdbClient, Monitor } from '../../packages/client/dist/index.js';
export { startOvsdbServer, ovnNbctl, OVN_NB_SCHEMA, OVSDB_SERVER, run } from '../../packages/testing/dist/index.js';
export { standardDataset, loadDataset, standardSwitchName } from '../../packages/server/dist/sample/index.js';
