/**
 * The route contracts as the SDK sees them: types only (`import type`), so the
 * SDK loads no server module and no schema library at run time. A route is named
 * by its key, `"POST /v1/device/check-in"`; a key that is not in the contract
 * table, a wrong body or a missing path parameter does not compile.
 */
import type {
  API,
  RequestBody,
  RequestParams,
  RequestQuery,
  ResponseBody,
  ResponseBodyOf,
  RouteContract,
  SuccessStatusOf,
} from '../shared/api';

type Groups = typeof API;
type AnyRoute = { [G in keyof Groups]: Groups[G][keyof Groups[G]] }[keyof Groups];

/** Every route of the contract table, by key. */
export type Routes = { [C in AnyRoute as `${C['method']} ${C['path']}`]: C };
/** `"GET /v1/desktop/update"`, … */
export type RouteKey = keyof Routes & string;

/** The body of a route's success answer (any success status with a body). */
export type Answer<K extends RouteKey> = ResponseBody<Routes[K]>;
/** The body of one success status of a route. */
export type AnswerOf<K extends RouteKey, S extends SuccessStatusOf<Routes[K]>> = ResponseBodyOf<Routes[K], S>;
/** The JSON body a route accepts. */
export type Body<K extends RouteKey> = RequestBody<Routes[K]>;

type ParamsPart<C extends RouteContract> = RequestParams<C> extends undefined ? { params?: undefined } : { params: RequestParams<C> };
type QueryPart<C extends RouteContract> = RequestQuery<C> extends undefined ? { query?: undefined } : { query?: RequestQuery<C> };
type BodyPart<C extends RouteContract> =
  RequestBody<C> extends undefined
    ? { body?: undefined }
    : C extends { bodyOptional: true }
      ? { body?: RequestBody<C> }
      : { body: RequestBody<C> };

/** What a call of a route sends: its path parameters, query and body, as its contract accepts them. */
export type CallInput<K extends RouteKey> = ParamsPart<Routes[K]> & QueryPart<Routes[K]> & BodyPart<Routes[K]>;
