import { httpHandler } from '../../shared/http/handler';

// Release publishing (issue 3) is being built; until then the declared routes answer 404.
export const handler = httpHandler('releases', {});
