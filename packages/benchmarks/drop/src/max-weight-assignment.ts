/**
 * A maximum-weight one-to-one assignment of rows to columns of a rectangular score matrix (what
 * `scipy.optimize.linear_sum_assignment(-scores)` computes): `min(rows, columns)` pairs whose summed score is
 * as large as possible. Returns, for each row, its assigned column or `undefined` when it has none.
 *
 * Hungarian method with potentials, O(n²m) for n ≤ m; the matrix is transposed when it has more rows.
 */
export function maxWeightAssignment(scores: readonly (readonly number[])[]): (number | undefined)[] {
  const rowCount = scores.length;
  const columnCount = scores[0]?.length ?? 0;
  if (rowCount === 0 || columnCount === 0) return Array.from({ length: rowCount }, () => undefined);
  if (rowCount > columnCount) {
    const transposed = Array.from({ length: columnCount }, (_, column) =>
      scores.map((row) => row[column] ?? 0),
    );
    const byColumn = maxWeightAssignment(transposed);
    const byRow: (number | undefined)[] = Array.from({ length: rowCount }, () => undefined);
    byColumn.forEach((row, column) => {
      if (row !== undefined) byRow[row] = column;
    });
    return byRow;
  }
  // Minimise the negated scores. Arrays are 1-based with index 0 as the algorithm's virtual row/column.
  const cost = (row: number, column: number) => -(scores[row - 1]?.[column - 1] ?? 0);
  const rowPotential = new Array<number>(rowCount + 1).fill(0);
  const columnPotential = new Array<number>(columnCount + 1).fill(0);
  const rowOfColumn = new Array<number>(columnCount + 1).fill(0);
  const previousColumn = new Array<number>(columnCount + 1).fill(0);
  for (let row = 1; row <= rowCount; row++) {
    rowOfColumn[0] = row;
    let column = 0;
    const slack = new Array<number>(columnCount + 1).fill(Number.POSITIVE_INFINITY);
    const used = new Array<boolean>(columnCount + 1).fill(false);
    do {
      used[column] = true;
      const currentRow = rowOfColumn[column] as number;
      let delta = Number.POSITIVE_INFINITY;
      let nextColumn = 0;
      for (let candidate = 1; candidate <= columnCount; candidate++) {
        if (used[candidate]) continue;
        const reduced =
          cost(currentRow, candidate) -
          (rowPotential[currentRow] as number) -
          (columnPotential[candidate] as number);
        if (reduced < (slack[candidate] as number)) {
          slack[candidate] = reduced;
          previousColumn[candidate] = column;
        }
        if ((slack[candidate] as number) < delta) {
          delta = slack[candidate] as number;
          nextColumn = candidate;
        }
      }
      for (let candidate = 0; candidate <= columnCount; candidate++) {
        if (used[candidate]) {
          const assigned = rowOfColumn[candidate] as number;
          rowPotential[assigned] = (rowPotential[assigned] as number) + delta;
          columnPotential[candidate] = (columnPotential[candidate] as number) - delta;
        } else slack[candidate] = (slack[candidate] as number) - delta;
      }
      column = nextColumn;
    } while (rowOfColumn[column] !== 0);
    // Flip the augmenting path back to the start.
    do {
      const previous = previousColumn[column] as number;
      rowOfColumn[column] = rowOfColumn[previous] as number;
      column = previous;
    } while (column !== 0);
  }
  const assignment: (number | undefined)[] = Array.from({ length: rowCount }, () => undefined);
  for (let column = 1; column <= columnCount; column++) {
    const row = rowOfColumn[column] as number;
    if (row !== 0) assignment[row - 1] = column - 1;
  }
  return assignment;
}
