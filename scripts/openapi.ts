/** `npm run openapi`: writes docs/openapi.json from the contract table (a test checks it is current). */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildOpenApi } from '../shared/api/openapi';

const file = resolve(import.meta.dirname, '../docs/openapi.json');
writeFileSync(file, `${JSON.stringify(buildOpenApi(), null, 2)}\n`);
console.log(`written: ${file}`);
