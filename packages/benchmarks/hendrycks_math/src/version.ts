/** This package's version, equal to `version` in package.json (the conformance suite compares them). */
export const VERSION = '0.1.0';
