/** Shell commands that show the same row, for "copy as …" (run where the tools reach the database). */
const CTL: Record<string, string> = {
  OVN_Northbound: 'ovn-nbctl',
  OVN_Southbound: 'ovn-sbctl',
  Open_vSwitch: 'ovs-vsctl',
};

export function rowCommands(db: string, table: string, uuid: string): { label: string; text: string }[] {
  const out: { label: string; text: string }[] = [];
  const ctl = CTL[db];
  if (ctl) out.push({ label: ctl, text: `${ctl} list ${table} ${uuid}` });
  const select = JSON.stringify([db, { op: 'select', table, where: [['_uuid', '==', ['uuid', uuid]]] }]);
  out.push({ label: 'ovsdb-client', text: `ovsdb-client transact '${select}'` });
  return out;
}
