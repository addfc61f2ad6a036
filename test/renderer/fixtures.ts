export { checkJson } from '../helpers/check-json.js';

/** 03:00 UTC on 5 March 2024: the fixed "now" of the component tests. */
export const NOW = Date.parse('2024-03-05T03:00:00Z');
