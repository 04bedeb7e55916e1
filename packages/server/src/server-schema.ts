/**
 * The `_Server` database schema, exactly as ovsdb-server 3.1 serves it (copied from
 * packages/client/src/codegen/schemas/_Server.ovsschema). Kept as a module rather than a file so that it
 * travels with the compiled package.
 */
export const SERVER_SCHEMA_TEXT =
  '{"cksum":"3009684573 744","name":"_Server","tables":{"Database":{"columns":{"cid":{"type":{"key":"uuid","min":0}},"connected":{"type":"boolean"},"index":{"type":{"key":"integer","min":0}},"leader":{"type":"boolean"},"model":{"type":{"key":{"enum":["set",["clustered","relay","standalone"]],"type":"string"}}},"name":{"type":"string"},"schema":{"type":{"key":"string","min":0}},"sid":{"type":{"key":"uuid","min":0}}}}},"version":"1.2.0"}';
