// Sample OVN NB / Open_vSwitch data and churn generators (`@ovsdb-web/server/sample`).
export { DEFAULT_MAX_OPS_PER_BATCH, type SampleDataset } from './dataset.js';
export {
  CLUSTER_CIDR,
  OVN_NB_DB,
  STANDARD_PRESETS,
  k8sDataset,
  k8sNodeName,
  nodeSubnet,
  standardDataset,
  standardPortGroupName,
  standardRowCount,
  standardSwitchName,
  type K8sOptions,
  type StandardOptions,
} from './ovn-nb.js';
export { OPEN_VSWITCH_DB, openVSwitchDataset, type OpenVSwitchOptions } from './open-vswitch.js';
export { LoadError, loadDataset, type LoadOptions, type LoadStats, type Transactor } from './load.js';
export {
  CHURN_KINDS,
  DEFAULT_CHURN_WEIGHTS,
  runChurn,
  type ChurnKind,
  type ChurnOptions,
  type ChurnStats,
  type KindStats,
} from './churn.js';
export { packGroups, type Batches, type OpGroup } from './wire.js';
export { Random } from './random.js';
