/** A versioned migration. `sql` uses `{{schema}}` for the recorder's schema. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}
