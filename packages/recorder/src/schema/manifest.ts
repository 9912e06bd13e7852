import type { ColumnDescriptor } from './columns';
import { MIGRATIONS } from '../migrations';
import type { Structure, WriteMode } from './structure';
import { STRUCTURES } from './structures';

export interface ManifestStructure {
  readonly name: string;
  /** The core (or recorder) type it records. */
  readonly type: string;
  readonly description: string;
  readonly table: string;
  readonly historyTable: string | null;
  readonly mode: WriteMode;
  readonly key: readonly string[];
  readonly versionColumn: string | null;
  readonly columns: readonly ColumnDescriptor[];
  readonly indexes: readonly (readonly string[])[];
  readonly brin: readonly string[];
  /** Fields of the type not stored, with the reason. */
  readonly omitted: Readonly<Record<string, string>>;
}

/** The schema manifest: what each unified structure is stored as. `schema/manifest.json` is this, committed. */
export interface RecorderManifest {
  readonly package: '@venuekit/recorder';
  /** The highest migration version; the database is at this version after `venuekit-recorder migrate`. */
  readonly schemaVersion: number;
  readonly structures: readonly ManifestStructure[];
}

export function manifestStructure(structure: Structure): ManifestStructure {
  return {
    name: structure.name,
    type: structure.type,
    description: structure.description,
    table: structure.table,
    historyTable: structure.historyTable ?? null,
    mode: structure.mode,
    key: [...structure.key],
    versionColumn: structure.versionColumn ?? null,
    columns: structure.columns.map(({ name, type, nullable, source, description }) => ({
      name,
      type,
      nullable,
      source,
      description,
    })),
    indexes: structure.indexes.map((index) => [...index]),
    brin: [...structure.brin],
    omitted: { ...structure.omitted },
  };
}

/** The manifest, built from the structure definitions (the single source of truth). */
export function recorderManifest(): RecorderManifest {
  return {
    package: '@venuekit/recorder',
    schemaVersion: MIGRATIONS.length === 0 ? 0 : (MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0),
    structures: STRUCTURES.map((s) => manifestStructure(s as Structure)),
  };
}

/** One structure's manifest entry by name (`trade`, `order`…), or undefined. */
export function manifestEntry(name: string): ManifestStructure | undefined {
  return recorderManifest().structures.find((s) => s.name === name);
}
