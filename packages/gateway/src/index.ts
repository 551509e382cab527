/** @poortwachter/gateway: the inway in front of a source. */
export { presentPaths, projectFields } from './protocol/project-fields.ts';
