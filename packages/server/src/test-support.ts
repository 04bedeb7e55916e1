/**
 * Helpers shared by this package's tests (not exported from the package): reading JSON fixtures exactly,
 * and OVS's `uuidfilt` normalisation, which makes results with random UUIDs comparable.
 */
import { readFileSync } from 'node:fs';
import { parseJson, stringifyJson, type Json, type JsonObject } from '@ovsdb-web/client';

export function readJsonFile(path: string): Json {
  return parseJson(readFileSync(path, 'utf8'));
}

export function sortKeysDeep(json: Json): Json {
  if (json === null || typeof json !== 'object') return json;
  if (Array.isArray(json)) return json.map(sortKeysDeep);
  const out: JsonObject = {};
  for (const k of Object.keys(json).sort()) out[k] = sortKeysDeep(json[k] as Json);
  return out;
}

const UUID_RE = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/**
 * Numbers UUIDs `<0>`, `<1>`... in order of first appearance across all the values given to one instance
 * (UUIDs starting with ffffffff are kept, as OVS's uuidfilt keeps them).
 */
export class UuidFilter {
  private readonly seen = new Map<string, number>();

  constructor(private readonly keep: (uuid: string) => boolean = (u) => u.startsWith('ffffffff')) {}

  marker(uuid: string): string {
    if (this.keep(uuid)) return uuid;
    let n = this.seen.get(uuid);
    if (n === undefined) this.seen.set(uuid, (n = this.seen.size));
    return `<${n}>`;
  }

  /** Pre-register UUIDs so that they get the next markers (e.g. in the order inserts returned them). */
  register(uuid: string): void {
    this.marker(uuid);
  }

  filter(value: Json): Json {
    const text = stringifyJson(sortKeysDeep(value)).replace(UUID_RE, (u) => this.marker(u));
    return sortMarkerSets(parseJson(text));
  }
}

function markerNumber(j: Json): number | undefined {
  if (Array.isArray(j) && j.length === 2 && j[0] === 'uuid' && typeof j[1] === 'string') {
    const m = /^<(\d+)>$/.exec(j[1]);
    if (m) return Number(m[1]);
  }
  return undefined;
}

/** `["set", [["uuid","<3>"],["uuid","<1>"]]]` with markers only → markers in ascending order. */
export function sortMarkerSets(json: Json): Json {
  if (json === null || typeof json !== 'object') return json;
  if (Array.isArray(json)) {
    const items = json.map(sortMarkerSets);
    if (items[0] === 'set' && Array.isArray(items[1])) {
      const members = items[1];
      const nums = members.map(markerNumber);
      if (members.length > 0 && nums.every((n) => n !== undefined)) {
        return ['set', [...members].sort((a, b) => (markerNumber(a) as number) - (markerNumber(b) as number))];
      }
    }
    return items;
  }
  const out: JsonObject = {};
  for (const k of Object.keys(json)) out[k] = sortMarkerSets(json[k] as Json);
  return out;
}
