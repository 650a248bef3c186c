import {
  buildRouteRequest,
  type RouteDefinitionLike,
  type RouteInput,
  type RouteResult,
} from '../contract/dialer/route-call.ts';
import type { HttpsClient, HttpsResponse } from '../core/https-client.ts';

/**
 * A typed client of one route table (the dialer's API or its control API) over an HttpsClient: routes by id, input
 * checked against the route's schemas before it is sent, the success body typed. Answers of any status come back
 * (tests check refusals too); `body` is typed as the success answer.
 */
export type RouteClient<T> = {
  call<Id extends keyof T & string>(
    id: Id,
    input: RouteInput<T[Id]> & { headers?: Record<string, string> },
  ): Promise<HttpsResponse<RouteResult<T[Id]>>>;
};

export function routeClient<T extends Record<string, unknown>>(
  http: HttpsClient,
  table: T,
  base: string,
): RouteClient<T> {
  return {
    call(id, input) {
      const { method, path, body } = buildRouteRequest(table[id] as unknown as RouteDefinitionLike, input);
      const headers = { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...input.headers };
      return http.request(method, `${base}${path}`, { ...(body === undefined ? {} : { body }), headers });
    },
  };
}
