export { type BrpSourceOptions, createBrpSourceApp } from './app.ts';
export { findPersonen, SEARCH_PARAMETERS } from './search.ts';
