/**
 * The servers a deployment can run, each by the module of its entry: the registry, the gateway in
 * both roles, the citizens' page, the example sources, the development identity provider and mailbox (examples,
 * not the product), and the `poortwachter` CLI (`audit serve`, `log verify`, …).
 */
export const ROLES = {
  registry: '@poortwachter/registry/server',
  inway: '@poortwachter/gateway/server',
  outway: '@poortwachter/gateway/outway',
  portal: '@poortwachter/portal/server',
  'brp-source': '@poortwachter/example-brp-source/server',
  'brk-source': '@poortwachter/example-brk-source/server',
  'dev-idp': '@poortwachter/example-dev-idp/server',
  'dev-mail': '@poortwachter/example-dev-mail/server',
  cli: '@poortwachter/sdk/cli',
} as const;

/** One of {@link ROLES}. */
export type Role = keyof typeof ROLES;

/** Whether `name` is a role (an own key of {@link ROLES}, not `toString` and the like). */
export function isRole(name: string | undefined): name is Role {
  return name !== undefined && Object.hasOwn(ROLES, name);
}
