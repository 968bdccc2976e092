import { createAjv } from './src/ajv.ts';
const s = { type: 'string', pattern: '^[a-z]+$' };
console.log('createAjv', createAjv().compile(s)('AB'));
