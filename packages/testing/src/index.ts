// @ovsdb-web/testing: run real ovsdb-server processes (standalone or RAFT
// clustered) for integration tests, plus CLI helpers to seed and inspect them.
export {
  CommandError,
  StopWaiting,
  freePort,
  listeningPorts,
  run,
  waitFor,
  type RunOptions,
  type WaitOptions,
} from './proc.js';
export {
  appctl,
  aclOnPortGroupArgs,
  ovnNbctl,
  ovsdbClient,
  tlsArgs,
  transactViaCli,
  ovsdbDump,
  type DumpOptions,
  type DumpedTable,
  type ClientTls,
  type Json,
  type CliTransactOptions,
} from './cli.js';
export {
  OVN_NB_SCHEMA,
  OVN_SB_SCHEMA,
  OVSDB_SERVER,
  OvsdbStartError,
  VSWITCH_SCHEMA,
  schemaName,
  startOvsdbServer,
  type OvsdbServerProcess,
  type RestartOptions,
  type StartOptions,
} from './server.js';
export {
  parseClusterStatus,
  startCluster,
  type ClusterMember,
  type ClusterOptions,
  type ClusterServerEntry,
  type ClusterStatus,
  type OvsdbCluster,
} from './cluster.js';
export { ovsVectorPath, SHARED_VECTORS_DIR, BUNDLED_VECTORS_DIR } from './vectors.js';
