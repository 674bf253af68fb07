/** What the identity controllers take from the operator configuration (`identity` section). */
import type { OperatorConfig } from '../../config/schema.ts';

export type IdentityConfig = OperatorConfig['identity'];
