// What a match may refer to outside itself: the live database view the parser and validator check names and
// set contents against. Plain data, so callers can build it from any cache (or from an NbSnapshot, see
// nb/context.ts).

export interface MatchContext {
  /**
   * Address sets by name, each with its addresses as stored. Include the sets ovn-northd derives from port
   * groups (`<group>_ip4`, `<group>_ip6`); buildMatchContext() does. When absent, `$name` is not checked.
   */
  readonly addressSets?: ReadonlyMap<string, readonly string[]>;
  /** Port groups by name, each with the names of its member ports. When absent, `@name` is not checked. */
  readonly portGroups?: ReadonlyMap<string, readonly string[]>;
  /** Names of the logical ports that exist, for `inport == "…"`. When absent, port names are not checked. */
  readonly ports?: ReadonlySet<string>;
  /**
   * The ports of the logical switch(es) the flow lands on. ovn-controller resolves `@group` only through the
   * group's ports on the flow's own datapath, and refuses the whole flow when it has none there; with this set
   * given, the parser does the same (an error), without it an empty group is only a warning.
   */
  readonly datapathPorts?: ReadonlySet<string>;
}
