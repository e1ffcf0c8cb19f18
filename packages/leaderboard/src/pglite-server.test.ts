import { describeServer } from './__fixtures__/server-suite.js';

describeServer('pglite');
