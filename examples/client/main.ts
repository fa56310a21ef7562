// What a consumer of Gatehouse writes: types generated from openapi.yaml, calls made with openapi-fetch.
//   npx openapi-typescript ../../openapi.yaml -o generated/openapi.ts   (or from http://…/openapi.yaml)
//   npx tsx main.ts http://127.0.0.1:8001
import createClient from 'openapi-fetch';
import type { components, paths } from './generated/openapi.js';

type Problem = components['schemas']['Problem'];

const baseUrl = process.argv[2] ?? process.env.GATEHOUSE_URL ?? 'http://127.0.0.1:8001';
const email = `example-${Date.now()}@example.com`;
const password = 'correct horse battery';

const api = createClient<paths>({ baseUrl });

const signedUp = await api.POST('/users/signup/', { body: { email, password, password2: password } });
if (!signedUp.data) fail('sign-up', signedUp.response, signedUp.error);
console.log(`signed up ${signedUp.data.email} as user ${signedUp.data.id}`);

const token = await api.POST('/users/token/', { body: { email, password } });
if (!token.data) fail('token', token.response, token.error);
console.log(`got a ${token.data.token_type} token for "${token.data.scope}", valid ${token.data.expires_in} s`);

// Every later call carries the access token.
const authed = createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${token.data.access_token}` } });

const created = await authed.POST('/items/', {
  body: { name: `example-lamp-${Date.now()}`, description: 'made by the example client', price: '12.50' },
});
if (!created.data) fail('create', created.response, created.error);
const item = created.data;
console.log(`created item ${item.id} "${item.name}" at ${item.price}, owned by ${item.user.email}`);

const page = await authed.GET('/items/', { params: { query: { owner: 'me', ordering: '-id', limit: 10 } } });
if (!page.data) fail('list', page.response, page.error);
console.log(`listed ${page.data.results.length} item(s) of mine:`);
for (const { id, name, price } of page.data.results) console.log(`  ${id} ${name} ${price}`);

function fail(step: string, response: Response, error: Problem | { error: string; error_description?: string } | undefined): never {
  console.error(`${step} failed: ${response.status} ${JSON.stringify(error)}`);
  process.exit(1);
}
