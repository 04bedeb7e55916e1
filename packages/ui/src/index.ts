// Public API of @ovsdb-web/ui: components with no app state — props in, callbacks out.
export {
  DatumView,
  datumTitle,
  isEmptyDatum,
  shortUuid,
  typeText,
  constraintText,
  wireAtomText,
} from './values/datum.js';
export type { ValueContext } from './values/datum.js';
export { VirtualTable } from './table/virtual-table.js';
export type { GridColumn, GridRow, GridSort, GridWindow, VirtualTableProps } from './table/virtual-table.js';
export { RowDetail } from './row/row-detail.js';
export type { RowDetailProps, DetailReference, DetailVersion } from './row/row-detail.js';
export { Sparkline } from './common/sparkline.js';
export { SchemaView, SchemaGraph, TableSchemaView, schemaEdges } from './schema/schema-view.js';
export { ChangeView, diffDatums } from './values/diff.js';
export type { DatumDiff } from './values/diff.js';
export { Field, RefPicker, atomFromText, atomToText } from './edit/fields.js';
export type { FieldProps, RefOption, RefSearch } from './edit/fields.js';
export { PlanView, formatOperations } from './edit/plan-view.js';
export type { PlanViewProps, PlanCheckView, PlanGuardView } from './edit/plan-view.js';
export { MatchEditor, checkMatch } from './ovn/match-editor.js';
export type { MatchEditorProps } from './ovn/match-editor.js';
