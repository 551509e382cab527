export { type BrpSourceOptions, createBrpSourceApp } from './app.ts';
export { findPersonen } from './search.ts';
