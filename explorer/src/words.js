// Words the page writes around numbers.

// count writes a number with the word it counts, singular for one: count(1, 'claim') is "1 claim",
// count(3, 'claim') "3 claims"; many is the plural when it is not the word with an s.
export function count(n, one, many = one + 's') {
  return `${n} ${n === 1 ? one : many}`;
}
