/**
 * The console's pages live in the address's fragment (`/support/#/clienti/x`),
 * so one static page serves them all (S3 behind CloudFront, the local gateway)
 * and a page can be returned to after signing in again.
 */
import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { page: 'response'; customerId?: string }
  | { page: 'failed' }
  | { page: 'customers' }
  | { page: 'customer'; customerId: string }
  | { page: 'releases' }
  | { page: 'publish' }
  | { page: 'rollout'; version: string }
  | { page: 'not-found' };

/** The route a fragment names. */
export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const [first, second] = parts;
  if (!first || first === 'risposta') return { page: 'response', customerId: second };
  if (first === 'falliti' && !second) return { page: 'failed' };
  if (first === 'clienti') return second ? { page: 'customer', customerId: second } : { page: 'customers' };
  if (first === 'release' && second === 'pubblica') return { page: 'publish' };
  if (first === 'release') return second ? { page: 'rollout', version: second } : { page: 'releases' };
  return { page: 'not-found' };
}

/** The fragment of a route. */
export function href(route: Route): string {
  switch (route.page) {
    case 'response':
      return route.customerId ? `#/risposta/${encodeURIComponent(route.customerId)}` : '#/risposta';
    case 'failed':
      return '#/falliti';
    case 'customers':
      return '#/clienti';
    case 'customer':
      return `#/clienti/${encodeURIComponent(route.customerId)}`;
    case 'releases':
      return '#/release';
    case 'publish':
      return '#/release/pubblica';
    case 'rollout':
      return `#/release/${encodeURIComponent(route.version)}`;
    default:
      return '#/';
  }
}

/** The current route, following the fragment. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onHash = () => setRoute(parseRoute(location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  return route;
}

/** Goes to a route (a new history entry). */
export const go = (route: Route) => {
  location.hash = href(route);
};
