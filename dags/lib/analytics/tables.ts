/** The trusted tables the report reads, as DuckDB relations of the same names. */
export const TRUSTED_TABLES = ['users', 'videos', 'devices', 'events'] as const;
export type TrustedTable = (typeof TRUSTED_TABLES)[number];

/** Ingestion dates (`YYYY-MM-DD`) per trusted table. */
export type PartitionsByTable = Readonly<Record<TrustedTable, readonly string[]>>;
