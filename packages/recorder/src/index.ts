export { BookSampler } from './book-sampler';
export { type CliIo, runCli } from './cli/run';
export { type DatabaseOptions, DEFAULT_SCHEMA } from './db/connection';
export type { FailureKind } from './db/errors';
export {
  type AppliedMigration,
  databaseStatus,
  type MigrateResult,
  type MigrationStatus,
  migrateDatabase,
} from './db/migrator';
export { RecorderHealth, type RecorderHealthOptions, type RecorderHealthSource } from './health';
export { type RecorderMetricsRegistry, registerRecorderMetrics } from './metrics';
export { MIGRATIONS } from './migrations';
export { type RecorderModuleOptions, type RecordStreamRequest, recorderModule } from './module';
export {
  type ExchangeResolver,
  type MarketStreamSource,
  type RecordedStream,
  type RecordedUser,
  Recorder,
  type RecorderBufferOptions,
  type RecorderFigures,
  type RecorderOptions,
  type RecordStreamOptions,
  type StructureValues,
} from './recorder';
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
export {
  type DatabaseState,
  type RecorderBatchEvent,
  type RecorderDatabaseEvent,
  type RecorderLossEvent,
  recorderTelemetry,
} from './telemetry';
export { RecorderTokens } from './tokens';
export type { LossReason } from './writer/buffer';
export type { TableFigures, WriterFigures } from './writer/batch-writer';
