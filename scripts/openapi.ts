/** `npm run openapi`: writes docs/openapi.json from the handlers' contracts (a test checks it is current). */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { openApiDocument } from '../local/openapi';

const file = resolve(import.meta.dirname, '../docs/openapi.json');
writeFileSync(file, `${JSON.stringify(await openApiDocument(), null, 2)}\n`);
console.log(`written: ${file}`);
