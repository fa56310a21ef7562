import { expect } from 'chai';
import fc from 'fast-check';
import { loadOpenApiDocument } from '../../src/adapters/http/contract/openapi-document.js';
import { compileRequestValidators } from '../../src/adapters/http/contract/request-validator.js';
import { InvalidInput } from '../../src/domain/errors.js';
import { normalizePrice } from '../../src/domain/price.js';

const document = loadOpenApiDocument();
const validators = compileRequestValidators(document.json);
const item = { name: 'Desk lamp', description: '', price: '12.50' };
const MESSAGE = 'must be a decimal from 0 to 999999999999.99 with at most two decimal places';

/** What the server does with a price sent as a JSON number: the validator's errors, else normalizePrice's. */
function serverTakes(price: number): { errors: unknown[]; stored?: string } {
  const errors = validators.body('createItem', 'application/json', { ...item, price });
  if (errors.length > 0) return { errors };
  try {
    return { errors: [], stored: normalizePrice(price) };
  } catch (err) {
    if (err instanceof InvalidInput) return { errors: err.errors };
    throw err;
  }
}

/** A decimal literal as a client writes it, parsed as the server's JSON parser does. */
const literal = (whole: number, decimals: string) => JSON.parse(`${whole}.${decimals}`) as number;

describe('Price as a JSON number: the schema and the server agree', () => {
  it('says multipleOf 0.01 on the number branch, so a generated client knows 1.005 is no price', () => {
    const number = document.json.components.schemas.Price.anyOf.find((branch: { type: string }) => branch.type === 'number');
    expect(number).to.include({ multipleOf: 0.01, minimum: 0, exclusiveMaximum: 1e12 });
  });

  it('refuses 1.005 in the validator itself, naming /price, on every operation that takes a price', () => {
    expect(validators.body('createItem', 'application/json', { ...item, price: 1.005 })).to.deep.equal([{ pointer: '/price', message: MESSAGE }]);
    expect(validators.body('replaceItem', 'application/json', { ...item, price: 1.005 })).to.deep.equal([{ pointer: '/price', message: MESSAGE }]);
    expect(validators.body('updateItem', 'application/json', { price: 1.005 })).to.deep.equal([{ pointer: '/price', message: MESSAGE }]);
  });

  it('accepts 12.5, 0.1 and 999999999999.99, and stores them with two places', () => {
    for (const [price, stored] of [[12.5, '12.50'], [0.1, '0.10'], [999999999999.99, '999999999999.99'], [0, '0.00'], [0.07, '0.07'], [2.3, '2.30']] as const) {
      expect(validators.body('createItem', 'application/json', { ...item, price }), String(price)).to.deep.equal([]);
      expect(serverTakes(price), String(price)).to.deep.equal({ errors: [], stored });
    }
  });

  it('accepts every two-place number below 10^12, at any magnitude', () => {
    const cents = fc.oneof(fc.integer({ min: 0, max: 99_999 }), fc.integer({ min: 0, max: 2 ** 31 }),
      fc.integer({ min: 0, max: 99_999_999_999_999 }), fc.integer({ min: 90_000_000_000_000, max: 99_999_999_999_999 }));
    fc.assert(fc.property(cents, (n) => {
      const typed = `${Math.floor(n / 100)}.${String(n % 100).padStart(2, '0')}`;
      expect(serverTakes(JSON.parse(typed) as number), typed).to.deep.equal({ errors: [], stored: typed });
    }), { numRuns: 2000 });
  });

  it('refuses every number with a third decimal place, in the validator when it is 0.002 or more off a cent', () => {
    const third = fc.tuple(fc.oneof(fc.integer({ min: 0, max: 999 }), fc.integer({ min: 0, max: 999_999_999_999 })),
      fc.integer({ min: 0, max: 99 }), fc.integer({ min: 1, max: 9 }));
    fc.assert(fc.property(third, ([whole, cents, digit]) => {
      const price = literal(whole, `${String(cents).padStart(2, '0')}${digit}`);
      const { errors } = serverTakes(price);
      expect(errors, String(price)).to.deep.equal([{ pointer: '/price', message: MESSAGE }]);
      if (digit >= 2 && digit <= 8) {
        expect(validators.body('createItem', 'application/json', { ...item, price }), String(price)).to.have.length(1);
      }
    }), { numRuns: 2000 });
  });
});
