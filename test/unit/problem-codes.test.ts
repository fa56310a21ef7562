import { expect } from 'chai';
import { HTTP_PROBLEMS, HttpProblem, type Disjoint, type HttpProblemCode } from '../../src/adapters/http/answers/http-problem.js';
import { ERROR_CODES, type ErrorCode } from '../../src/domain/errors.js';

// Compile-time: the two code sets are apart, and `Disjoint` would say so if they were not.
const apart: Disjoint<HttpProblemCode, ErrorCode> = true;
// @ts-expect-error a domain code in the HTTP set (not_found, say) makes the check `never`
const colliding: Disjoint<HttpProblemCode | 'not_found', ErrorCode> = true;

describe('problem codes', () => {
  it('keeps the domain codes and the HTTP-only codes apart, so /problems/<code> means one thing', () => {
    expect([apart, colliding]).to.deep.equal([true, true]);
    expect(Object.keys(HTTP_PROBLEMS).filter((code) => (ERROR_CODES as readonly string[]).includes(code))).to.deep.equal([]);
  });

  it('gives an HttpProblem the status and title of its code, from the one table', () => {
    const problem = new HttpProblem('too_many_requests', 'too many attempts; retry in 3 s');
    expect([problem.status, problem.title, problem.message]).to.deep.equal([429, 'Too many requests', 'too many attempts; retry in 3 s']);
  });

  it('has one title per code: no two codes of either set share a title', () => {
    const titles = Object.values(HTTP_PROBLEMS).map((p) => p.title);
    expect(new Set(titles).size).to.equal(titles.length);
  });
});
