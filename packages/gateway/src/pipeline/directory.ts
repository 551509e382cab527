import { createMiddleware } from 'hono/factory';
import type { DirectoryProvider } from '../directory/directory-provider.ts';
import type { GatewayEnv } from './context.ts';

/**
 * Pins the verified directory for the whole request: every later stage decides on the same snapshot,
 * even when the background refresh swaps it meanwhile. Refuses (503) while there is none fresh enough.
 */
export const withDirectory = (directory: DirectoryProvider) =>
  createMiddleware<GatewayEnv>(async function withDirectory(c, next) {
    c.set('directory', directory.current());
    await next();
  });
