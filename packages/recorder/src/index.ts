export { type CliIo, runCli } from './cli/run';
export { type DatabaseOptions, DEFAULT_SCHEMA } from './db/connection';
export type { FailureKind } from './db/errors';
export {
  type AppliedMigration,
  type MigrateResult,
  databaseStatus,
  type MigrationStatus,
  migrateDatabase,
} from './db/migrator';
export { MIGRATIONS } from './migrations';
export type { ColumnDescriptor, ColumnType } from './schema/columns';
export {
  type ManifestStructure,
  manifestEntry,
  type RecorderManifest,
  recorderManifest,
} from './schema/manifest';
export type { Migration } from './schema/migration';
export type { RecordContext, WriteMode } from './schema/structure';
export type { BalanceChange, StreamEvent, StructureName } from './schema/structures';
