export * from './terugmelding.ts';
