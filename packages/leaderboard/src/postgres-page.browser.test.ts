import { describePage } from './__fixtures__/page-suite.js';

describePage('postgres');
