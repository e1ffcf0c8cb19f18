export { CappedOutput } from './capped-output.js';
export { splitExitStatus } from './exit-status.js';
