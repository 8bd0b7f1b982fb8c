import { register } from 'node:module';
register('./dir_loader.mjs', import.meta.url);
