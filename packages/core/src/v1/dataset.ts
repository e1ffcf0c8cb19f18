/**
 * One data file a benchmark needs, pinned. The runner resolves it: from `EVALCHEMY_DATASETS_DIR/<offlinePath>`
 * when that directory is set (tests, air-gapped clusters), else from the Hugging Face Hub at the pinned
 * revision, cached under the user's cache directory. Either way the bytes must match `sha256`.
 */
export interface DatasetFileV1 {
  /** Hub location of the file. */
  hub: {
    /** Repository id, e.g. `openai/gsm8k`. */
    repository: string;
    /** `dataset` (default) or `model` repository. */
    repositoryType?: 'dataset' | 'model';
    /**
     * Commit sha (40 hex) the file is pinned to, never a branch such as `main` whose files can change. Where no
     * commit can be found (the file is not on the Hub, or its commit could not be looked up), a branch name stands
     * as a placeholder: `sha256` is then the only pin, and the plugin's README says so and how a user can pin
     * the file (evalchemy's repository checks both for its own benchmarks).
     */
    revision: string;
    /** Path inside the repository, e.g. `main/test-00000-of-00001.parquet`. */
    path: string;
  };
  /** Path relative to `EVALCHEMY_DATASETS_DIR`, e.g. `gsm8k/test.jsonl` (the layout of shared/datasets). */
  offlinePath: string;
  /**
   * sha256 (hex) of the file's bytes. When the offline copy and the Hub copy are different encodings of the
   * same data (JSONL offline, parquet on the Hub), give both. A Hub hash not yet known (`hub` omitted) is
   * recorded on first download and checked on every later use, with a warning saying so.
   */
  sha256: string | { offline: string; hub?: string };
  /**
   * Encoding of the rows, for `rows()`; default from the path's extension (`.jsonl`, `.json` (an array),
   * `.csv` (with a header row unless `csvColumns` is given), `.parquet`; each also `.gz`). `offline` applies
   * to the offline copy when it differs from the Hub's.
   */
  format?: { offline?: DatasetFormatV1; hub?: DatasetFormatV1 };
  /** Column names for a CSV file without a header row (MMLU). */
  csvColumns?: string[];
}

export type DatasetFormatV1 = 'jsonl' | 'json' | 'csv' | 'parquet';

/** One row of a data file: a JSON object, or a CSV/parquet row keyed by column name. */
export type DatasetRowV1 = Record<string, unknown>;

/** Resolves pinned data files to local paths, verifying their sha256. */
export interface DatasetResolverV1 {
  /** Local path of the verified file. Throws `DatasetError` naming the file and what to do. */
  resolve(file: DatasetFileV1): Promise<DatasetLocationV1>;
  /** The verified file's rows, decoded according to its format. Throws `DatasetError` on a malformed file. */
  rows(file: DatasetFileV1): Promise<DatasetRowV1[]>;
}

export interface DatasetLocationV1 {
  path: string;
  /** Which copy was used: `offline` (EVALCHEMY_DATASETS_DIR) or `hub` (Hugging Face Hub cache). */
  source: 'offline' | 'hub';
}
