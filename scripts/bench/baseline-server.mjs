// The bare limit Gatehouse is measured against: node:http + pg, the same SQL and the same JSON as
// Gatehouse's hot routes, the token looked up in a Map. No validation, logging or headers beyond need.
// Env: PORT, DATABASE_URL, BENCH_TOKENS = JSON {token: {id, email}}.
import http from 'node:http';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const tokens = new Map(Object.entries(JSON.parse(process.env.BENCH_TOKENS ?? '{}')));
const COLUMNS = '"items"."id", "items"."name", "items"."description", "items"."price", "items"."version", "items"."owner_id", '
  + '(select "users"."email" from "users" where "users"."id" = "items"."owner_id") as "owner_email"';
const FIRST = `select ${COLUMNS} from "items" order by "items"."id" asc limit $1`;
const AFTER = `select ${COLUMNS} from "items" where items.id > cast($1 as integer) order by "items"."id" asc limit $2`;
const ONE = `select ${COLUMNS} from "items" where "items"."id" = $1`;
const INSERT = `insert into "items" ("name", "description", "price", "owner_id") values ($1, $2, $3, $4) returning ${COLUMNS}`;

const item = (r) => ({ id: r.id, name: r.name, description: r.description, price: r.price, user: { id: r.owner_id, email: r.owner_email } });
const cursor = (key, direction) => Buffer.from(JSON.stringify(['id', key, key, direction])).toString('base64url');
const send = (res, status, body, headers = {}) => {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
};

async function handle(req, res) {
  const user = tokens.get(/^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1]);
  if (!user) return send(res, 401, { title: 'Unauthorized' });
  const url = new URL(req.url, `http://${req.headers.host}`);
  if (req.method === 'GET' && url.pathname === '/items/') {
    const limit = Number(url.searchParams.get('limit') ?? 20);
    const from = url.searchParams.get('cursor');
    const key = from ? JSON.parse(Buffer.from(from, 'base64url').toString())[1] : undefined;
    const { rows } = key === undefined ? await pool.query(FIRST, [limit + 1]) : await pool.query(AFTER, [key, limit + 1]);
    const results = rows.slice(0, limit).map(item);
    const link = (c) => `http://${req.headers.host}/items/?limit=${limit}&ordering=id&cursor=${c}`;
    const last = results[results.length - 1];
    return send(res, 200, {
      next: rows.length > limit && last ? link(cursor(last.id, 'a')) : null,
      previous: key !== undefined && results[0] ? link(cursor(results[0].id, 'b')) : null,
      results,
    });
  }
  const one = /^\/items\/(\d+)\/$/.exec(url.pathname);
  if (req.method === 'GET' && one) {
    const { rows: [row] } = await pool.query(ONE, [Number(one[1])]);
    return row ? send(res, 200, item(row), { ETag: `"v${row.version}"` }) : send(res, 404, { title: 'Not found' });
  }
  if (req.method === 'POST' && url.pathname === '/items/') {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const body = JSON.parse(Buffer.concat(chunks).toString());
    const { rows: [row] } = await pool.query(INSERT, [body.name, body.description, Number(body.price).toFixed(2), user.id]);
    return send(res, 201, item(row), { Location: `/items/${row.id}/`, ETag: `"v${row.version}"` });
  }
  send(res, 404, { title: 'Not found' });
}

http.createServer((req, res) => handle(req, res).catch((err) => send(res, 500, { title: String(err.message) })))
  .listen(Number(process.env.PORT), '127.0.0.1', () => console.log('baseline listening'));
process.on('SIGTERM', () => pool.end().then(() => process.exit(0)));
