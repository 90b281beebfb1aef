/**
 * Type checks that survive two copies of this library in one app (and jsii proxies): a class is
 * marked with a `Symbol.for` key on its prototype, and `isX()` reads the mark instead of
 * `instanceof`, which is false for an object made by the other copy.
 */

const key = (name: string) => Symbol.for(`cdk8s-prometheus.${name}`);

/** Marks every instance of `cls` (and of its subclasses) as a `name`. */
export function brand(cls: Function, name: string): void {
  Object.defineProperty(cls.prototype, key(name), { value: true, enumerable: false, writable: false });
}

/** Whether `x` was made by a class marked as `name`, by any copy of this library. */
export function hasBrand(x: unknown, name: string): boolean {
  return x !== null && (typeof x === 'object' || typeof x === 'function') && (x as any)[key(name)] === true;
}
