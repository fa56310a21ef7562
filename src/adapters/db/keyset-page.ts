/**
 * The rows of a keyset page and the positions it hands out, from `limit + 1` rows read in the
 * direction of travel: going forward there is a previous page whenever the read started from a
 * position, and a next one when a row beyond the page was read; going backwards the reverse, and
 * the rows are put back in order.
 */
export function keysetPage<R, P>(
  read: R[], limit: number, travel: { backwards: boolean; fromPosition: boolean },
  position: (row: R, direction: 'after' | 'before') => P,
): { rows: R[]; next?: P; previous?: P } {
  const more = read.length > limit;
  const rows = read.slice(0, limit);
  if (travel.backwards) rows.reverse();
  const first = rows[0];
  const last = rows[rows.length - 1];
  return {
    rows,
    ...(last !== undefined && (travel.backwards || more) ? { next: position(last, 'after') } : {}),
    ...(first !== undefined && (travel.backwards ? more : travel.fromPosition) ? { previous: position(first, 'before') } : {}),
  };
}
