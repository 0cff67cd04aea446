import { findPackageNameProblem } from './package-name';

describe('findPackageNameProblem', () => {
  it.each(['cart', '@shop/cart', 'cart-ui', 'cart.ui', 'cart_ui', 'cart2', '@shop/cart.ui', 'x'.repeat(214)])('accepts %j', (name) => {
    expect(findPackageNameProblem(name)).toBeUndefined();
  });

  it.each([
    ['http', '"http" is a Node.js built-in module, and on the server imports of http/… would reach Node\'s module instead of this one'],
    ['fs', '"fs" is a Node.js built-in module, and on the server imports of fs/… would reach Node\'s module instead of this one'],
    ['node:fs', '"node:fs" is a Node.js built-in module, and on the server imports of fs/… would reach Node\'s module instead of this one'],
    ['fs/promises', '"fs/promises" is a Node.js built-in module, and on the server imports of fs/promises/… would reach Node\'s module instead of this one'],
    ['node:test', '"node:test" is a Node.js built-in module, and on the server imports of test/… would reach Node\'s module instead of this one'],
    ['Foo', 'it contains capital letters'],
    ['@a', 'a scoped name must look like @scope/name'],
    ['@a/b/c', 'a scoped name must look like @scope/name'],
    [' a', 'it starts or ends with whitespace'],
    ['a ', 'it starts or ends with whitespace'],
    ['a b', 'it contains characters that are not allowed (use a-z 0-9 - . _)'],
    ['a/b', 'it contains characters that are not allowed (use a-z 0-9 - . _)'],
    ['cart!', 'it contains characters that are not allowed (use a-z 0-9 - . _)'],
    ['', 'it is empty'],
    ['_x', 'it starts with "." or "_"'],
    ['.x', 'it starts with "." or "_"'],
    ['@shop/.x', 'it starts with "." or "_"'],
    ['node_modules', '"node_modules" is reserved by npm'],
    ['favicon.ico', '"favicon.ico" is reserved by npm'],
    ['x'.repeat(215), 'it is longer than 214 characters'],
  ])('refuses %j: %s', (name, problem) => {
    expect(findPackageNameProblem(name)).toBe(problem);
  });

  it("words a refusal it does not know in the library's own words", () => {
    jest.isolateModules(() => {
      jest.doMock('validate-npm-package-name', () => () => ({ validForNewPackages: false, validForOldPackages: false, errors: ['name is cursed'] }));
      const { findPackageNameProblem: findWithNewRule } = jest.requireActual<typeof import('./package-name')>('./package-name');
      expect(findWithNewRule('cart')).toBe('npm refuses it (name is cursed)');
    });
    jest.dontMock('validate-npm-package-name');
  });
});
