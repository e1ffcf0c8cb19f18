/**
 * One data file a benchmark needs, pinned. The runner resolves it: from `EVALCHEMY_DATASETS_DIR/<offlinePath>`
 * when that directory is set (tests, air-gapped clusters), else from the Hugging Face Hub at the pinned
 * revision, cached under the user's cache directory. Either way the bytes must match `sha256`.
 */
export interface DatasetFile {
  /** Hub location of the file. */
  hub: {
    /** Repository id, e.g. `openai/gsm8k`. */
    repository: string;
    /** `dataset` (default) or `model` repository. */
    repositoryType?: 'dataset' | 'model';
    /** Commit sha (40 hex) the file is pinned to. */
    revision: string;
    /** Path inside the repository, e.g. `main/test-00000-of-00001.parquet`. */
    path: string;
  };
  /** Path relative to `EVALCHEMY_DATASETS_DIR`, e.g. `gsm8k/test.jsonl` (the layout of shared/datasets). */
  offlinePath: string;
  /**
   * sha256 (hex) of the file's bytes. When the offline copy and the Hub copy are different encodings of the
   * same data (JSONL offline, parquet on the Hub), give both: `offline` and `hub`.
   */
  sha256: string | { offline: string; hub: string };
}

/** Resolves pinned data files to local paths, verifying their sha256. */
export interface DatasetResolver {
  /** Local path of the verified file. Throws `DatasetError` naming the file and what to do. */
  resolve(file: DatasetFile): Promise<DatasetLocation>;
}

export interface DatasetLocation {
  path: string;
  /** Which copy was used: `offline` (EVALCHEMY_DATASETS_DIR) or `hub` (Hugging Face Hub cache). */
  source: 'offline' | 'hub';
}
