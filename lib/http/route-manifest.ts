/**
 * The static route manifest. In development and tests it is empty and the routes are found by
 * walking `functions/`; the production build (`scripts/build.ts`) replaces this module with a
 * generated one that imports every function file, because a bundle has no `functions/` to walk.
 */
import type { RouteModules } from './routes.ts';

export const ROUTE_MODULES: RouteModules | undefined = undefined;
