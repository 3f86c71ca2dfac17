// Injected into firmware bundles by build/bundle.ts wherever flattenClasses rewrote a class.

/** ctor, with proto (the class's methods) as its prototype. */
export function defineClass<T extends Function>(ctor: T, proto: object): T {
  ctor.prototype = proto;
  return ctor;
}
