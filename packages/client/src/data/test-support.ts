/** Helpers shared by the data layer's tests. Not exported from the package. */
import { OvsdbError } from '../wire/errors.js';

/** The OvsdbError `fn` throws; fails the test if it throws nothing or something else. */
export function errorOf(fn: () => unknown): OvsdbError {
  try {
    fn();
  } catch (e) {
    if (e instanceof OvsdbError) return e;
    throw e;
  }
  throw new Error('no error thrown');
}
