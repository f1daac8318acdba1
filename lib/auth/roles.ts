/**
 * The three built-in roles. Their ids are fixed so URNs stay the same across installations.
 */
export const SYSTEM_ADMIN = 'System Administrator';
export const ORG_ADMIN = 'Organization Administrator';
export const VAPP_USER = 'vApp User';

export type RoleName = typeof SYSTEM_ADMIN | typeof ORG_ADMIN | typeof VAPP_USER;

export const BUILTIN_ROLES: { id: string; name: RoleName; description: string; bundleKey: string }[] = [
  { id: '4f1a2b3c-0001-4000-8000-000000000001', name: SYSTEM_ADMIN, description: 'Manages the whole installation', bundleKey: 'ROLE_SYSTEM_ADMINISTRATOR' },
  { id: '4f1a2b3c-0002-4000-8000-000000000002', name: ORG_ADMIN, description: 'Manages one organization', bundleKey: 'ROLE_ORGANIZATION_ADMINISTRATOR' },
  { id: '4f1a2b3c-0003-4000-8000-000000000003', name: VAPP_USER, description: 'Uses vApps in one organization', bundleKey: 'ROLE_VAPP_USER' },
];

export const PROVIDER_ORG = 'Provider';
