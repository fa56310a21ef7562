import { expect } from 'chai';
import type { ApiClient } from '../support/api-client.js';

const PASSWORD = 'correct horse battery';
const unique = (p: string) => `${p}-${Math.random().toString(36).slice(2, 10)}@example.com`;

/** The account endpoints, through a listening server; `api()` is ready when the suites run. */
export function userEndpointsSuite(api: () => ApiClient): void {
  describe('POST /users/signup/', () => {
    it('creates an account: 201 {id, email}, email in lower case; the slash-less path answers the same', async () => {
      const email = unique('Signup');
      const res = await api().post('/users/signup/', { json: { email, password: PASSWORD, password2: PASSWORD } });
      expect(res.status).to.equal(201);
      expect(res.body).to.deep.equal({ id: res.body.id, email: email.toLowerCase() });
      const other = unique('slashless');
      expect((await api().post('/users/signup', { json: { email: other, password: PASSWORD, password2: PASSWORD } })).status).to.equal(201);
    });

    it('answers 409 for an email that exists, whatever its letter case', async () => {
      const email = unique('dup');
      await api().post('/users/signup/', { json: { email, password: PASSWORD, password2: PASSWORD } });
      const res = await api().post('/users/signup/', { json: { email: email.toUpperCase(), password: PASSWORD, password2: PASSWORD } });
      expect(res.status).to.equal(409);
      expect(res.body.type).to.equal('/problems/email_taken');
    });

    it('answers 400 naming password2 when the passwords differ', async () => {
      const res = await api().post('/users/signup/', { json: { email: unique('mm'), password: PASSWORD, password2: 'something else 1' } });
      expect(res.status).to.equal(400);
      expect(res.body.errors).to.deep.equal([{ pointer: '/password2', message: 'Password fields did not match' }]);
    });

    for (const weak of ['1234567', 'password', '12345678901']) {
      it(`answers 400 naming password for the weak password "${weak}"`, async () => {
        const res = await api().post('/users/signup/', { json: { email: unique('weak'), password: weak, password2: weak } });
        expect(res.status).to.equal(400);
        expect(res.body.errors.map((e: { pointer: string }) => e.pointer)).to.include('/password');
        expect(res.text).not.to.include(`"${weak}"`); // the password itself is never echoed
      });
    }

    it('answers 400 naming every missing field, and for an invalid email', async () => {
      const res = await api().post('/users/signup/', { json: {} });
      expect(res.status).to.equal(400);
      expect(res.body.errors.map((e: { pointer: string }) => e.pointer).sort()).to.deep.equal(['/email', '/password', '/password2']);
      const bad = await api().post('/users/signup/', { json: { email: 'not-an-email', password: PASSWORD, password2: PASSWORD } });
      expect(bad.status).to.equal(400);
      expect(bad.body.errors[0].pointer).to.equal('/email');
    });

    it('answers 400 for malformed JSON, 415 for a non-JSON body and 413 over 64 KiB', async () => {
      expect((await api().post('/users/signup/', { raw: { body: '{"email":', type: 'application/json' } })).status).to.equal(400);
      expect((await api().post('/users/signup/', { raw: { body: 'email=x', type: 'text/plain' } })).status).to.equal(415);
      const huge = JSON.stringify({ email: unique('big'), password: 'x'.repeat(70 * 1024), password2: 'x' });
      const res = await api().post('/users/signup/', { raw: { body: huge, type: 'application/json' } });
      expect(res.status).to.equal(413);
      expect(res.headers.get('content-type')).to.match(/^application\/problem\+json/);
    });
  });

  describe('POST /users/token/', () => {
    let email: string;
    before(async () => {
      email = unique('token');
      await api().post('/users/signup/', { json: { email, password: PASSWORD, password2: PASSWORD } });
    });

    it('issues a bearer token pair for JSON credentials, marked no-store', async () => {
      const res = await api().post('/users/token/', { json: { email, password: PASSWORD } });
      expect(res.status).to.equal(200);
      expect(res.body).to.include({ token_type: 'Bearer', scope: 'read write' });
      expect(res.body.access_token).to.be.a('string').and.not.equal(res.body.refresh_token);
      expect(res.body.expires_in).to.be.greaterThan(0);
      expect(res.headers.get('cache-control')).to.equal('no-store');
    });

    it('accepts the OAuth 2 form that Swagger UI sends, and a narrower scope', async () => {
      const res = await api().post('/users/token/', { form: { grant_type: 'password', username: email.toUpperCase(), password: PASSWORD, scope: 'read' } });
      expect(res.status).to.equal(200);
      expect(res.body.scope).to.equal('read');
    });

    it('answers 400 invalid_grant for a wrong password or an unknown user, in RFC 6749 form', async () => {
      for (const body of [{ email, password: 'wrong password 1' }, { email: unique('nobody'), password: PASSWORD }]) {
        const res = await api().post('/users/token/', { json: body });
        expect(res.status).to.equal(400);
        expect(res.body.error).to.equal('invalid_grant');
      }
    });

    it('answers 400 invalid_scope for a scope it does not hand out', async () => {
      const res = await api().post('/users/token/', { json: { email, password: PASSWORD, scope: 'read introspection' } });
      expect(res.status).to.equal(400);
      expect(res.body.error).to.equal('invalid_scope');
      const form = await api().post('/users/token/', { form: { grant_type: 'password', username: email, password: PASSWORD, scope: 'admin' } });
      expect(form.status).to.equal(400);
      expect(form.body.error).to.equal('invalid_scope');
    });

    it('answers 400 unsupported_grant_type for a grant it does not offer', async () => {
      const res = await api().post('/users/token/', { form: { grant_type: 'client_credentials' } });
      expect(res.status).to.equal(400);
      expect(res.body).to.deep.equal({ error: 'unsupported_grant_type', error_description: 'this endpoint offers grant_type=password or grant_type=refresh_token only' });
      const refresh = await api().post('/users/token/refresh/', { form: { grant_type: 'password', username: email, password: PASSWORD } });
      expect(refresh.status).to.equal(400);
      expect(refresh.body.error).to.equal('unsupported_grant_type');
    });

    it('takes the refresh grant too, as a form and as JSON: one token endpoint, as RFC 8414 metadata names it', async () => {
      const user = await api().newUser('one-endpoint');
      const form = await api().post('/users/token/', { form: { grant_type: 'refresh_token', refresh_token: user.refresh } });
      expect(form.status, form.text).to.equal(200);
      expect(form.body.refresh_token).to.not.equal(user.refresh);
      expect(form.headers.get('cache-control')).to.equal('no-store');
      expect((await api().get('/items/?limit=1', { token: form.body.access_token })).status).to.equal(200);
      const json = await api().post('/users/token/', { json: { grant_type: 'refresh_token', refresh_token: form.body.refresh_token } });
      expect(json.status, json.text).to.equal(200);
      for (const spent of [user.refresh, form.body.refresh_token]) { // each works once, at either endpoint
        const again = await api().post('/users/token/', { form: { grant_type: 'refresh_token', refresh_token: spent } });
        expect(again.status).to.equal(400);
        expect(again.body.error).to.equal('invalid_grant');
      }
      const missing = await api().post('/users/token/', { form: { grant_type: 'refresh_token' } });
      expect(missing.status).to.equal(400);
      expect(missing.body).to.deep.equal({ error: 'invalid_request', error_description: 'refresh_token: is required' });
    });

    it('answers 400 invalid_request naming a missing field, and 415 in the same OAuth shape', async () => {
      const res = await api().post('/users/token/', { json: { email } });
      expect(res.status).to.equal(400);
      expect(res.body.error).to.equal('invalid_request');
      expect(res.body.error_description).to.include('password');
      const plain = await api().post('/users/token/', { raw: { body: 'x', type: 'text/plain' } });
      expect(plain.status).to.equal(415);
      expect(plain.body.error).to.equal('invalid_request');
    });
  });

  describe('POST /users/token/revoke/', () => {
    it('revokes an access token (form or JSON): 200 with no body, and the token is refused', async () => {
      for (const send of ['form', 'json'] as const) {
        const user = await api().newUser('revoke');
        const res = await api().post('/users/token/revoke/', { [send]: { token: user.token, token_type_hint: 'access_token' } });
        expect(res.status, res.text).to.equal(200);
        expect(res.text).to.equal('');
        expect((await api().get('/items/?limit=1', { token: user.token })).status).to.equal(401);
      }
    });

    it('revokes a refresh token with its access token: signing out ends the session', async () => {
      const user = await api().newUser('sign-out');
      expect((await api().get('/items/?limit=1', { token: user.token })).status).to.equal(200);
      expect((await api().post('/users/token/revoke/', { form: { token: user.refresh, token_type_hint: 'refresh_token' } })).status).to.equal(200);
      const refresh = await api().post('/users/token/', { form: { grant_type: 'refresh_token', refresh_token: user.refresh } });
      expect(refresh.body.error).to.equal('invalid_grant');
      expect((await api().get('/items/?limit=1', { token: user.token })).status).to.equal(401);
    });

    it('answers 200 for an unknown token and an unknown hint (RFC 7009 §2.2), 400 invalid_request without a token', async () => {
      for (const body of [{ token: 'never-issued-token' }, { token: 'never-issued-token', token_type_hint: 'id_token' }] as Record<string, string>[]) {
        const res = await api().post('/users/token/revoke/', { form: body });
        expect(res.status).to.equal(200);
        expect(res.text).to.equal('');
      }
      const missing = await api().post('/users/token/revoke/', { form: { token_type_hint: 'access_token' } });
      expect(missing.status).to.equal(400);
      expect(missing.body).to.deep.equal({ error: 'invalid_request', error_description: 'token: is required' });
    });
  });

  describe('POST /users/token/refresh/', () => {
    it('trades a refresh token for a new pair; the old refresh token then fails with invalid_grant', async () => {
      const user = await api().newUser('refresh');
      const res = await api().post('/users/token/refresh/', { json: { refresh: user.refresh } });
      expect(res.status).to.equal(200);
      expect(res.body.refresh_token).to.not.equal(user.refresh);
      expect(res.headers.get('cache-control')).to.equal('no-store');
      const again = await api().post('/users/token/refresh/', { json: { refresh: user.refresh } });
      expect(again.status).to.equal(400);
      expect(again.body.error).to.equal('invalid_grant');
      const form = await api().post('/users/token/refresh/', { form: { grant_type: 'refresh_token', refresh_token: res.body.refresh_token } });
      expect(form.status).to.equal(200);
    });

    it('answers 400 invalid_request without a refresh token', async () => {
      const res = await api().post('/users/token/refresh/', { json: {} });
      expect(res.status).to.equal(400);
      expect(res.body.error).to.equal('invalid_request');
    });
  });

  describe('PUT /users/password/', () => {
    it('answers 401 with a Bearer challenge without a token', async () => {
      const res = await api().put('/users/password/', { json: { old_password: PASSWORD, password: 'a new password 1', password2: 'a new password 1' } });
      expect(res.status).to.equal(401);
      expect(res.headers.get('www-authenticate')).to.match(/^Bearer /);
    });

    it('answers 400 naming old_password when it is wrong, and password2 when they differ', async () => {
      const user = await api().newUser('pw');
      const wrong = await api().put('/users/password/', { token: user.token, json: { old_password: 'not it at all', password: 'a new password 1', password2: 'a new password 1' } });
      expect(wrong.status).to.equal(400);
      expect(wrong.body.errors[0].pointer).to.equal('/old_password');
      const differ = await api().put('/users/password/', { token: user.token, json: { old_password: user.password, password: 'a new password 1', password2: 'a new password 2' } });
      expect(differ.status).to.equal(400);
      expect(differ.body.errors[0].pointer).to.equal('/password2');
    });

    it('changes the password (204): the new one works, the old one and the old token do not', async () => {
      const user = await api().newUser('pw');
      const next = 'a brand new password';
      const res = await api().put('/users/password/', { token: user.token, json: { old_password: user.password, password: next, password2: next } });
      expect(res.status).to.equal(204);
      expect((await api().get('/items/', { token: user.token })).status).to.equal(401);
      expect((await api().post('/users/token/', { json: { email: user.email, password: user.password } })).body.error).to.equal('invalid_grant');
      expect((await api().post('/users/token/', { json: { email: user.email, password: next } })).status).to.equal(200);
    });
  });
}
