export { type BrkSourceOptions, createBrkSourceApp } from './app.ts';
export { type LinkBases, persoonHref } from './hal.ts';
