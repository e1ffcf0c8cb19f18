// Build step: ships the template benchmark inside the package, as dist/template.
import { join } from 'node:path';
import { copyTemplate } from './src/template.js';

await copyTemplate(join(import.meta.dirname, '..', '..'), join(import.meta.dirname, 'dist', 'template'));
