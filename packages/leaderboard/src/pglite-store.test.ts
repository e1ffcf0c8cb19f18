import { describeStore } from './__fixtures__/store-suite.js';

describeStore('pglite');
