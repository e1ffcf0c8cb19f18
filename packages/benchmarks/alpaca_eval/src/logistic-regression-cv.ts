/** Settings of `fitLogisticRegressionCV`. */
export interface LogisticRegressionCVSettings {
  folds: number;
}

export function fitLogisticRegressionCV(
  _features: readonly (readonly number[])[],
  _targets: readonly number[],
  _weights: readonly number[],
  _settings: LogisticRegressionCVSettings,
): number[] {
  throw new Error('not implemented');
}
