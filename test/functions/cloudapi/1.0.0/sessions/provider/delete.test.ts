import { describe } from 'vitest';
import { logoutContract } from '#test/support/logout-contract.ts';

describe('DELETE /cloudapi/1.0.0/sessions/provider (the Terraform SDK\'s logout)', () => {
  logoutContract('/cloudapi/1.0.0/sessions/provider');
});
